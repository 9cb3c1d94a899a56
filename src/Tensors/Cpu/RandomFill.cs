using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NetFromScratch.Tensors.Cpu;

/// <summary>
/// Fills a contiguous tensor from the Philox stream; element i is exactly <c>Philox.Sample(distribution, seed,
/// counter + i, a, b)</c>, whatever the thread count. With AVX2 eight blocks run side by side, one per lane (the
/// 32x32-bit products come from <c>vpmuludq</c> on even and odd lanes), sixteen with AVX-512; uniform and Bernoulli
/// samples are formed in the same lanes with the same float operations as <see cref="Philox.FromWords"/>, normal
/// samples by that scalar function on the lane words.
/// </summary>
internal static class RandomFill
{
    private const int Block = 1024;

    public static void Fill(Tensor output, RandomDistribution distribution, ulong seed, ulong counter, float a, float b)
    {
        float[] y = StridedView.DataOf(output);
        int off = output.Offset, n = output.Numel;
        int blocks = (n + Block - 1) / Block;
        int cost = distribution == RandomDistribution.Normal ? 16 : 4;
        CpuParallel.For(blocks, (long)Block * cost, (b0, b1) =>
        {
            int start = b0 * Block, end = (int)Math.Min((long)b1 * Block, n);
            FillRange(y.AsSpan(off + start, end - start), distribution, seed, counter + (ulong)start, a, b);
        });
    }

    private static void FillRange(Span<float> y, RandomDistribution distribution, ulong seed, ulong counter, float a, float b)
    {
        int n = y.Length, i = 0;
        if (Avx512F.IsSupported && distribution != RandomDistribution.Normal)
        {
            var va = Vector512.Create(a);
            var range = Vector512.Create(b - a);
            for (; i <= n - 16; i += 16)
            {
                var x0 = Blocks16(counter + (ulong)i, seed);
                var u = Vector512.ConvertToSingle((x0 >> 8).AsInt32()) * Vector512.Create(1.0f / 16777216.0f);
                var sample = distribution == RandomDistribution.Uniform ? va + range * u : Vector512.LessThan(u, va) & Vector512<float>.One;
                sample.CopyTo(y[i..]);
            }
        }
        if (Avx2.IsSupported)
        {
            Span<uint> w0 = stackalloc uint[8], w1 = stackalloc uint[8];
            var va = Vector256.Create(a);
            var range = Vector256.Create(b - a);
            for (; i <= n - 8; i += 8)
            {
                var (x0, x1) = Blocks(counter + (ulong)i, seed);
                switch (distribution)
                {
                    case RandomDistribution.Uniform:
                        (va + range * UnitFloat(x0)).CopyTo(y[i..]);
                        break;
                    case RandomDistribution.Bernoulli:
                        (Vector256.LessThan(UnitFloat(x0), va) & Vector256<float>.One).CopyTo(y[i..]);
                        break;
                    default:
                        x0.CopyTo(w0);
                        x1.CopyTo(w1);
                        for (int j = 0; j < 8; j++) y[i + j] = Philox.FromWords(distribution, w0[j], w1[j], a, b);
                        break;
                }
            }
        }
        for (; i < n; i++) y[i] = Philox.Sample(distribution, seed, counter + (ulong)i, a, b);
    }

    // The top 24 bits as a float in [0, 1): exact, as Philox.ToUnitFloat.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> UnitFloat(Vector256<uint> bits) =>
        Vector256.ConvertToSingle((bits >> 8).AsInt32()) * Vector256.Create(1.0f / 16777216.0f);

    // The first two words of the Philox4x32-10 blocks for counters counter .. counter + 7 (each a 64-bit counter in
    // words 0 and 1, words 2 and 3 zero), keyed by the seed.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<uint>, Vector256<uint>) Blocks(ulong counter, ulong seed)
    {
        var low = Vector256.Create((uint)counter);
        var c0 = low + Vector256.Create(0u, 1, 2, 3, 4, 5, 6, 7);
        // A lane whose low word wrapped carries into the high word (the all-ones mask is -1).
        var c1 = Vector256.Create((uint)(counter >> 32)) - Vector256.LessThan(c0, low);
        var c2 = Vector256<uint>.Zero;
        var c3 = Vector256<uint>.Zero;
        uint k0 = (uint)seed, k1 = (uint)(seed >> 32);
        for (int round = 0; round < 10; round++)
        {
            var (hi0, lo0) = MultiplyWide(c0, 0xD2511F53);
            var (hi1, lo1) = MultiplyWide(c2, 0xCD9E8D57);
            c0 = hi1 ^ c1 ^ Vector256.Create(k0);
            c1 = lo1;
            c2 = hi0 ^ c3 ^ Vector256.Create(k1);
            c3 = lo0;
            k0 += 0x9E3779B9;
            k1 += 0xBB67AE85;
        }
        return (c0, c1);
    }

    // The first word of the blocks for counters counter .. counter + 15, as Blocks computes them on eight lanes.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> Blocks16(ulong counter, ulong seed)
    {
        var low = Vector512.Create((uint)counter);
        var c0 = low + Vector512.Create(0u, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        var c1 = Vector512.Create((uint)(counter >> 32)) - Vector512.LessThan(c0, low);
        var c2 = Vector512<uint>.Zero;
        var c3 = Vector512<uint>.Zero;
        uint k0 = (uint)seed, k1 = (uint)(seed >> 32);
        for (int round = 0; round < 10; round++)
        {
            var (hi0, lo0) = MultiplyWide(c0, 0xD2511F53);
            var (hi1, lo1) = MultiplyWide(c2, 0xCD9E8D57);
            c0 = hi1 ^ c1 ^ Vector512.Create(k0);
            c1 = lo1;
            c2 = hi0 ^ c3 ^ Vector512.Create(k1);
            c3 = lo0;
            k0 += 0x9E3779B9;
            k1 += 0xBB67AE85;
        }
        return c0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<uint> Hi, Vector512<uint> Lo) MultiplyWide(Vector512<uint> x, uint m)
    {
        var vm = Vector512.Create(m);
        var even = Avx512F.Multiply(x, vm);
        var odd = Avx512F.Multiply((x.AsUInt64() >> 32).AsUInt32(), vm);
        var highHalf = Vector512.Create(0xFFFFFFFF00000000UL);
        var hi = (even >> 32) | (odd & highHalf);
        var lo = Vector512.AndNot(even, highHalf) | (odd << 32);
        return (hi.AsUInt32(), lo.AsUInt32());
    }

    // High and low 32 bits of each lane times m.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<uint> Hi, Vector256<uint> Lo) MultiplyWide(Vector256<uint> x, uint m)
    {
        var vm = Vector256.Create(m);
        var even = Avx2.Multiply(x, vm);
        var odd = Avx2.Multiply((x.AsUInt64() >> 32).AsUInt32(), vm);
        var highHalf = Vector256.Create(0xFFFFFFFF00000000UL);
        var hi = (even >> 32) | (odd & highHalf);
        var lo = Vector256.AndNot(even, highHalf) | (odd << 32);
        return (hi.AsUInt32(), lo.AsUInt32());
    }
}
