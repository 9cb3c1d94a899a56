using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using NetFromScratch.Onnx;
using Tensor = NetFromScratch.Tensors.Tensor;

namespace NetFromScratch.Tests.Onnx;

/// <summary>
/// ONNX Runtime as the reference engine: runs a model's bytes on float (or INT64) inputs and returns each output as
/// floats with its shape. Graph optimisations are off, so ORT computes the graph as written.
/// </summary>
internal static class OrtReference
{
    public static (float[] Data, int[] Dims)[] Run(OnnxModel model, params (string Name, object Value)[] inputs)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL, IntraOpNumThreads = 1, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        using var session = new InferenceSession(model.ToBytes(), options);
        var values = new List<NamedOnnxValue>();
        foreach (var (name, value) in inputs)
        {
            switch (value)
            {
                case Tensor t:
                    values.Add(NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(t.Contiguous().ToArray(), t.Shape.ToArray())));
                    break;
                case (long[] data, int[] dims):
                    values.Add(NamedOnnxValue.CreateFromTensor(name, new DenseTensor<long>(data, dims)));
                    break;
                default:
                    throw new ArgumentException($"OrtReference: unsupported input {value.GetType().Name}.");
            }
        }
        using var results = session.Run(values);
        return results.Select(r => r.Value switch
        {
            Microsoft.ML.OnnxRuntime.Tensors.Tensor<float> f => (f.ToArray(), f.Dimensions.ToArray()),
            Microsoft.ML.OnnxRuntime.Tensors.Tensor<long> l => (l.ToArray().Select(v => (float)v).ToArray(), l.Dimensions.ToArray()),
            Microsoft.ML.OnnxRuntime.Tensors.Tensor<bool> b => (b.ToArray().Select(v => v ? 1f : 0f).ToArray(), b.Dimensions.ToArray()),
            Microsoft.ML.OnnxRuntime.Tensors.Tensor<int> i => (i.ToArray().Select(v => (float)v).ToArray(), i.Dimensions.ToArray()),
            _ => throw new InvalidOperationException($"OrtReference: output '{r.Name}' has an unexpected type {r.Value?.GetType().Name}."),
        }).ToArray();
    }
}
