using System.Buffers.Binary;
using System.Text;
using NetFromScratch.Tensors;
using NetFromScratch.Tensors.Serialization;

namespace NetFromScratch.Tests.Tensors.Serialization;

public class SafeTensorsTests
{
    private string _dir = "";

    [SetUp]
    public void CreateDirectory() => _dir = Directory.CreateTempSubdirectory("nfs-safetensors-").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    // A file laid out by hand: 8-byte length, JSON header, raw data.
    private static byte[] Build(string headerJson, byte[] data)
    {
        var header = Encoding.UTF8.GetBytes(headerJson);
        var bytes = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + header.Length);
        return bytes;
    }

    private static byte[] Floats(params float[] values)
    {
        var b = new byte[4 * values.Length];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(4 * i), values[i]);
        return b;
    }

    private SafeTensorsFormatException LoadFails(byte[] bytes)
    {
        string p = PathOf("bad.safetensors");
        File.WriteAllBytes(p, bytes);
        var e = Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Load(p))!;
        Assert.That(e.Message, Does.Contain("bad.safetensors"));
        return e;
    }

    [Test]
    public void RoundTripKeepsNamesOrderShapesValuesAndMetadata()
    {
        var a = Tensor.FromArray(new float[] { 1, -2.5f, 3, 4, 5, 6 }, new Shape(2, 3));
        var b = Tensor.Scalar(7f);
        var c = Tensor.Zeros(new Shape(0, 4));
        var t = Tensor.FromArray(new float[] { 1, 2, 3, 4 }, new Shape(2, 2)).T; // non-contiguous source
        string p = PathOf("m.safetensors");
        SafeTensors.Save(p, new Dictionary<string, Tensor> { ["w"] = a, ["s"] = b, ["empty"] = c, ["t"] = t },
            new Dictionary<string, string> { ["format"] = "pt" });

        var f = SafeTensors.Load(p);
        Assert.That(f.Tensors.Select(kv => kv.Key), Is.EqualTo(new[] { "w", "s", "empty", "t" }));
        Assert.That(f["w"].Shape, Is.EqualTo(new Shape(2, 3)));
        Assert.That(f["w"].ToArray(), Is.EqualTo(a.ToArray()));
        Assert.That(f["s"].Shape.Rank, Is.EqualTo(0));
        Assert.That(f["s"].Item(), Is.EqualTo(7f));
        Assert.That(f["empty"].Shape, Is.EqualTo(new Shape(0, 4)));
        Assert.That(f["t"].ToArray(), Is.EqualTo(new float[] { 1, 3, 2, 4 }));
        Assert.That(f.Metadata["format"], Is.EqualTo("pt"));
        // The data starts 8-byte aligned.
        var bytes = File.ReadAllBytes(p);
        Assert.That(BinaryPrimitives.ReadUInt64LittleEndian(bytes) % 8, Is.EqualTo(0UL));
    }

    [Test]
    public void AHandWrittenFileWithOtherDtypesLoads()
    {
        // F32 [2], F16 [2] (1.0, -2.0), BF16 [1] (0.5), I64 [] (42): a layout as torch's writer produces.
        var data = new List<byte>();
        data.AddRange(Floats(1.5f, -0.25f));
        data.AddRange(new byte[] { 0x00, 0x3C, 0x00, 0xC0 });
        data.AddRange(new byte[] { 0x00, 0x3F });
        data.AddRange(BitConverter.GetBytes(42L));
        string json = "{\"__metadata__\":{\"format\":\"pt\"}," +
                      "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}," +
                      "\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[8,12]}," +
                      "\"b\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[12,14]}," +
                      "\"n\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[14,22]}}  ";
        string p = PathOf("hand.safetensors");
        File.WriteAllBytes(p, Build(json, data.ToArray()));
        var f = SafeTensors.Load(p);
        Assert.That(f["a"].ToArray(), Is.EqualTo(new[] { 1.5f, -0.25f }));
        Assert.That(f["h"].ToArray(), Is.EqualTo(new[] { 1f, -2f }));
        Assert.That(f["b"].ToArray(), Is.EqualTo(new[] { 0.5f }));
        Assert.That(f["n"].Item(), Is.EqualTo(42f));
    }

    [Test]
    public void TruncatedFilesNameTheProblem()
    {
        Assert.That(LoadFails(new byte[] { 1, 2, 3 }).Message, Does.Contain("too short"));
        string json = "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}";
        var full = Build(json, Floats(1, 2, 3, 4));
        var e = LoadFails(full[..^5]);
        Assert.That(e.Message, Does.Contain("'a'").And.Contain("truncated"));
    }

    [Test]
    public void HeaderLengthPastTheEndIsRejectedBeforeAllocating()
    {
        var bytes = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, ulong.MaxValue / 2);
        var e = LoadFails(bytes);
        Assert.That(e.Offset, Is.EqualTo(0));
        Assert.That(e.Message, Does.Contain("runs past the end"));
    }

    [Test]
    public void OverlappingOffsetsAreRejected()
    {
        string json = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}," +
                      "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        var e = LoadFails(Build(json, Floats(1, 2, 3)));
        Assert.That(e.Message, Does.Contain("overlaps"));
        Assert.That(e.Offset, Is.GreaterThan(8));
    }

    [Test]
    public void OutOfRangeAndInconsistentOffsetsAreRejected()
    {
        var e1 = LoadFails(Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", Floats(1, 2)));
        Assert.That(e1.Message, Does.Contain("begin after end"));
        var e2 = LoadFails(Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", Floats(1, 2)));
        Assert.That(e2.Message, Does.Contain("needs 12"));
        var e3 = LoadFails(Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-1,8]}}", Floats(1, 2)));
        Assert.That(e3.Message, Does.Contain("invalid data offset"));
        var e4 = LoadFails(Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", Floats(1, 2)));
        Assert.That(e4.Message, Does.Contain("invalid dimension"));
    }

    [Test]
    public void UnknownDtypeAndBadJsonAreRejected()
    {
        var e = LoadFails(Build("{\"a\":{\"dtype\":\"Q4\",\"shape\":[2],\"data_offsets\":[0,8]}}", Floats(1, 2)));
        Assert.That(e.Message, Does.Contain("unknown or unsupported dtype 'Q4'"));
        var j = LoadFails(Build("{\"a\":{\"dtype\":", Floats(1, 2)));
        Assert.That(j.Message, Does.Contain("not valid JSON"));
        var arr = LoadFails(Build("[1,2]", Array.Empty<byte>()));
        Assert.That(arr.Message, Does.Contain("JSON object"));
    }

    [Test]
    public void AFailedSaveLeavesThePreviousFileIntact()
    {
        string p = PathOf("keep.safetensors");
        SafeTensors.Save(p, new Dictionary<string, Tensor> { ["w"] = Tensor.Ones(new Shape(3)) });
        var before = File.ReadAllBytes(p);

        IEnumerable<KeyValuePair<string, Tensor>> Failing()
        {
            yield return new("w", Tensor.Zeros(new Shape(3)));
            throw new IOException("disk full (simulated)");
        }
        Assert.Throws<IOException>(() => SafeTensors.Save(p, Failing()));
        Assert.That(File.ReadAllBytes(p), Is.EqualTo(before));
        Assert.That(Directory.GetFiles(_dir), Has.Length.EqualTo(1), "no temporary file is left behind");
        Assert.Throws<ArgumentException>(() => SafeTensors.Save(p, new[] { new KeyValuePair<string, Tensor>("a", Tensor.Ones(new Shape(1))), new("a", Tensor.Ones(new Shape(1))) }));
        Assert.That(File.ReadAllBytes(p), Is.EqualTo(before));
    }
}
