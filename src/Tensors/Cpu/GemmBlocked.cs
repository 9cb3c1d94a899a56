namespace NetFromScratch.Tensors.Cpu;

/// <summary>
/// The cache-blocked GEMM (Goto and van de Geijn; the BLIS loop nest). Five loops around the micro-kernel:
/// <code>
/// for jc in n step NC                 B block of NC columns
///   for pc in k step KC               pack B[pc.., jc..] (KC x NC) once, shared by all threads; lives in L3
///     for ic in m step MC             (rows split among threads) pack A[ic.., pc..] (MC x KC); lives in L2
///       for jr in NC step 16            one packed B micro-panel (KC x 16) stays in L1
///         for ir in MC step 6             micro-kernel: 6 x 16 tile of C in registers
/// </code>
/// Threads share each B block; each packs its own A blocks. When C has too few rows to keep every thread busy,
/// threads split the columns of the B block instead.
/// </summary>
internal static unsafe class GemmBlocked
{
    private const int Mr = GemmMicroKernel.Rows;
    private const int Nr = GemmMicroKernel.Cols;

    /// <summary>Depth of a packed block: a 16 x KC micro-panel of B (16 KiB) plus a 6 x KC one of A fit in L1.</summary>
    internal static int BlockK = 256;

    /// <summary>Rows of a packed A block (multiple of 6): MC x KC floats (144 KiB) sit comfortably in a 1 MiB L2.</summary>
    internal static int BlockM = 144;

    /// <summary>Columns of a packed B block (multiple of 16): KC x NC floats (4 MiB) share the L3.</summary>
    internal static int BlockN = 4080;

    /// <summary>Multiply-adds below which the product stays on the calling thread.</summary>
    internal static long ParallelWork = 1L << 21;

    public static void Run(
        int m, int n, int k, float* a, nint ars, nint acs, float* b, nint brs, nint bcs, float* c, nint ldc,
        bool accumulate, int maxThreads)
    {
        // Even blocks: k = 300 runs as 150 + 150 rather than 256 + 44, so no block is mostly loop overhead.
        int kBlocks = (k + BlockK - 1) / BlockK;
        int kc = (k + kBlocks - 1) / kBlocks;
        int nBlocks = (n + BlockN - 1) / BlockN;
        int nc = RoundUp((n + nBlocks - 1) / nBlocks, Nr);

        long work = (long)m * n * k;
        int threads = work < ParallelWork ? 1 : Math.Max(1, Math.Min(maxThreads, (int)Math.Min(int.MaxValue, work / (ParallelWork / 2))));

        var job = GemmJob.Rent();
        var bufferB = GemmPackBuffer.RentB(kc * nc);
        try
        {
            job.Set(m, k, a, ars, acs, b, brs, bcs, c, ldc, bufferB.Pointer, threads);
            for (int jc = 0; jc < n; jc += nc)
            {
                int ncCur = Math.Min(nc, n - jc);
                for (int pc = 0; pc < k; pc += kc)
                {
                    int kcCur = Math.Min(kc, k - pc);
                    job.SetBlock(jc, ncCur, pc, kcCur, overwrite: pc == 0 && !accumulate);
                    job.Execute();
                }
            }
        }
        finally
        {
            GemmPackBuffer.ReturnB(bufferB);
            GemmJob.Return(job);
        }
    }

    private static int RoundUp(int x, int multiple) => (x + multiple - 1) / multiple * multiple;

    /// <summary>
    /// The state one multiply shares with its worker threads, reused per calling thread so that a steady-state
    /// multiply allocates only what <see cref="Parallel.For(int, int, ParallelOptions, Action{int})"/> itself does.
    /// </summary>
    private sealed class GemmJob
    {
        [ThreadStatic] private static GemmJob? t_job;

        private readonly Action<int> _packB;
        private readonly Action<int> _compute;
        private readonly ParallelOptions _options = new();

        private int _m, _threads;
        private float* _a, _b, _c, _packedB;
        private nint _ars, _acs, _brs, _bcs, _ldc;
        private int _jc, _nc, _pc, _kc;
        private bool _overwrite;

        private GemmJob()
        {
            _packB = PackBPart;
            _compute = ComputePart;
        }

