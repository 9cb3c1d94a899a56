using NetFromScratch.Autograd;
using NetFromScratch.Nn.Layers;
using NetFromScratch.Onnx;
using NetFromScratch.Tensors;
using static NetFromScratch.Onnx.OnnxAttribute;

namespace NetFromScratch.Tests.Onnx;

/// <summary>
/// An imported graph on every backend: moved with <c>To(device)</c>, its constants follow the input's device, and it
/// gives the CPU's outputs and gradients (the simulator's kernels differ from the CPU's in summation order only).
/// </summary>
[TestFixtureSource(typeof(BackendCases), nameof(BackendCases.All))]
public class OnnxDeviceTests(Device device)
{
    [Test]
    public void InferenceScopesLeaveTheDevicesConstantsInPlace()
    {
        // The device's copies of the constants are made on the first call, inside the caller's InferenceMode scope, and
        // cached for the next calls: closing the scope must not release them.
        var (model, x) = GraphWithConstants();
        var cpu = OnnxImporter.Load(model);
        cpu.Eval();
        float[] expected;
        using (NoGrad.Scope()) expected = cpu.Forward(x).Data.ToArray();
        var onDevice = OnnxImporter.Load(model);
        onDevice.To(device);
        onDevice.Eval();
        var input = x.To(device);
        for (int call = 0; call < 3; call++)
        {
            using (InferenceMode.Enter())
                TensorAssert.Close(expected, onDevice.Forward(input).Data.To(Device.Cpu), 1e-5f, 1e-4f);
            var named = onDevice.Run(new Dictionary<string, Tensor> { [onDevice.InputNames[0]] = input });
            TensorAssert.Close(expected, named["e"].To(Device.Cpu), 1e-5f, 1e-4f);
            named["e"].Dispose();
        }
    }

    [Test]
    public void ImportedGraphRunsAndTrainsOnTheDevice()
    {
        var (model, x) = GraphWithConstants();

        var cpu = OnnxImporter.Load(model);
        cpu.Train();
        var expected = cpu.Forward(x);
        expected.Sum().Backward();

        var onDevice = OnnxImporter.Load(model);
        onDevice.To(device);
        onDevice.Train();
        var actual = onDevice.Forward(x.To(device));
        Assert.That(actual.Device, Is.SameAs(device));
        TensorAssert.Close(expected.Data.ToArray(), actual.Data.To(Device.Cpu), 1e-5f, 1e-4f);
        actual.Sum().Backward();
        foreach (var (name, p) in cpu.NamedParameters())
            TensorAssert.Close(p.Grad!.ToArray(), onDevice.ParameterByOnnxName(name).Grad!.To(Device.Cpu), 1e-5f, 1e-3f);
        TensorAssert.Close(cpu.BuffersByOnnxName["1.running_var"].Data.ToArray(), onDevice.BuffersByOnnxName["1.running_var"].Data.To(Device.Cpu), 1e-6f, 1e-5f);
    }

    /// <summary>A small exported CNN followed by constant work on the device, and an input for it.</summary>
    private static (OnnxModel Model, Tensor X) GraphWithConstants()
    {
        var module = OnnxExportTests.Randomize(new Sequential(new Conv2d(2, 3, 3, padding: 1), new BatchNorm2d(3), new ReLU(), new MaxPool2d(2), new Flatten()));
        var x = Tensor.FromArray(TensorAssert.RandomData(2 * 2 * 4 * 4, 21), new Shape(2, 2, 4, 4));
        var exported = OnnxExporter.Export(module, x.Shape);
        // Add constant work after the exported graph: a scaled, clipped, resized copy through shape plumbing.
        var g = exported.Graph;
        g.Initializers.Add(OnnxTensor.FromFloats("scale", [], [0.5f]));
        g.Initializers.Add(OnnxTensor.FromInt64s("shape", [4], [0, 3, 2, 2]));
        g.Initializers.Add(OnnxTensor.FromFloats("scales", [4], [1f, 1f, 1.5f, 2f]));
        g.Nodes.Add(OnnxNode.Create("Reshape", "back", ["output", "shape"], ["r"]));
        g.Nodes.Add(OnnxNode.Create("Mul", "scale", ["r", "scale"], ["m"]));
        g.Nodes.Add(OnnxNode.Create("Resize", "resize", ["m", "", "scales"], ["z"], FromString("mode", "linear")));
        g.Nodes.Add(OnnxNode.Create("Erf", "erf", ["z"], ["e"]));
        g.Outputs.Clear();
        g.Outputs.Add(new OnnxValueInfo { Name = "e" });
        return (OnnxModel.Parse(exported.ToBytes(), "device"), x);
    }
}
