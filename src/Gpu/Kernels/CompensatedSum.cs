namespace NetFromScratch.Gpu.Kernels;

/// <summary>
/// Kahan summation in float: the error of a long sum stays near one rounding instead of growing with its length,
/// so device reductions track the CPU backend's double-precision sums without needing fp64 hardware.
/// GPU compilers do not reassociate float arithmetic, so the compensation survives optimisation.
/// </summary>
internal struct CompensatedSum
{
    public float Sum;
    public float Compensation;

    public void Add(float value)
    {
        float y = value - Compensation;
        float t = Sum + y;
        // Once the sum is infinite (or NaN) the correction term would turn it into NaN; drop it instead.
        Compensation = t - t == 0f ? t - Sum - y : 0f;
        Sum = t;
    }
}
