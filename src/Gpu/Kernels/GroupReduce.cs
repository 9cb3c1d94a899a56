using ILGPU;

namespace NetFromScratch.Gpu.Kernels;

/// <summary>
/// Tree reductions across one thread group through shared memory: log2(group size) steps, each halving the
/// number of active threads. The group size must be a power of two (the backend launches 256 or 16).
/// Every thread of the group must call these, and every thread gets the result.
/// </summary>
internal static class GroupReduce
{
    /// <summary>The largest group the reduction kernels are launched with (their shared arrays have this size).</summary>
    public const int MaxGroupSize = 256;

    public const int MaxKind = 1, MinKind = 2;

    /// <summary>Maximum or minimum across the group, NaN-propagating.</summary>
    public static float Reduce(ArrayView<float> shared, float value, int kind)
    {
        int t = Group.IdxX;
        shared[t] = value;
        Group.Barrier();
        for (int s = Group.DimX >> 1; s > 0; s >>= 1)
        {
            if (t < s) shared[t] = Combine(kind, shared[t], shared[t + s]);
            Group.Barrier();
        }
        float result = shared[0];
        // The caller may reuse the array right away.
        Group.Barrier();
        return result;
    }

    /// <summary>A sum across the group in double (each thread's partial sum is already a double).</summary>
    public static double Sum(ArrayView<double> shared, double value)
    {
        int t = Group.IdxX;
        shared[t] = value;
        Group.Barrier();
        for (int s = Group.DimX >> 1; s > 0; s >>= 1)
        {
            if (t < s) shared[t] += shared[t + s];
            Group.Barrier();
        }
        double result = shared[0];
        Group.Barrier();
        return result;
    }

    public static float Combine(int kind, float a, float b) => kind == MaxKind ? DeviceMath.Max(a, b) : DeviceMath.Min(a, b);

    /// <summary>
    /// Arg-max (or arg-min) over the group: NaN beats everything, then the better value, then the smaller index,
    /// so the group agrees with a left-to-right scan that keeps the first winner.
    /// </summary>
    public static void ReduceArg(ArrayView<float> values, ArrayView<int> indices, ref float value, ref int index, bool max)
    {
        int t = Group.IdxX;
        values[t] = value;
        indices[t] = index;
        Group.Barrier();
        for (int s = Group.DimX >> 1; s > 0; s >>= 1)
        {
            if (t < s && Beats(values[t + s], indices[t + s], values[t], indices[t], max))
            {
                values[t] = values[t + s];
                indices[t] = indices[t + s];
            }
            Group.Barrier();
        }
        value = values[0];
        index = indices[0];
        Group.Barrier();
    }

    /// <summary>Whether candidate (v, i) should replace the current best (bv, bi).</summary>
    public static bool Beats(float v, int i, float bv, int bi, bool max)
    {
        if (i < 0) return false;
        if (bi < 0) return true;
        bool vNaN = DeviceMath.IsNaN(v), bNaN = DeviceMath.IsNaN(bv);
        if (bNaN) return vNaN && i < bi;
        if (vNaN) return true;
        if (max ? v > bv : v < bv) return true;
        return v == bv && i < bi;
    }
}
