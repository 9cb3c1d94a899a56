using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace NetFromScratch.Tensors.Cpu;

/// <summary>
/// Dedicated helper threads for every parallel CPU kernel (GEMM and <see cref="CpuParallel.For"/>). A body passed to
/// <see cref="Run"/> must claim its work items from a shared counter until none are left, so that it is correct on
/// any number of threads, including only the caller's. That makes the team simple: the caller starts working at once,
/// helpers join when they wake, and a caller that finds the team busy (a nested call from inside a body, or another
/// thread's kernel) just runs the body alone.
/// <para>
/// Compared with <see cref="Parallel.For(int, int, Action{int})"/> this allocates nothing per call, and a helper that
/// has just finished spins briefly before sleeping, so back-to-back kernels do not pay a thread wake-up each. One team
/// for all kernels also keeps the thread count at the core count: a GEMM helper spinning while thread-pool workers
/// run an elementwise loop would take a core from them.
/// </para>
/// </summary>
internal static class ThreadTeam
{
    // 1 while a caller owns the team. Not a Monitor: a Monitor is re-entrant, and a body that calls Run again on the
    // caller's thread must run alone, not hand the team a second body while helpers still run the first.
    private static int _busy;
    private static Helper[] _helpers = [];
    private static Action? _body;
    private static int _inside;
    private static ExceptionDispatchInfo? _failure;

    /// <summary>
    /// Runs <paramref name="body"/> on the calling thread and on up to <paramref name="threads"/> - 1 helpers at once,
    /// returning when every call has returned. Rethrows the first exception a helper raised.
    /// </summary>
    public static void Run(int threads, Action body)
    {
        if (threads <= 1 || Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            body();
            return;
        }
        try
        {
            var helpers = EnsureHelpers(threads - 1);
            _failure = null;
            Volatile.Write(ref _body, body);
            for (int i = 0; i < threads - 1; i++) helpers[i].Wake();
            try
            {
                body();
            }
            finally
            {
                // A helper that has not yet looked at _body now finds null and goes back to sleep; one that already
                // entered is counted in _inside (incremented before it reads _body), so waiting for zero is enough.
                Volatile.Write(ref _body, null);
                Interlocked.MemoryBarrier();
                var spin = new SpinWait();
                while (Volatile.Read(ref _inside) != 0) spin.SpinOnce(sleep1Threshold: -1);
            }
            _failure?.Throw();
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    private static Helper[] EnsureHelpers(int count)
    {
        if (_helpers.Length >= count) return _helpers;
        var grown = new Helper[count];
        Array.Copy(_helpers, grown, _helpers.Length);
        for (int i = _helpers.Length; i < count; i++) grown[i] = new Helper(i + 1);
        _helpers = grown;
        return grown;
    }

    /// <summary>How long an idle helper spins (about 100 microseconds) before it sleeps.</summary>
    private static readonly long SpinTicks = Stopwatch.Frequency / 10_000;

    private sealed class Helper
    {
        private readonly SemaphoreSlim _wake = new(0);
        private int _signaled;

        public Helper(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"nfs-worker-{index}" };
            thread.Start();
        }

        /// <summary>Wakes the helper unless a wake-up is already pending.</summary>
        public void Wake()
        {
            if (Interlocked.Exchange(ref _signaled, 1) == 0) _wake.Release();
        }

        private void Loop()
        {
            while (true)
            {
                // Kernels come in bursts (a multiply is two team runs, and ops follow one another), so watch for the
                // next wake-up for a short while before paying for a sleep and a kernel wake-up.
                long until = Stopwatch.GetTimestamp() + SpinTicks;
                while (Volatile.Read(ref _signaled) == 0 && Stopwatch.GetTimestamp() < until) Thread.SpinWait(50);
                _wake.Wait();
                Volatile.Write(ref _signaled, 0);
                Interlocked.Increment(ref _inside);
                try
                {
                    Volatile.Read(ref _body)?.Invoke();
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(e), null);
                }
                finally
                {
                    Interlocked.Decrement(ref _inside);
                }
            }
        }
    }
}
