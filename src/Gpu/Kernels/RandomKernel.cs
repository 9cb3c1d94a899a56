using ILGPU;
using ILGPU.Algorithms;
using NetFromScratch.Tensors;

namespace NetFromScratch.Gpu.Kernels;

/// <summary>
/// Fills a contiguous block from the Philox4x32-10 stream: element <c>i</c> uses counter <c>counter + i</c>, exactly
/// as <see cref="Philox.Sample"/>. The integer rounds are the very same code (<see cref="Philox.Block(ulong, ulong)"/>
/// compiled for the device), so uniform and Bernoulli draws match the CPU bit for bit (up to the GPU compiler
/// fusing <c>a + (b - a) * u</c> into one FMA, at most one ulp); normal draws take log and cos in double
/// (<see cref="DoubleMath"/>) and rounded to float, so they match the CPU's MathF to an ulp or two.
/// </summary>
internal static class RandomKernel
{
    public static void Fill(int count, int offset, int distribution, ulong seed, ulong counter, float a, float b, ArrayView<float> y)
    {
        for (int i = GridStride.Start; i < count; i += GridStride.Step)
        {
            var (x0, x1, _, _) = Philox.Block(counter + (ulong)i, seed);
            float v;
            switch ((RandomDistribution)distribution)
            {
                case RandomDistribution.Uniform:
                    v = a + (b - a) * Philox.ToUnitFloat(x0);
                    break;
                case RandomDistribution.Bernoulli:
                    v = Philox.ToUnitFloat(x0) < a ? 1f : 0f;
                    break;
                default:
                    float u1 = ((x0 >> 8) + 1) * (1.0f / 16777216.0f);
                    float u2 = Philox.ToUnitFloat(x1);
                    float r = XMath.Sqrt(-2f * (float)DoubleMath.Log(u1));
                    v = a + b * r * (float)DoubleMath.Cos(2f * MathF.PI * u2);
                    break;
            }
            y[offset + i] = v;
        }
    }
}
