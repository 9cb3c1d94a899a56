using System.Diagnostics;
using NetFromScratch.Onnx;
using NetFromScratch.Onnx.Proto;

namespace NetFromScratch.Tests.Onnx;

/// <summary>Truncated and randomly mutated files: the reader either succeeds or throws <see cref="OnnxFormatException"/>.</summary>
public class OnnxCorruptInputTests
{
    private string _dir = "";

    [SetUp]
    public void CreateDirectory() => _dir = Directory.CreateTempSubdirectory("nfs-onnx-fuzz-").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_dir, recursive: true);

    // Offsets where a top-level field ends: a cut there leaves a shorter valid message (protobuf has no end marker).
    private static HashSet<int> TopLevelFieldEnds(byte[] bytes)
    {
        var ends = new HashSet<int> { 0 };
        var r = new ProtoReader(bytes, "scan");
        while (r.TryReadTag(out _, out var wt))
        {
            r.SkipField(wt);
            ends.Add((int)r.Offset);
        }
        return ends;
    }

    [Test]
    public void EveryTruncationOfAModelFailsCleanlyOrIsAFieldBoundary()
    {
        var bytes = OnnxSamples.SmallModel().ToBytes();
        var ends = TopLevelFieldEnds(bytes);
        int failures = 0;
        for (int cut = 0; cut < bytes.Length; cut++)
        {
            var part = bytes[..cut];
            if (ends.Contains(cut))
            {
                Assert.DoesNotThrow(() => OnnxModel.Parse(part, "cut.onnx"), $"cut at top-level boundary {cut}");
                continue;
            }
            var e = Assert.Throws<OnnxFormatException>(() => OnnxModel.Parse(part, "cut.onnx"), $"cut at {cut}")!;
            Assert.That(e.File, Is.EqualTo("cut.onnx"));
            Assert.That(e.Offset, Is.InRange(0, cut), $"cut at {cut}: the offset lies inside the data");
            failures++;
        }
        Assert.That(failures, Is.GreaterThan(bytes.Length - 20));
    }

    [Test]
    public void EveryTruncationOfATensorFileFailsCleanlyOrIsAFieldBoundary()
    {
        var t = OnnxTensor.FromFloats("input", [2, 8], Enumerable.Range(0, 16).Select(i => (float)i).ToArray());
        var bytes = OnnxTensorFile.ToBytes(t);
        for (int cut = 0; cut < bytes.Length; cut++)
        {
            try
            {
                OnnxTensorFile.Parse(bytes[..cut], "input_0.pb");
            }
            catch (OnnxFormatException)
            {
            }
        }
        // Cutting inside raw_data is always an error: it is the last field and its length runs past the end.
        int rawStart = bytes.Length - 64;
        for (int cut = rawStart; cut < bytes.Length; cut++)
            Assert.Throws<OnnxFormatException>(() => OnnxTensorFile.Parse(bytes[..cut], "input_0.pb"));
    }

    private enum Mutation { FlipBit, SetByte, Truncate, Insert, DuplicateRange, DeleteRange, SetVarintMax }

    private static byte[] Mutate(byte[] bytes, Random rng)
    {
        var list = new List<byte>(bytes);
        int steps = 1 + rng.Next(3);
        for (int s = 0; s < steps && list.Count > 0; s++)
        {
            int at = rng.Next(list.Count);
            switch ((Mutation)rng.Next(7))
            {
                case Mutation.FlipBit: list[at] ^= (byte)(1 << rng.Next(8)); break;
                case Mutation.SetByte: list[at] = (byte)rng.Next(256); break;
                case Mutation.Truncate: list.RemoveRange(at, list.Count - at); break;
                case Mutation.Insert:
                    var extra = new byte[1 + rng.Next(8)];
                    rng.NextBytes(extra);
                    list.InsertRange(at, extra);
                    break;
                case Mutation.DuplicateRange:
                    int len = 1 + rng.Next(Math.Min(64, list.Count - at));
                    list.InsertRange(rng.Next(list.Count + 1), list.GetRange(at, len));
                    break;
                case Mutation.DeleteRange:
                    list.RemoveRange(at, 1 + rng.Next(Math.Min(16, list.Count - at)));
                    break;
                case Mutation.SetVarintMax:
                    // A huge length or count where a small one was: tests the bounds checks before allocation.
                    list.InsertRange(at, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x07 });
                    break;
            }
        }
        return list.ToArray();
    }

    // After a successful parse, everything downstream must also succeed or fail with the documented exceptions.
    private static void Exercise(OnnxModel m)
    {
        var again = OnnxModel.Parse(m.ToBytes(), "rewritten.onnx");
        Assert.That(again.ToBytes(), Is.EqualTo(m.ToBytes()), "a parsed model rewrites to a fixed point");
        OnnxInspector.Describe(m, new HashSet<string> { "Conv", "Relu" });
        foreach (var (t, _) in m.Graph.AllTensors("graph"))
        {
            try
            {
                t.ToFloatArray();
            }
            catch (Exception e) when (e is OnnxFormatException or NotSupportedException)
            {
            }
        }
    }

    [Test]
    public void ThousandsOfMutatedModelsParseOrFailWithOnnxFormatException()
    {
        // An external tensor makes the mutations reach the side-file checks too.
        var model = OnnxSamples.SmallModel();
        var ext = new OnnxTensor { Name = "ext", DataType = OnnxDataType.Float, DataLocation = OnnxDataLocation.External };
        ext.Dims.Add(4);
        ext.ExternalData.Add(new("location", "w.bin"));
        ext.ExternalData.Add(new("offset", "4"));
        model.Graph.Initializers.Add(ext);
        File.WriteAllBytes(Path.Combine(_dir, "w.bin"), new byte[32]);
        var modelBytes = model.ToBytes();
        var tensorBytes = OnnxTensorFile.ToBytes(OnnxTensor.FromFloats("t", [3, 2], [1, 2, 3, 4, 5, 6]));

        const int cases = 3000;
        int current = -1, parsed = 0, rejected = 0;
        var worst = TimeSpan.Zero;
        var run = Task.Run(() =>
        {
            var rng = new Random(20240611);
            for (int i = 0; i < cases; i++)
            {
                current = i;
                bool tensorFile = i % 5 == 4;
                var bytes = Mutate(tensorFile ? tensorBytes : modelBytes, rng);
                var watch = Stopwatch.StartNew();
                try
                {
                    if (tensorFile) OnnxTensorFile.Parse(bytes, $"case{i}.pb");
                    else Exercise(OnnxModel.Parse(bytes, $"case{i}.onnx", _dir));
                    parsed++;
                }
                catch (OnnxFormatException)
                {
                    rejected++;
                }
                catch (Exception e) when (e is not AssertionException)
                {
                    Assert.Fail($"case {i}: {e.GetType().Name} escaped the reader: {e}");
                }
                if (watch.Elapsed > worst) worst = watch.Elapsed;
            }
        });
        // A generous bound that only a hang would exceed; normal runs take about a second.
        if (!run.Wait(TimeSpan.FromSeconds(120)))
            Assert.Fail($"the reader did not finish within 120 s; it was on case {current}");
        run.GetAwaiter().GetResult();
        TestContext.Out.WriteLine($"{parsed} parsed, {rejected} rejected, slowest case {worst.TotalMilliseconds:F1} ms");
        Assert.That(parsed + rejected, Is.EqualTo(cases));
        Assert.That(rejected, Is.GreaterThan(cases / 4), "most mutations should be caught");
    }
}
