namespace NetFromScratch.Tensors;

/// <summary>
/// The primitive kernels of one device. Everything above the tensor layer reaches the hardware only
/// through this interface, so a second backend (the GPU) is a second implementation, not a rewrite.
/// </summary>
/// <remarks>
/// Contract for every kernel:
/// <list type="bullet">
/// <item>All tensors belong to this backend's device; the <see cref="Tensor"/> front end has already checked
/// shapes, axes and devices, so kernels only assert what they cannot trust.</item>
/// <item>Inputs may be any strided view (stride 0 for broadcast dimensions) unless a method says "contiguous".</item>
/// <item>Outputs are contiguous and freshly allocated, except where a method says it accumulates or
/// accepts a strided output (in-place updates of <see cref="Unary"/>, <see cref="Binary"/>, <see cref="Copy"/>,
/// <see cref="Fill"/>). An output may alias an input only if both are the very same view.</item>
/// <item>Kernels may run asynchronously; <see cref="Download"/> and <see cref="Synchronize"/> wait for queued work.</item>
/// </list>
/// </remarks>
public interface IBackend
{
    /// <summary>The device these kernels run on.</summary>
    Device Device { get; }

    /// <summary>Allocates <paramref name="length"/> elements, zero-filled when <paramref name="zero"/> is true.</summary>
    TensorStorage Allocate(int length, bool zero = true);

    /// <summary>Copies host data into new device storage.</summary>
    TensorStorage Upload(ReadOnlySpan<float> data);

    /// <summary>Copies the elements of <paramref name="source"/> (any strides) to the host in row-major order.</summary>
    void Download(Tensor source, Span<float> destination);

    /// <summary>Copies elementwise between two views of the same shape; the destination may be strided.</summary>
    void Copy(Tensor source, Tensor destination);

    /// <summary>Sets every element of <paramref name="destination"/> (may be strided) to <paramref name="value"/>.</summary>
    void Fill(Tensor destination, float value);

    /// <summary><c>y = op(x; a, b)</c> elementwise; <paramref name="y"/> has the shape of <paramref name="x"/> and may be strided.</summary>
    void Unary(UnaryOp op, Tensor x, Tensor y, float a = 0f, float b = 0f);

    /// <summary><c>y = op(a, b)</c> elementwise; <paramref name="a"/> and <paramref name="b"/> are already expanded to <paramref name="y"/>'s shape.</summary>
    void Binary(BinaryOp op, Tensor a, Tensor b, Tensor y);

    /// <summary><c>y = condition != 0 ? a : b</c>; all three inputs are already expanded to <paramref name="y"/>'s shape.</summary>
    void Where(Tensor condition, Tensor a, Tensor b, Tensor y);

    /// <summary>
    /// Reduces <paramref name="x"/> over <paramref name="axes"/> (sorted, distinct). Shape: <paramref name="y"/> is
    /// <paramref name="x"/>'s shape with each reduced axis set to 1. <paramref name="correction"/> applies to <see cref="ReduceOp.Variance"/> only.
    /// </summary>
    void Reduce(ReduceOp op, Tensor x, ReadOnlySpan<int> axes, Tensor y, float correction = 0f);

    /// <summary>
    /// Max (or min) along one axis with its position. Shape: <paramref name="values"/> and <paramref name="indices"/>
    /// are <paramref name="x"/>'s shape with <paramref name="axis"/> set to 1; indices are stored as floats. Ties pick the first.
    /// </summary>
    void ArgReduce(bool max, Tensor x, int axis, Tensor values, Tensor indices);

    /// <summary>Softmax (or log-softmax) along <paramref name="axis"/>, with the maximum subtracted first. Shape: y = x.</summary>
    void Softmax(Tensor x, int axis, Tensor y, bool log);

    /// <summary>
    /// Batched matrix product <c>c = a @ b</c> (<c>c += a @ b</c> when <paramref name="accumulate"/>).
    /// Shape: a <c>[B..., M, K]</c>, b <c>[B..., K, N]</c>, c <c>[B..., M, N]</c> contiguous; the batch dimensions of a and b
    /// are already expanded to c's (stride 0 where broadcast). A transposed operand arrives as a view whose last two
    /// strides are swapped; the kernel reads it in place.
    /// </summary>
    void MatMul(Tensor a, Tensor b, Tensor c, bool accumulate = false);

    /// <summary>
    /// Unfolds convolution patches. Shape: x <c>[N, C, H, W]</c> contiguous, columns <c>[N, C*kh*kw, OH*OW]</c>.
    /// </summary>
    void Im2Col(Tensor x, int kernelH, int kernelW, Conv2dParams p, Tensor columns);

    /// <summary>
    /// The adjoint of <see cref="Im2Col"/>: adds each column entry back to the input pixel it came from.
    /// Shape: columns <c>[N, C*kh*kw, OH*OW]</c> contiguous, x <c>[N, C, H, W]</c> (overwritten).
    /// </summary>
    void Col2Im(Tensor columns, int kernelH, int kernelW, Conv2dParams p, Tensor x);

