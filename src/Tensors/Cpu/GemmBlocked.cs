namespace NetFromScratch.Tensors.Cpu;

/// <summary>
/// The cache-blocked GEMM (Goto and van de Geijn; the loop nest of BLIS), arranged for few cores:
/// <code>
/// for jc in n step NC                       B block of NC columns
///   pack B[0..k, jc..] as KC-deep slices      all slices at once, threads share the panels
///   for each work item (ic block of MC rows x group of columns), claimed by whichever thread is free:
///     for pc in k step KC
///       pack A[ic.., pc..] (MC x KC)            lives in L2
///       for jr in columns step 16               one packed B micro-panel (KC x 16) stays in L1
///         for ir in MC step 6                     micro-kernel: 6 x 16 tile of C in registers
/// </code>
/// Packing all of B's depth up front leaves two synchronisation points per B block instead of two per KC slice,
/// and claiming work items from a shared counter keeps both threads busy when the operating system stalls one of
/// them. When C has few rows, items also split the columns, so every thread still gets work. The packed B block is
/// bounded (<see cref="MaxPackedB"/>, or cache-sized when C has few rows and each packed value serves few tiles);
/// a product deeper than the bound runs as consecutive depth chunks that accumulate into C.
/// </summary>
internal static unsafe class GemmBlocked
{
    private const int Mr = GemmMicroKernel.Rows;
    private const int Nr = GemmMicroKernel.Cols;

    /// <summary>Depth of a packed slice: a 16 x KC micro-panel of B (16 KiB) plus a 6 x KC one of A fit in L1.</summary>
    internal static int BlockK = 256;

    /// <summary>Rows of a packed A block (multiple of 6): MC x KC floats (192 KiB) sit comfortably in a 1 MiB L2.</summary>
    internal static int BlockM = 192;

    /// <summary>Upper bound on the columns of a packed B block (multiple of 16).</summary>
    internal static int BlockN = 4080;

    /// <summary>Upper bound on a packed B block (depth x NC floats): 16 MiB.</summary>
    internal static int MaxPackedB = 1 << 22;

    /// <summary>
    /// Upper bound on a packed B block when C has fewer than <see cref="FewRows"/> rows (1 MiB). Each packed value is
    /// then used by only a few tiles, so a block larger than the caches would be written to memory and read back
    /// for little work; a small block stays in cache between packing and use.
    /// </summary>
    internal static int FewRowsPackedB = 1 << 18;

    /// <summary>Rows of C below which B blocks are kept cache-sized (see <see cref="FewRowsPackedB"/>).</summary>
    internal static int FewRows = 128;

    /// <summary>
    /// Multiply-adds below which the product stays on the calling thread (about 80^3: two threads measured faster from
    /// about 96^3, even at 64^3).
    /// </summary>
    internal static long ParallelWork = 1L << 19;

    /// <summary>Work items per thread to aim for, so that a stalled thread costs at most a small share.</summary>
    private const int ItemsPerThread = 4;

    public static void Run(
        int m, int n, int k, float* a, nint ars, nint acs, float* b, nint brs, nint bcs, float* c, nint ldc,
        bool accumulate, int maxThreads)
    {
        // Each B block re-packs all of A, so a block is never narrower than 256 columns (A packing stays under 0.2% of the flops).
        int budget = m < FewRows ? FewRowsPackedB : MaxPackedB;
        int ncMax = Math.Max(256, Math.Min(BlockN, budget / k / Nr * Nr));
        int nBlocks = CeilDiv(n, ncMax);
        int nc = RoundUp(CeilDiv(n, nBlocks), Nr);

        // A very deep product runs as consecutive depth chunks, the later ones accumulating, so that the packed
        // B block (depth x nc) never exceeds MaxPackedB whatever k is.
        int depthChunks = CeilDiv(k, Math.Max(BlockK, MaxPackedB / nc));
        int depth = CeilDiv(k, depthChunks);

        long work = (long)m * n * k;
        int threads = work < ParallelWork ? 1 : Math.Max(1, Math.Min(maxThreads, (int)Math.Min(int.MaxValue, work / Math.Max(1, ParallelWork / 2))));

        var job = GemmJob.Rent();
        var bufferB = GemmPackBuffer.RentB(depth * nc);
        try
        {
            for (int k0 = 0; k0 < k; k0 += depth)
            {
                int kLen = Math.Min(depth, k - k0);
                // Even slices: k = 300 runs as 150 + 150 rather than 256 + 44, so no slice is mostly loop overhead.
                int kc = CeilDiv(kLen, CeilDiv(kLen, BlockK));
                job.Set(m, kLen, kc, a + k0 * acs, ars, acs, b + k0 * brs, brs, bcs, c, ldc, accumulate || k0 > 0, bufferB.Pointer, threads);
                for (int jc = 0; jc < n; jc += nc) job.Execute(jc, Math.Min(nc, n - jc));
            }
        }
        finally
        {
            GemmPackBuffer.ReturnB(bufferB);
            GemmJob.Return(job);
        }
    }

    private static int RoundUp(int x, int multiple) => (x + multiple - 1) / multiple * multiple;

    private static int CeilDiv(int x, int y) => (x + y - 1) / y;

    /// <summary>
    /// The state one multiply shares with the <see cref="ThreadTeam"/>, reused per calling thread so that a
    /// steady-state multiply allocates nothing.
    /// </summary>
    private sealed class GemmJob
    {
        [ThreadStatic] private static GemmJob? t_job;

        private readonly Action _packB;
        private readonly Action _compute;

        // The whole product.
        private int _m, _k, _kc, _threads;
        private float* _a, _b, _c, _packedB;
        private nint _ars, _acs, _brs, _bcs, _ldc;
        private bool _accumulate;

