using System.Buffers.Binary;
using NetFromScratch.Onnx;

namespace NetFromScratch.Tests.Onnx;

public class OnnxExternalDataTests
{
    private string _root = "";
    private string _dir = "";

    [SetUp]
    public void CreateDirectory()
    {
        _root = Directory.CreateTempSubdirectory("nfs-onnx-ext-").FullName;
        _dir = Path.Combine(_root, "model");
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_root, recursive: true);

    private static readonly float[] Weights = [1f, -2f, 3.5f, 0.25f, 5f, -6f];

    private static byte[] Floats(float[] values)
    {
        var b = new byte[4 * values.Length];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(4 * i), values[i]);
        return b;
    }

    // A model whose one initializer 'fc.weight' [2, 3] keeps its data externally with the given entries.
    private string WriteModel(params (string Key, string Value)[] entries)
    {
        var m = new OnnxModel { IrVersion = 8 };
        m.OpsetImports.Add(new OnnxOpsetId("", 17));
        m.Graph.Nodes.Add(OnnxNode.Create("MatMul", "mm", ["x", "fc.weight"], ["y"]));
        var t = new OnnxTensor { Name = "fc.weight", DataType = OnnxDataType.Float, DataLocation = OnnxDataLocation.External };
        t.Dims.AddRange([2, 3]);
        foreach (var (k, v) in entries) t.ExternalData.Add(new(k, v));
        m.Graph.Initializers.Add(t);
        string path = Path.Combine(_dir, "model.onnx");
        m.Save(path);
        return path;
    }

    private OnnxFormatException LoadFails(string path)
    {
        var e = Assert.Throws<OnnxFormatException>(() => OnnxModel.Load(path))!;
        Assert.That(e.File, Is.EqualTo(path));
        Assert.That(e.MessagePath, Is.EqualTo("graph.initializer[0] 'fc.weight'"));
        Assert.That(e.Offset, Is.GreaterThan(0));
        return e;
    }

    [Test]
    public void TensorInASideFileLoadsFromExactlyItsRange()
    {
        // 8 bytes before and after the tensor's 24 bytes: only [offset, offset + length) may be read.
        var side = new byte[8].Concat(Floats(Weights)).Concat(Enumerable.Repeat((byte)0xFF, 8)).ToArray();
        File.WriteAllBytes(Path.Combine(_dir, "weights.bin"), side);
        string path = WriteModel(("location", "weights.bin"), ("offset", "8"), ("length", "24"), ("checksum", "ignored"));
        var m = OnnxModel.Load(path);
        var t = m.Graph.Initializers.Single();
        Assert.That(t.ToFloatArray(), Is.EqualTo(Weights));
        Assert.That(t.DataLocation, Is.EqualTo(OnnxDataLocation.Default), "a loaded model is self-contained");
        Assert.That(t.ExternalData, Is.Empty);

        string copy = Path.Combine(_root, "copy.onnx");
        m.Save(copy);
        Assert.That(OnnxModel.Load(copy).Graph.Initializers.Single().ToFloatArray(), Is.EqualTo(Weights));
    }

    [Test]
    public void LengthDefaultsToTheTensorsSizeAndSubdirectoriesWork()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "data"));
        File.WriteAllBytes(Path.Combine(_dir, "data", "w.bin"), Floats(Weights).Concat(new byte[100]).ToArray());
        string path = WriteModel(("location", "data/w.bin"));
        Assert.That(OnnxModel.Load(path).Graph.Initializers.Single().ToFloatArray(), Is.EqualTo(Weights));
    }

    [Test]
    public void MissingSideFileNamesTensorAndFile()
    {
        string path = WriteModel(("location", "weights.bin"));
        var e = LoadFails(path);
        Assert.That(e.Problem, Does.Contain("external data file 'weights.bin'").And.Contain("does not exist"));
        Assert.That(e.Message, Does.Contain("'fc.weight'"));
    }

    [Test]
    public void TooShortSideFileIsReported()
    {
        File.WriteAllBytes(Path.Combine(_dir, "weights.bin"), Floats(Weights)[..20]);
        string path = WriteModel(("location", "weights.bin"));
        var e = LoadFails(path);
        Assert.That(e.Problem, Is.EqualTo("external data file 'weights.bin' is 20 bytes long, too short for 24 bytes at offset 0: it is truncated or the offsets are wrong."));
    }

    [Test]
    public void OffsetPastTheEndIsReported()
    {
        File.WriteAllBytes(Path.Combine(_dir, "weights.bin"), Floats(Weights));
        var e = LoadFails(WriteModel(("location", "weights.bin"), ("offset", "4096")));
        Assert.That(e.Problem, Does.Contain("too short for 24 bytes at offset 4096"));
    }

    [Test]
    public void LengthThatDisagreesWithDimsIsReported()
    {
        File.WriteAllBytes(Path.Combine(_dir, "weights.bin"), new byte[64]);
        var e = LoadFails(WriteModel(("location", "weights.bin"), ("length", "32")));
        Assert.That(e.Problem, Does.Contain("length 32 bytes").And.Contain("dims [2, 3] of FLOAT, which need 24 bytes"));
    }

    [TestCase("offset", "-8")]
    [TestCase("length", "24x")]
    public void NonNumericOffsetsAreReported(string key, string value)
    {
        File.WriteAllBytes(Path.Combine(_dir, "weights.bin"), new byte[64]);
        var e = LoadFails(WriteModel(("location", "weights.bin"), (key, value)));
        Assert.That(e.Problem, Does.Contain($"'{key}' is '{value}'"));
    }

    [TestCase("../outside.bin")]
    [TestCase("data/../../outside.bin")]
    [TestCase("..")]
    [TestCase(".")]
    public void PathTraversalIsRejected(string location)
    {
        File.WriteAllBytes(Path.Combine(_root, "outside.bin"), Floats(Weights)); // exists, so only the check can stop it
        var e = LoadFails(WriteModel(("location", location)));
        Assert.That(e.Problem, Does.Contain("leads outside the model's directory"));
    }

    [Test]
    public void AbsoluteLocationIsRejected()
    {
        string outside = Path.Combine(_root, "outside.bin");
        File.WriteAllBytes(outside, Floats(Weights));
        var e = LoadFails(WriteModel(("location", outside)));
        Assert.That(e.Problem, Does.Contain("is an absolute path"));
    }

    [Test]
    public void MissingLocationIsReported()
    {
        var e = LoadFails(WriteModel(("offset", "0")));
        Assert.That(e.Problem, Does.Contain("no 'location' entry"));
    }

    [Test]
    public void ParseWithoutDirectoryKeepsTheReferenceAndConversionExplains()
    {
        string path = WriteModel(("location", "weights.bin"));
        var m = OnnxModel.Parse(File.ReadAllBytes(path), "model.onnx");
        var t = m.Graph.Initializers.Single();
        Assert.That(t.DataLocation, Is.EqualTo(OnnxDataLocation.External));
        Assert.That(t.ExternalData.Single(), Is.EqualTo(new KeyValuePair<string, string>("location", "weights.bin")));
        var e = Assert.Throws<OnnxFormatException>(() => t.ToFloatArray())!;
        Assert.That(e.Message, Does.StartWith("model.onnx: tensor 'fc.weight': at byte "));
        Assert.That(e.Problem, Does.Contain("external file 'weights.bin', which was not loaded"));
        Assert.That(m.ToBytes(), Is.EqualTo(File.ReadAllBytes(path)), "references round-trip unchanged");
    }

    [Test]
    public void TensorFilesResolveExternalDataBesideThem()
    {
        File.WriteAllBytes(Path.Combine(_dir, "input.bin"), Floats(Weights));
        var t = new OnnxTensor { Name = "input", DataType = OnnxDataType.Float, DataLocation = OnnxDataLocation.External };
        t.Dims.AddRange([6]);
        t.ExternalData.Add(new("location", "input.bin"));
        string path = Path.Combine(_dir, "input_0.pb");
        OnnxTensorFile.Write(path, t);
        Assert.That(OnnxTensorFile.Read(path).ToFloatArray(), Is.EqualTo(Weights));
        File.Delete(Path.Combine(_dir, "input.bin"));
        var e = Assert.Throws<OnnxFormatException>(() => OnnxTensorFile.Read(path))!;
        Assert.That(e.Message, Does.Contain("tensor 'input'").And.Contain("'input.bin'").And.Contain("does not exist"));
    }
}