    /// <summary>
    /// 2-D convolution (cross-correlation, as every framework computes it).
    /// Shape: x <c>[N, C, H, W]</c>, w <c>[O, C/groups, kh, kw]</c>, bias <c>[O]</c> or null, y <c>[N, O, OH, OW]</c>; inputs contiguous.
    /// </summary>
    void Conv2d(Tensor x, Tensor w, Tensor? bias, Conv2dParams p, Tensor y);

    /// <summary>Gradient of <see cref="Conv2d"/> with respect to its input. Shape: gradY <c>[N, O, OH, OW]</c>, w as in the forward, gradX <c>[N, C, H, W]</c>.</summary>
    void Conv2dBackwardInput(Tensor gradY, Tensor w, Conv2dParams p, Tensor gradX);

    /// <summary>Gradient of <see cref="Conv2d"/> with respect to its weight. Shape: x <c>[N, C, H, W]</c>, gradY <c>[N, O, OH, OW]</c>, gradW <c>[O, C/groups, kh, kw]</c>.</summary>
    void Conv2dBackwardWeight(Tensor x, Tensor gradY, Conv2dParams p, Tensor gradW);

    /// <summary>
    /// Max pooling. Shape: x <c>[N, C, H, W]</c> contiguous, y and indices <c>[N, C, OH, OW]</c>; each index is the
    /// flat position <c>h * W + w</c> of the maximum inside its input plane, as PyTorch returns it.
    /// </summary>
    void MaxPool2d(Tensor x, Pool2dParams p, Tensor y, Tensor indices);

    /// <summary>Routes each output gradient to the input position that won. Shape: gradY and indices <c>[N, C, OH, OW]</c>, gradX <c>[N, C, H, W]</c> (overwritten).</summary>
    void MaxPool2dBackward(Tensor gradY, Tensor indices, Tensor gradX);

    /// <summary>Average pooling. Shape: x <c>[N, C, H, W]</c> contiguous, y <c>[N, C, OH, OW]</c>.</summary>
    void AvgPool2d(Tensor x, Pool2dParams p, Tensor y);

    /// <summary>Spreads each output gradient evenly over its window. Shape: gradY <c>[N, C, OH, OW]</c>, gradX <c>[N, C, H, W]</c> (overwritten).</summary>
    void AvgPool2dBackward(Tensor gradY, Pool2dParams p, Tensor gradX);

    /// <summary>
    /// Per-channel mean and population variance over every axis but axis 1.
    /// Shape: x <c>[N, C, *]</c> contiguous, mean and variance <c>[C]</c>.
    /// </summary>
    void BatchNormStatistics(Tensor x, Tensor mean, Tensor variance);

    /// <summary><c>y[..., i, ...] = x[..., index[..., i, ...], ...]</c> along <paramref name="axis"/>. Shape: index and y alike; index contiguous.</summary>
    void Gather(Tensor x, int axis, Tensor index, Tensor y);

    /// <summary><c>target[..., index[..., i, ...], ...] += source[..., i, ...]</c> along <paramref name="axis"/>; target contiguous, updated in place.</summary>
    void ScatterAdd(Tensor target, int axis, Tensor index, Tensor source);

    /// <summary>Picks whole slices along <paramref name="axis"/>. Shape: index <c>[K]</c>, y is x's shape with axis size K.</summary>
    void IndexSelect(Tensor x, int axis, Tensor index, Tensor y);

    /// <summary>The adjoint of <see cref="IndexSelect"/>: adds slice <c>i</c> of source to slice <c>index[i]</c> of target (contiguous, in place).</summary>
    void IndexAdd(Tensor target, int axis, Tensor index, Tensor source);

    /// <summary>Shape: index <c>[*]</c> holding class numbers, y <c>[*, classes]</c>.</summary>
    void OneHot(Tensor index, int classes, Tensor y);

    /// <summary>
    /// Pads every axis: <paramref name="pads"/> holds <c>(before, after)</c> pairs for axes 0..rank-1.
    /// Shape: y axis i has size <c>x_i + before_i + after_i</c>.
    /// </summary>
    void Pad(Tensor x, ReadOnlySpan<int> pads, PadMode mode, float value, Tensor y);

    /// <summary>The adjoint of <see cref="Pad"/>: gradX (overwritten) gets every gradY element its value came from.</summary>
    void PadBackward(Tensor gradY, ReadOnlySpan<int> pads, PadMode mode, Tensor gradX);

    /// <summary>
    /// Fills <paramref name="y"/> (contiguous) from the Philox4x32-10 stream keyed by <paramref name="seed"/>: element <c>i</c>
    /// draws from the block at counter <c>counter + i</c> (see <see cref="Philox"/>), so every backend and every
    /// thread count gives the same numbers.
    /// </summary>
    void FillRandom(Tensor y, RandomDistribution distribution, ulong seed, ulong counter, float a, float b);

    /// <summary>Waits for all queued kernels to finish.</summary>
    void Synchronize();
}
