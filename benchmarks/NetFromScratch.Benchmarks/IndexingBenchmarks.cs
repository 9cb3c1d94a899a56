using BenchmarkDotNet.Attributes;
using NetFromScratch.Tensors;

namespace NetFromScratch.Benchmarks;

/// <summary>
/// Indexing kernels at the sizes training hits: picking the target-class score of each row (cross-entropy on
/// 1000 classes) and its gradient, embedding lookups and their gradient, and reflect padding of a feature map.
/// <c>dotnet run -c Release --project benchmarks/NetFromScratch.Benchmarks -- --filter '*Indexing*'</c>
/// </summary>
[MemoryDiagnoser, MinColumn]
public class IndexingBenchmarks
{
    private Tensor _logits = null!, _targets = null!, _classGrad = null!, _logitGrad = null!;
    private Tensor _table = null!, _tokens = null!, _rowGrads = null!, _tableGrad = null!, _image = null!, _paddedGrad = null!;

    /// <summary>Builds the inputs once: logits [1024, 1000], targets [1024, 1]; table [10000, 512], tokens [4096]; image [16, 64, 32, 32] and its padded gradient.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var g = new Generator(1);
        _logits = Tensor.Randn(new Shape(1024, 1000), g);
        _targets = Tensor.FromArray(Enumerable.Range(0, 1024).Select(i => (float)(i * 37 % 1000)).ToArray(), new Shape(1024, 1));
        _classGrad = Tensor.Randn(new Shape(1024, 1), g);
        _logitGrad = Tensor.Zeros(new Shape(1024, 1000));
        _table = Tensor.Randn(new Shape(10_000, 512), g);
        _tokens = Tensor.FromArray(Enumerable.Range(0, 4096).Select(i => (float)(i * 7919 % 10_000)).ToArray(), new Shape(4096));
        _rowGrads = Tensor.Randn(new Shape(4096, 512), g);
        _tableGrad = Tensor.Zeros(new Shape(10_000, 512));
        _image = Tensor.Randn(new Shape(16, 64, 32, 32), g);
        _paddedGrad = Tensor.Randn(new Shape(16, 64, 34, 34), g);
    }

    /// <summary>Gather of one score per row: [1024, 1000] by [1024, 1] along axis 1.</summary>
    [Benchmark]
    public void GatherClassScores() => _logits.Gather(1, _targets).Dispose();

    /// <summary>Its adjoint: scatter-add [1024, 1] gradients into [1024, 1000].</summary>
    [Benchmark]
    public void ScatterAddClassGradients() => _logitGrad.ScatterAddInPlace(1, _targets, _classGrad);

    /// <summary>Embedding lookup: 4096 rows of a [10000, 512] table.</summary>
    [Benchmark]
    public void IndexSelectEmbeddingRows() => _table.IndexSelect(0, _tokens).Dispose();

    /// <summary>Embedding gradient: 4096 rows of 512 added into a [10000, 512] table.</summary>
    [Benchmark]
    public void IndexAddEmbeddingGradients() => _tableGrad.IndexAddInPlace(0, _tokens, _rowGrads);

    /// <summary>Reflect padding of a [16, 64, 32, 32] feature map by 1 on each side of H and W.</summary>
    [Benchmark]
    public void ReflectPadFeatureMap() => _image.Pad(new[] { 1, 1, 1, 1 }, PadMode.Reflect).Dispose();

    /// <summary>Its adjoint on the [16, 64, 34, 34] gradient.</summary>
    [Benchmark]
    public void ReflectPadBackward() =>
        Tensor.PadBackward(_paddedGrad, _image.Shape, new[] { 1, 1, 1, 1 }, PadMode.Reflect).Dispose();
}