        public static GemmJob Rent()
        {
            var job = t_job ?? new GemmJob();
            t_job = null;
            return job;
        }

        public static void Return(GemmJob job) => t_job = job;

        public void Set(int m, int k, float* a, nint ars, nint acs, float* b, nint brs, nint bcs, float* c, nint ldc, float* packedB, int threads)
        {
            _m = m;
            _a = a; _ars = ars; _acs = acs;
            _b = b; _brs = brs; _bcs = bcs;
            _c = c; _ldc = ldc;
            _packedB = packedB;
            _threads = threads;
            _options.MaxDegreeOfParallelism = threads;
        }

        public void SetBlock(int jc, int nc, int pc, int kc, bool overwrite)
        {
            _jc = jc; _nc = nc; _pc = pc; _kc = kc; _overwrite = overwrite;
        }

        public void Execute()
        {
            if (_threads <= 1)
            {
                PackBPart(0);
                ComputePart(0);
                return;
            }
            Parallel.For(0, _threads, _options, _packB);
            Parallel.For(0, _threads, _options, _compute);
        }

        private static (int Start, int End) Share(int count, int parts, int part) =>
            ((int)((long)count * part / parts), (int)((long)count * (part + 1) / parts));

        private void PackBPart(int t)
        {
            int panels = (_nc + Nr - 1) / Nr;
            var (p0, p1) = Share(panels, _threads, t);
            GemmPacking.PackB(_kc, _nc, _b + _pc * _brs + _jc * _bcs, _brs, _bcs, _packedB, p0, p1);
        }

        private void ComputePart(int t)
        {
            int rowPanels = (_m + Mr - 1) / Mr;
            int colPanels = (_nc + Nr - 1) / Nr;
            int r0, r1, j0, j1;
            if (rowPanels >= 4 * _threads || rowPanels >= colPanels)
            {
                var (s, e) = Share(rowPanels, _threads, t);
                r0 = s * Mr; r1 = Math.Min(_m, e * Mr);
                j0 = 0; j1 = _nc;
            }
            else
            {
                var (s, e) = Share(colPanels, _threads, t);
                r0 = 0; r1 = _m;
                j0 = s * Nr; j1 = Math.Min(_nc, e * Nr);
            }
            if (r0 >= r1 || j0 >= j1) return;

            int rows = r1 - r0;
            int mBlocks = (rows + BlockM - 1) / BlockM;
            int mc = RoundUp((rows + mBlocks - 1) / mBlocks, Mr);
            var bufferA = GemmPackBuffer.RentA(mc * _kc);
            try
            {
                float* packedA = bufferA.Pointer;
                for (int ic = r0; ic < r1; ic += mc)
                {
                    int mcCur = Math.Min(mc, r1 - ic);
                    GemmPacking.PackA(mcCur, _kc, _a + ic * _ars + _pc * _acs, _ars, _acs, packedA);
                    MacroKernel(mcCur, packedA, ic, j0, j1);
                }
            }
            finally
            {
                GemmPackBuffer.ReturnA(bufferA);
            }
        }

        /// <summary>All tiles of one packed A block against columns j0..j1 of the packed B block.</summary>
        private void MacroKernel(int mc, float* packedA, int ic, int j0, int j1)
        {
            int kc = _kc;
            nint ldc = _ldc;
            bool overwrite = _overwrite;
            for (int jr = j0; jr < j1; jr += Nr)
            {
                int nr = Math.Min(Nr, _nc - jr);
                float* panelB = _packedB + (nint)(jr / Nr) * kc * Nr;
                float* cColumn = _c + _jc + jr;
                for (int ir = 0; ir < mc; ir += Mr)
                {
                    int mr = Math.Min(Mr, mc - ir);
                    float* panelA = packedA + (nint)(ir / Mr) * kc * Mr;
                    float* tile = cColumn + (ic + ir) * ldc;
                    if (mr == Mr && nr == Nr) GemmMicroKernel.Tile(kc, panelA, panelB, tile, ldc, overwrite);
                    else GemmMicroKernel.EdgeTile(kc, panelA, panelB, tile, ldc, mr, nr, overwrite);
                }
            }
        }
    }
}
