using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NetFromScratch.Cli.Bench;

/// <summary>
/// The machine's measured single-precision FMA peak: every thread runs a loop of 256-bit fused multiply-adds on
/// twelve independent register accumulators (enough chains to cover the FMA latency on both pipes), with no memory
/// traffic. This is the ceiling a GEMM micro-kernel built from the same instructions can approach.
/// </summary>
public static class FmaPeak
{
    private const int Accumulators = 12;
    private const int FlopsPerIteration = Accumulators * 8 * 2;

    /// <summary>
    /// GFLOP/s of <paramref name="threads"/> threads running the loop at once, best of <paramref name="repetitions"/>
    /// runs of about <paramref name="seconds"/> each. Zero when the CPU lacks AVX2/FMA.
    /// </summary>
    public static double Measure(int threads, int repetitions, double seconds)
    {
        if (!Fma.IsSupported) return 0;
        Loop(1000);
        long iterations = Calibrate(seconds);
        double best = 0;
        for (int r = 0; r < repetitions; r++)
        {
            double s = RunOnThreads(threads, iterations);
            best = Math.Max(best, threads * (double)iterations * FlopsPerIteration / s / 1e9);
        }
        return best;
    }

    /// <summary>Iterations one thread runs in roughly <paramref name="seconds"/>.</summary>
    private static long Calibrate(double seconds)
    {
        long iterations = 1 << 20;
        while (true)
        {
            var sw = Stopwatch.StartNew();
            Loop(iterations);
            double s = sw.Elapsed.TotalSeconds;
            if (s > 0.05) return Math.Max(1, (long)(iterations * seconds / s));
            iterations *= 4;
        }
    }

    /// <summary>Wall-clock seconds for all threads to finish; each is a dedicated thread so all truly run at once.</summary>
    private static double RunOnThreads(int threads, long iterations)
    {
        using var start = new ManualResetEventSlim(false);
        var workers = new Thread[threads];
        int ready = 0;
        for (int t = 0; t < threads; t++)
        {
            workers[t] = new Thread(() =>
            {
                Interlocked.Increment(ref ready);
                start.Wait();
                Loop(iterations);
            }) { IsBackground = true };
            workers[t].Start();
        }
        while (Volatile.Read(ref ready) < threads) Thread.Yield();
        var sw = Stopwatch.StartNew();
        start.Set();
        foreach (var w in workers) w.Join();
        return sw.Elapsed.TotalSeconds;
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Loop(long iterations)
    {
        var m = Vector256.Create(0.9999999f);
        var add = Vector256.Create(1e-7f);
        Vector256<float> a0 = Vector256.Create(0f), a1 = Vector256.Create(1f), a2 = Vector256.Create(2f), a3 = Vector256.Create(3f);
        Vector256<float> a4 = Vector256.Create(4f), a5 = Vector256.Create(5f), a6 = Vector256.Create(6f), a7 = Vector256.Create(7f);
        Vector256<float> a8 = Vector256.Create(8f), a9 = Vector256.Create(9f), a10 = Vector256.Create(10f), a11 = Vector256.Create(11f);
        for (long i = 0; i < iterations; i++)
        {
            a0 = Fma.MultiplyAdd(a0, m, add); a1 = Fma.MultiplyAdd(a1, m, add);
            a2 = Fma.MultiplyAdd(a2, m, add); a3 = Fma.MultiplyAdd(a3, m, add);
            a4 = Fma.MultiplyAdd(a4, m, add); a5 = Fma.MultiplyAdd(a5, m, add);
            a6 = Fma.MultiplyAdd(a6, m, add); a7 = Fma.MultiplyAdd(a7, m, add);
            a8 = Fma.MultiplyAdd(a8, m, add); a9 = Fma.MultiplyAdd(a9, m, add);
            a10 = Fma.MultiplyAdd(a10, m, add); a11 = Fma.MultiplyAdd(a11, m, add);
        }
        var sum = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11));
        return Vector256.Sum(sum);
    }
}
