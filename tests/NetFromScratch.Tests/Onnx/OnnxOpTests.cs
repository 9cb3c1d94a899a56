using NetFromScratch.Onnx;
using NetFromScratch.Tensors;

namespace NetFromScratch.Tests.Onnx;

/// <summary>
/// Every supported operator against ONNX Runtime: each graph of <see cref="OnnxOpCases"/> runs in ORT (graph optimisations
/// off) and through our importer on the same inputs. Tolerance: |ours - ORT| &lt;= 1e-4 + 1e-4 |ORT| (float32 results
/// computed in a different order; Erf's host series and the composite activations stay well inside it).
/// </summary>
public class OnnxOpTests
{
    private const float Atol = 1e-4f, Rtol = 1e-4f;

    [TestCaseSource(typeof(OnnxOpCases), nameof(OnnxOpCases.All))]
    public void MatchesOnnxRuntime(object spec)
    {
        var s = (GraphSpec)spec;
        var expected = OrtReference.Run(s.Model, s.Feeds.ToArray());
        var actual = RunOurs(s);
        Assert.That(actual, Has.Count.EqualTo(expected.Length));
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.That(actual[i].Dims.Select(d => (int)d), Is.EqualTo(expected[i].Dims), $"output {i} shape");
            TensorAssert.Close(expected[i].Data, actual[i].ToFloatArray(), Atol, Rtol);
        }
    }

    /// <summary>Imports the graph (after a write and read, as from a file) and runs it on the spec's inputs.</summary>
    internal static IReadOnlyList<OnnxTensor> RunOurs(GraphSpec s)
    {
        var model = OnnxImporter.Load(OnnxModel.Parse(s.Model.ToBytes(), s.Model.Source));
        var inputs = s.Feeds.Select(f => f.Value switch
        {
            Tensor t => OnnxTensor.FromTensor(f.Name, t),
            (long[] data, int[] dims) => OnnxTensor.FromInt64s(f.Name, dims.Select(d => (long)d).ToArray(), data),
            _ => throw new ArgumentException("unexpected feed"),
        }).ToList();
        return model.Run(inputs);
    }
}
