using NetFromScratch.Onnx;
using NetFromScratch.Tensors;

namespace NetFromScratch.Tests.Onnx;

/// <summary>A small ONNX model written in a few lines: inputs with their example values, weights, nodes, outputs.</summary>
internal sealed class GraphSpec
{
    private int _seed = 7;

    public GraphSpec(long opset, string name = "spec")
    {
        Model = new OnnxModel { IrVersion = opset < 9 ? 3 : opset <= 14 ? 7 : opset <= 18 ? 8 : 9, ProducerName = "nfs-tests", Source = name };
        Model.OpsetImports.Add(new OnnxOpsetId("", opset));
        Model.Graph.Name = name;
    }

    public OnnxModel Model { get; }

    /// <summary>Example values for the inputs: a Tensor for FLOAT inputs, (long[], int[]) for INT64 ones.</summary>
    public List<(string Name, object Value)> Feeds { get; } = [];

    /// <summary>A FLOAT input filled with deterministic data in [-1, 1), scaled and shifted.</summary>
    public GraphSpec Input(string name, int[] dims, float scale = 1f, float shift = 0f, bool symbolicBatch = false)
    {
        Model.Graph.Inputs.Add(OnnxValueInfo.Tensor(name, OnnxDataType.Float, dims.Select((d, i) => i == 0 && symbolicBatch ? (object)"N" : d).ToArray()));
        var data = TensorAssert.RandomData(dims.Aggregate(1, (p, d) => p * d), _seed++).Select(v => v * scale + shift).ToArray();
        Feeds.Add((name, Tensor.FromArray(data, new Shape(dims))));
        return this;
    }

    public GraphSpec IntInput(string name, int[] dims, long[] values)
    {
        Model.Graph.Inputs.Add(OnnxValueInfo.Tensor(name, OnnxDataType.Int64, dims.Cast<object>().ToArray()));
        Feeds.Add((name, (values, dims)));
        return this;
    }

    public GraphSpec Weight(string name, int[] dims, float scale = 0.5f, float shift = 0f)
    {
        var data = TensorAssert.RandomData(dims.Aggregate(1, (p, d) => p * d), _seed++).Select(v => v * scale + shift).ToArray();
        Model.Graph.Initializers.Add(OnnxTensor.FromFloats(name, dims.Select(d => (long)d).ToArray(), data));
        return this;
    }

    public GraphSpec Floats(string name, int[] dims, params float[] values)
    {
        Model.Graph.Initializers.Add(OnnxTensor.FromFloats(name, dims.Select(d => (long)d).ToArray(), values));
        return this;
    }

    public GraphSpec Ints(string name, params long[] values)
    {
        Model.Graph.Initializers.Add(OnnxTensor.FromInt64s(name, [values.Length], values));
        return this;
    }

    public GraphSpec Node(string op, string[] inputs, string[] outputs, params OnnxAttribute[] attributes)
    {
        Model.Graph.Nodes.Add(OnnxNode.Create(op, $"{op.ToLowerInvariant()}_{Model.Graph.Nodes.Count}", inputs, outputs, attributes));
        return this;
    }

    public GraphSpec Output(params string[] names)
    {
        foreach (var n in names) Model.Graph.Outputs.Add(new OnnxValueInfo { Name = n });
        return this;
    }

    public override string ToString() => Model.Source;
}
