namespace NetFromScratch.Tensors.Cpu;

/// <summary>
/// The managed CPU backend: SIMD kernels (System.Numerics.Tensors and Vector256 with FMA), split across cores
/// for large tensors (<see cref="CpuParallel"/>), pooled buffers (<see cref="BufferPool"/>). No native code.
/// Each method dispatches to one kernel family (Elementwise, Reductions, Gemm, Convolution, MaxPool, AvgPool, ChannelStatistics, GatherScatter, IndexSelection, OneHotEncoding, Padding).
/// </summary>
public sealed class CpuBackend : IBackend
{
    internal CpuBackend(Device device) => Device = device;

    /// <inheritdoc/>
    public Device Device { get; }

    /// <summary>The pool that recycles this backend's buffers.</summary>
    public BufferPool Pool { get; } = new();

    /// <inheritdoc/>
    public TensorStorage Allocate(int length, bool zero = true) => new CpuStorage(Device, Pool.Rent(length, zero), length, Pool);

    /// <inheritdoc/>
    public TensorStorage Upload(ReadOnlySpan<float> data)
    {
        var s = Pool.Rent(data.Length, zero: false);
        data.CopyTo(s);
        return new CpuStorage(Device, s, data.Length, Pool);
    }

    /// <inheritdoc/>
    public void Download(Tensor source, Span<float> destination)
    {
        if (source.IsContiguous)
        {
            StridedView.DataOf(source).AsSpan(source.Offset, source.Numel).CopyTo(destination);
            return;
        }
        var tmp = Tensor.Empty(source.Shape, Device);
        Elementwise.Copy(source, tmp);
        StridedView.DataOf(tmp).AsSpan(0, source.Numel).CopyTo(destination);
        tmp.Dispose();
    }

    /// <inheritdoc/>
    public void Copy(Tensor source, Tensor destination) => Elementwise.Copy(source, destination);
    /// <inheritdoc/>
    public void Fill(Tensor destination, float value) => Elementwise.Fill(destination, value);
    /// <inheritdoc/>
    public void Unary(UnaryOp op, Tensor x, Tensor y, float a = 0, float b = 0) => Elementwise.Unary(op, x, y, a, b);
    /// <inheritdoc/>
    public void Binary(BinaryOp op, Tensor a, Tensor b, Tensor y) => Elementwise.Binary(op, a, b, y);
    /// <inheritdoc/>
    public void Where(Tensor condition, Tensor a, Tensor b, Tensor y) => Elementwise.Where(condition, a, b, y);
    /// <inheritdoc/>
    public void Reduce(ReduceOp op, Tensor x, ReadOnlySpan<int> axes, Tensor y, float correction = 0) => Reductions.Reduce(op, x, axes, y, correction);
    /// <inheritdoc/>
    public void ArgReduce(bool max, Tensor x, int axis, Tensor values, Tensor indices) => Reductions.ArgReduce(max, x, axis, values, indices);
    /// <inheritdoc/>
    public void Softmax(Tensor x, int axis, Tensor y, bool log) => Reductions.Softmax(x, axis, y, log);
    /// <inheritdoc/>
    public void MatMul(Tensor a, Tensor b, Tensor c, bool accumulate = false) => Gemm.MatMul(a, b, c, accumulate);
    /// <inheritdoc/>
    public void Im2Col(Tensor x, int kernelH, int kernelW, Conv2dParams p, Tensor columns) => Convolution.Im2Col(x, kernelH, kernelW, p, columns);
    /// <inheritdoc/>
    public void Col2Im(Tensor columns, int kernelH, int kernelW, Conv2dParams p, Tensor x) => Convolution.Col2Im(columns, kernelH, kernelW, p, x);
    /// <inheritdoc/>
    public void Conv2d(Tensor x, Tensor w, Tensor? bias, Conv2dParams p, Tensor y) => Convolution.Forward(x, w, bias, p, y);
    /// <inheritdoc/>
    public void Conv2dBackwardInput(Tensor gradY, Tensor w, Conv2dParams p, Tensor gradX) => Convolution.BackwardInput(gradY, w, p, gradX);
    /// <inheritdoc/>
    public void Conv2dBackwardWeight(Tensor x, Tensor gradY, Conv2dParams p, Tensor gradW) => Convolution.BackwardWeight(x, gradY, p, gradW);
    /// <inheritdoc/>
    public void MaxPool2d(Tensor x, Pool2dParams p, Tensor y, Tensor indices) => MaxPool.Forward(x, p, y, indices);
    /// <inheritdoc/>
    public void MaxPool2dBackward(Tensor gradY, Tensor indices, Tensor gradX) => MaxPool.Backward(gradY, indices, gradX);
    /// <inheritdoc/>
    public void AvgPool2d(Tensor x, Pool2dParams p, Tensor y) => AvgPool.Forward(x, p, y);
    /// <inheritdoc/>
    public void AvgPool2dBackward(Tensor gradY, Pool2dParams p, Tensor gradX) => AvgPool.Backward(gradY, p, gradX);
    /// <inheritdoc/>
    public void BatchNormStatistics(Tensor x, Tensor mean, Tensor variance) => ChannelStatistics.Compute(x, mean, variance);
    /// <inheritdoc/>
    public void Gather(Tensor x, int axis, Tensor index, Tensor y) => GatherScatter.Gather(x, axis, index, y);
    /// <inheritdoc/>
    public void ScatterAdd(Tensor target, int axis, Tensor index, Tensor source) => GatherScatter.ScatterAdd(target, axis, index, source);
    /// <inheritdoc/>
    public void IndexSelect(Tensor x, int axis, Tensor index, Tensor y) => IndexSelection.IndexSelect(x, axis, index, y);
    /// <inheritdoc/>
    public void IndexAdd(Tensor target, int axis, Tensor index, Tensor source) => IndexSelection.IndexAdd(target, axis, index, source);
    /// <inheritdoc/>
    public void OneHot(Tensor index, int classes, Tensor y) => OneHotEncoding.Encode(index, classes, y);
    /// <inheritdoc/>
    public void Pad(Tensor x, ReadOnlySpan<int> pads, PadMode mode, float value, Tensor y) => Padding.Pad(x, pads, mode, value, y);
    /// <inheritdoc/>
    public void PadBackward(Tensor gradY, ReadOnlySpan<int> pads, PadMode mode, Tensor gradX) => Padding.PadBackward(gradY, pads, mode, gradX);
    /// <inheritdoc/>
    public void FillRandom(Tensor y, RandomDistribution distribution, ulong seed, ulong counter, float a, float b) => RandomFill.Fill(y, distribution, seed, counter, a, b);
    /// <inheritdoc/>
    public void Synchronize() { }
}
