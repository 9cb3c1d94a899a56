using NetFromScratch.Onnx.Import.Ops;

namespace NetFromScratch.Onnx.Import;

/// <summary>The operators the importer supports (standard domain), by name.</summary>
internal static class OpRegistry
{
    private static readonly Dictionary<string, OpInfo> Table = Build();

    public static IReadOnlySet<string> Names { get; } = new SortedSet<string>(Table.Keys, StringComparer.Ordinal);

    public static OpInfo? Find(OnnxNode node) =>
        node.Domain is "" or "ai.onnx" && Table.TryGetValue(node.OpType, out var info) ? info : null;

    private static Dictionary<string, OpInfo> Build()
    {
        var table = new Dictionary<string, OpInfo>(StringComparer.Ordinal);
        foreach (var family in new[]
        {
            ActivationOps.All(), ElementwiseOps.All(), MatrixOps.All(), ConvolutionOps.All(), PoolingOps.All(),
            NormalizationOps.All(), SoftmaxOps.All(), ReductionOps.All(), ShapeOps.All(), JoinSelectOps.All(), ConstantOps.All(), PadOps.All(), DropoutOps.All(),
            ResizeOps.All(), ConvTransposeOps.All(),
        })
            foreach (var op in family) table.Add(op.Name, op);
        return table;
    }
}
