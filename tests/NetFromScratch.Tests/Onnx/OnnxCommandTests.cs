using System.CommandLine;
using NetFromScratch.Cli;
using NetFromScratch.Nn.Layers;
using NetFromScratch.Onnx;
using NetFromScratch.Tensors;

namespace NetFromScratch.Tests.Onnx;

/// <summary><c>nfs onnx inspect</c> and <c>nfs onnx run</c> on files in a temporary directory, as ONNX's test data lays them out.</summary>
public class OnnxCommandTests
{
    private string _dir = "";

    [SetUp]
    public void CreateDirectory()
    {
        _dir = Path.Combine(Path.GetTempPath(), $"nfs-onnx-cli-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(_dir, "test_data_set_0"));
    }

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Output, string Error) Invoke(params string[] args)
    {
        var root = new RootCommand("nfs");
        root.Subcommands.Add(OnnxCommand.Create());
        var output = new StringWriter();
        var error = new StringWriter();
        int code = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }

    // A small classifier saved as model.onnx with one input file and its ONNX Runtime output beside it.
    private string WriteModelAndTestData()
    {
        var module = OnnxExportTests.Randomize(new Sequential(new Conv2d(3, 4, 3, padding: 1), new BatchNorm2d(4), new ReLU(),
            new MaxPool2d(2), new Flatten(), new Linear(64, 5), new Softmax()));
        var model = OnnxExporter.Export(module, new Shape(1, 3, 8, 8));
        string path = Path.Combine(_dir, "model.onnx");
        model.Save(path);
        var x = Tensor.FromArray(TensorAssert.RandomData(2 * 3 * 8 * 8, 5), new Shape(2, 3, 8, 8));
        OnnxTensorFile.Write(Path.Combine(_dir, "test_data_set_0", "input_0.pb"), OnnxTensor.FromTensor("input", x));
        var expected = OrtReference.Run(model, ("input", x))[0];
        OnnxTensorFile.Write(Path.Combine(_dir, "test_data_set_0", "output_0.pb"),
            OnnxTensor.FromFloats("output", expected.Dims.Select(d => (long)d).ToArray(), expected.Data));
        return path;
    }

    [Test]
    public void InspectPrintsTheReportWithSupportedOps()
    {
        string path = WriteModelAndTestData();
        var (code, output, error) = Invoke("onnx", "inspect", path);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(output, Does.Contain("Producer:   NetFromScratch"));
        Assert.That(output, Does.Contain("Opsets:     ai.onnx 17"));
        Assert.That(output, Does.Contain("input: FLOAT [batch, 3, 8, 8]"));
        Assert.That(output, Does.Contain("output: FLOAT [batch, 5]"));
        Assert.That(output, Does.Contain("Parameters: 453 in 8 initializers"));
        Assert.That(output, Does.Contain("Unsupported ops: none"));
    }

    [Test]
    public void RunWritesOutputsAndComparesWithExpected()
    {
        string path = WriteModelAndTestData();
        string data = Path.Combine(_dir, "test_data_set_0");
        string outDir = Path.Combine(_dir, "out");
        var (code, output, error) = Invoke("onnx", "run", path, "--input", Path.Combine(data, "input_0.pb"),
            "--output-dir", outDir, "--expected", Path.Combine(data, "output_0.pb"));
        Assert.That(code, Is.EqualTo(0), output + error);
        Assert.That(output, Does.Contain("output: FLOAT [2, 5] -> ").And.Contain("ok"));
        var written = OnnxTensorFile.Read(Path.Combine(outDir, "output_0.pb"));
        var expected = OnnxTensorFile.Read(Path.Combine(data, "output_0.pb"));
        Assert.That(written.Dims, Is.EqualTo(expected.Dims));
        TensorAssert.Close(expected.ToFloatArray(), written.ToFloatArray(), 1e-5f, 1e-4f);

        // A wrong expectation fails with exit code 2.
        var wrong = expected.ToFloatArray().Select(v => v + 0.01f).ToArray();
        OnnxTensorFile.Write(Path.Combine(data, "wrong.pb"), OnnxTensor.FromFloats("output", expected.Dims.ToArray(), wrong));
        (code, output, _) = Invoke("onnx", "run", path, "-i", Path.Combine(data, "input_0.pb"), "-o", outDir, "-e", Path.Combine(data, "wrong.pb"));
        Assert.That(code, Is.EqualTo(2));
        Assert.That(output, Does.Contain("FAIL"));
    }

    [Test]
    public void ErrorsNameTheFileAndTheProblem()
    {
        string missing = Path.Combine(_dir, "missing.onnx");
        var (code, _, error) = Invoke("onnx", "inspect", missing);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain("missing.onnx"));

        var spec = new GraphSpec(13, "unsupported").Input("x", [2, 3]).Node("Hardmax", ["x"], ["y"]).Output("y");
        string path = Path.Combine(_dir, "unsupported.onnx");
        spec.Model.Save(path);
        OnnxTensorFile.Write(Path.Combine(_dir, "x.pb"), OnnxTensor.FromTensor("x", (Tensor)spec.Feeds[0].Value));
        (code, _, error) = Invoke("onnx", "run", path, "--input", Path.Combine(_dir, "x.pb"), "--output-dir", Path.Combine(_dir, "o"));
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain("unsupported.onnx: node[0] (Hardmax 'hardmax_0'): unsupported op 'Hardmax'"));

        (code, _, _) = Invoke("onnx", "inspect", path);
        Assert.That(code, Is.EqualTo(0));
    }
}
