using NetFromScratch.Onnx;

namespace NetFromScratch.Tests.Onnx;

public class OnnxInspectorTests
{
    [Test]
    public void DescribesTheSmallModel()
    {
        var m = OnnxModel.Parse(OnnxSamples.SmallModel().ToBytes(), "small.onnx");
        var supported = new HashSet<string> { "Conv", "Relu", "Flatten", "Gemm", "Constant", "If", "Identity" };
        string report = OnnxInspector.Describe(m, supported);
        // Ties in the counts sort by ordinal name (upper case first). Parameters: conv 18 + 2, fc 96 + 3, shape 2, halfs 2, counts 2, labels 2 = 127.
        Assert.That(report, Is.EqualTo(
            """
            Model:      small.onnx
            Producer:   nfs-tests 1.0
            IR version: 8
            Opsets:     ai.onnx 17, com.microsoft 1
            Graph:      main_graph
            Inputs (1):
              x: FLOAT [batch, 1, 4, 4]
            Outputs (1):
              y: FLOAT [batch, 3]
            Operators (11 nodes, 10 types):
              Constant                  2
              Conv                      1
              Flatten                   1
              Gemm                      1
              Identity                  1
              If                        1
              Neg                       1
              Relu                      1
              com.microsoft.FusedThing  1
              org.test.Custom2          1
            Parameters: 127 in 8 initializers, plus 1 sparse initializers storing 2 values
            Unsupported ops: Neg (1), com.microsoft.FusedThing (1), org.test.Custom2 (1)

            """.ReplaceLineEndings()));
    }

    [Test]
    public void InitializersListedAsInputsAreNotInputsAndAllSupportedSaysNone()
    {
        var m = new OnnxModel { IrVersion = 3, Source = "old.onnx" };
        m.OpsetImports.Add(new OnnxOpsetId("", 9));
        m.Graph.Inputs.Add(OnnxValueInfo.Tensor("data", OnnxDataType.Float, "N", 784));
        m.Graph.Inputs.Add(OnnxValueInfo.Tensor("w", OnnxDataType.Float, 784, 10));
        m.Graph.Outputs.Add(new OnnxValueInfo { Name = "out" });
        m.Graph.Initializers.Add(OnnxTensor.FromFloats("w", [784, 10], new float[7840]));
        m.Graph.Nodes.Add(OnnxNode.Create("MatMul", "", ["data", "w"], ["out"]));
        string report = OnnxInspector.Describe(m, new HashSet<string> { "MatMul" });
        Assert.That(report, Does.Contain("Producer:   (not recorded)"));
        Assert.That(report, Does.Contain("Inputs (1):" + Environment.NewLine + "  data: FLOAT [N, 784]" + Environment.NewLine));
        Assert.That(report, Does.Contain("  out: (no type)"));
        Assert.That(report, Does.Contain("Parameters: 7,840 in 1 initializer" + Environment.NewLine));
        Assert.That(report, Does.EndWith("Unsupported ops: none" + Environment.NewLine));
    }
}