        // The current column block and how its work is cut into items.
        private int _jc, _nc, _panels, _kBlocks;
        private int _packGroups, _packItems;
        private int _mc, _rowPanels, _rowBlocks, _colGroups, _computeItems;
        private int _next;

        private GemmJob()
        {
            _packB = PackBWorker;
            _compute = ComputeWorker;
        }

        public static GemmJob Rent()
        {
            var job = t_job ?? new GemmJob();
            t_job = null;
            return job;
        }

        public static void Return(GemmJob job) => t_job = job;

        public void Set(int m, int k, int kc, float* a, nint ars, nint acs, float* b, nint brs, nint bcs, float* c, nint ldc,
            bool accumulate, float* packedB, int threads)
        {
            _m = m; _k = k; _kc = kc;
            _a = a; _ars = ars; _acs = acs;
            _b = b; _brs = brs; _bcs = bcs;
            _c = c; _ldc = ldc;
            _accumulate = accumulate;
            _packedB = packedB;
            _threads = threads;

            // Row blocks of near-equal height (in whole 6-row panels), as many as a multiple of the thread count:
            // with threads claiming items dynamically, equal items keep the threads finishing together. Splitting rows
            // costs nothing (B is shared), splitting columns re-packs A per group, so rows are cut first, down to
            // blocks of four panels, before items start to split columns (see Execute).
            _rowPanels = CeilDiv(m, Mr);
            int rowBlocks = CeilDiv(m, BlockM);
            if (threads > 1)
            {
                rowBlocks = Math.Max(rowBlocks, Math.Min(ItemsPerThread * threads, _rowPanels / 4));
                rowBlocks = Math.Min(RoundUp(rowBlocks, threads), _rowPanels);
            }
            _rowBlocks = rowBlocks;
            _mc = CeilDiv(_rowPanels, rowBlocks) * Mr;
            _kBlocks = CeilDiv(k, kc);
        }

        /// <summary>Packs B's columns jc..jc+nc over the whole depth, then computes that block of C.</summary>
        public void Execute(int jc, int nc)
        {
            _jc = jc; _nc = nc;
            _panels = CeilDiv(nc, Nr);
            int target = _threads == 1 ? 1 : ItemsPerThread * _threads;
            _packGroups = Math.Clamp(CeilDiv(target, _kBlocks), 1, _panels);
            _packItems = _kBlocks * _packGroups;
            _colGroups = Math.Clamp(CeilDiv(target, _rowBlocks), 1, _panels);
            _computeItems = _rowBlocks * _colGroups;

            _next = 0;
            ThreadTeam.Run(_threads, _packB);
            _next = 0;
            ThreadTeam.Run(_threads, _compute);
        }

        private int Claim(int count)
        {
            if (_threads <= 1)
            {
                int i = _next;
                _next = i + 1;
                return i < count ? i : -1;
            }
            int item = Interlocked.Increment(ref _next) - 1;
            return item < count ? item : -1;
        }

        private static (int Start, int End) Share(int count, int parts, int part) =>
            ((int)((long)count * part / parts), (int)((long)count * (part + 1) / parts));

        /// <summary>Packed B layout: slice pc (KC deep) is at pc * KC * panels * 16; panel j of it at j * kc * 16 within.</summary>
        private float* Slice(int pcIndex) => _packedB + (nint)pcIndex * _kc * _panels * Nr;

        private void PackBWorker()
        {
            for (int item; (item = Claim(_packItems)) >= 0;)
            {
                int pcIndex = item / _packGroups;
                var (p0, p1) = Share(_panels, _packGroups, item % _packGroups);
                int pc = pcIndex * _kc;
                int kc = Math.Min(_kc, _k - pc);
                GemmPacking.PackB(kc, _nc, _b + pc * _brs + _jc * _bcs, _brs, _bcs, Slice(pcIndex), p0, p1);
            }
        }

        private void ComputeWorker()
        {
            var bufferA = GemmPackBuffer.RentA(_mc * _kc + GemmPacking.PackSlack);
            try
            {
                for (int item; (item = Claim(_computeItems)) >= 0;)
                {
                    var (q0, q1) = Share(_rowPanels, _rowBlocks, item / _colGroups);
                    int ic = q0 * Mr;
                    int mc = Math.Min(_m, q1 * Mr) - ic;
                    var (g0, g1) = Share(_panels, _colGroups, item % _colGroups);
                    int j0 = g0 * Nr, j1 = Math.Min(_nc, g1 * Nr);
                    for (int pcIndex = 0; pcIndex < _kBlocks; pcIndex++)
                    {
                        int pc = pcIndex * _kc;
                        int kc = Math.Min(_kc, _k - pc);
                        GemmPacking.PackA(mc, kc, _a + ic * _ars + pc * _acs, _ars, _acs, bufferA.Pointer);
                        MacroKernel(mc, kc, bufferA.Pointer, Slice(pcIndex), ic, j0, j1, overwrite: pc == 0 && !_accumulate);
                    }
                }
            }
            finally
            {
                GemmPackBuffer.ReturnA(bufferA);
            }
        }

        /// <summary>All tiles of one packed A block against columns j0..j1 of one packed B slice.</summary>
        private void MacroKernel(int mc, int kc, float* packedA, float* packedB, int ic, int j0, int j1, bool overwrite)
        {
            nint ldc = _ldc;
            for (int jr = j0; jr < j1; jr += Nr)
            {
                int nr = Math.Min(Nr, _nc - jr);
                float* panelB = packedB + (nint)(jr / Nr) * kc * Nr;
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
