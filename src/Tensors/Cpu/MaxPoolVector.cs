using System.Buffers;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NetFromScratch.Tensors.Cpu;

/// <summary>
/// Max pooling eight outputs at a time with AVX2 gathers, for any window (kernel, stride, padding, dilation, ceil mode).
/// The scalar loop spends most of its time on mispredicted branches (which tap wins is data), so this path compares and
/// blends instead. Planes are taken in chunks of <c>K</c> whose outputs, flattened, share one table per tap: the input
/// offset of that tap for each output, relative to the chunk, or -1 where the tap falls in the padding. Short planes
/// (a 6x6 CIFAR output) then still fill whole vectors.
/// </summary>
/// <remarks>
/// Lanes follow the scalar rule tap by tap in window order: the first tap inside the input starts the window, and a
/// later tap wins when it is larger or NaN. Values and indices are therefore exactly those of the scalar loop.
/// </remarks>
internal static class MaxPoolVector
{
    /// <summary>Outputs per chunk to aim for: enough to fill vectors, few enough that the tables stay in L1/L2.</summary>
    private const int ChunkOutputs = 512;

    /// <summary>Whether this machine can run the path.</summary>
    public static bool IsSupported => Avx2.IsSupported;

    /// <summary>
    /// Shape: x <c>[planes, H, W]</c> from <paramref name="xOffset"/>, y and indices <c>[planes, OH, OW]</c> from their offsets;
    /// <paramref name="rows"/> and <paramref name="cols"/> are the clipped window starts of <see cref="PoolWindow.Starts"/>.
    /// </summary>
    public static unsafe void Forward(float[] x, int xOffset, float[] y, int yOffset, float[] indices, int indexOffset,
        int planes, int h, int w, int oh, int ow, Pool2dParams p, (int Start, int End)[] rows, (int Start, int End)[] cols)
    {
        int planeIn = h * w, planeOut = oh * ow, taps = p.KernelH * p.KernelW;
        int perChunk = Math.Clamp(ChunkOutputs / Math.Max(1, planeOut), 1, planes);
        // A chunk addresses its input with int offsets; a plane that large has no room for several anyway.
        if ((long)perChunk * planeIn > int.MaxValue) perChunk = 1;
        int q = perChunk * planeOut;
        int[] table = ArrayPool<int>.Shared.Rent(taps * q);
        int[] planeStart = ArrayPool<int>.Shared.Rent(q);
        try
        {
            BuildTables(table, planeStart, perChunk, h, w, oh, ow, p, rows, cols);
            int chunks = (planes + perChunk - 1) / perChunk;
            CpuParallel.For(chunks, (long)q * taps, (c0, c1) =>
            {
                for (int c = c0; c < c1; c++)
                {
                    int first = c * perChunk, count = Math.Min(perChunk, planes - first) * planeOut;
                    int xAt = xOffset + first * planeIn, outAt = first * planeOut;
                    if (xAt + count / planeOut * planeIn > x.Length || yOffset + outAt + count > y.Length
                        || indexOffset + outAt + count > indices.Length)
                        throw new IndexOutOfRangeException("MaxPool2d: a chunk of planes runs past its buffer.");
                    Chunk(x, xAt, y, yOffset + outAt, indices, indexOffset + outAt, count, q, taps, table, planeStart);
                }
            });
        }
        finally
        {
            ArrayPool<int>.Shared.Return(table);
            ArrayPool<int>.Shared.Return(planeStart);
        }
    }

    /// <summary>
    /// For each tap t and flat output i of a chunk: <c>table[t*q + i]</c>, the chunk-relative input offset or -1;
    /// <c>planeStart[i]</c>, the chunk-relative offset of the output's plane (subtracted to get in-plane indices).
    /// </summary>
    private static void BuildTables(int[] table, int[] planeStart, int perChunk, int h, int w, int oh, int ow, Pool2dParams p,
        (int Start, int End)[] rows, (int Start, int End)[] cols)
    {
        int planeOut = oh * ow, q = perChunk * planeOut;
        for (int plane = 0; plane < perChunk; plane++)
        {
            int origin = plane * h * w;
            for (int r = 0; r < oh; r++)
                for (int c = 0; c < ow; c++)
                {
                    int i = plane * planeOut + r * ow + c;
                    planeStart[i] = origin;
                    // Tap (a, b) of the window sits at the unclipped start plus (a*dh, b*dw); PoolWindow clipped the start
                    // forward to the first tap inside, so step back to the unclipped one to number the taps.
                    int top = r * p.StrideH - p.PadH, left = c * p.StrideW - p.PadW;
                    for (int a = 0; a < p.KernelH; a++)
                    {
                        int ih = top + a * p.DilationH;
                        bool rowInside = ih >= rows[r].Start && ih < rows[r].End;
                        for (int b = 0; b < p.KernelW; b++)
                        {
                            int iw = left + b * p.DilationW;
                            bool inside = rowInside && iw >= cols[c].Start && iw < cols[c].End;
                            table[(a * p.KernelW + b) * q + i] = inside ? origin + ih * w + iw : -1;
                        }
                    }
                }
        }
    }

    /// <summary>Pools <paramref name="count"/> flat outputs of one chunk (its tables have rows of length <paramref name="q"/>).</summary>
    private static unsafe void Chunk(float[] x, int xAt, float[] y, int yAt, float[] indices, int indexAt, int count, int q,
        int taps, int[] table, int[] planeStart)
    {
        fixed (float* xp = x, yp = y, ip = indices)
        fixed (int* tp = table, sp = planeStart)
        {
            float* input = xp + xAt;
            var minusInf = Vector256.Create(float.NegativeInfinity);
            var none = Vector256.Create(-1);
            int i = 0;
            for (; i + 8 <= count; i += 8)
            {
                var best = minusInf;
                var at = none;
                for (int t = 0; t < taps; t++)
                {
                    var offset = Avx.LoadVector256(tp + t * q + i);
                    var inside = Avx2.CompareGreaterThan(offset, none);
                    var v = Avx2.GatherMaskVector256(minusInf, input, offset, inside.AsSingle(), 4);
                    // The first tap inside starts the window; later ones win when larger or NaN.
                    var wins = inside & (Avx2.CompareEqual(at, none)
                        | Avx.Compare(v, best, FloatComparisonMode.OrderedGreaterThanNonSignaling).AsInt32()
                        | Avx.Compare(v, v, FloatComparisonMode.UnorderedNonSignaling).AsInt32());
                    best = Avx.BlendVariable(best, v, wins.AsSingle());
                    at = Avx.BlendVariable(at.AsSingle(), offset.AsSingle(), wins.AsSingle()).AsInt32();
                }
                // In-plane positions; a window with no tap inside keeps -1, as in the scalar loop.
                var inPlane = Avx2.BlendVariable(Avx2.Subtract(at, Avx.LoadVector256(sp + i)).AsByte(), none.AsByte(), Avx2.CompareEqual(at, none).AsByte()).AsInt32();
                Avx.Store(yp + yAt + i, best);
                Avx.Store(ip + indexAt + i, Avx.ConvertToVector256Single(inPlane));
            }
            for (; i < count; i++)
            {
                float best = float.NegativeInfinity;
                int at = -1;
                for (int t = 0; t < taps; t++)
                {
                    int offset = tp[t * q + i];
                    if (offset < 0) continue;
                    float v = input[offset];
                    if (at < 0 || v > best || float.IsNaN(v))
                    {
                        best = v;
                        at = offset;
                    }
                }
                yp[yAt + i] = best;
                ip[indexAt + i] = at < 0 ? -1 : at - sp[i];
            }
        }
    }
}
