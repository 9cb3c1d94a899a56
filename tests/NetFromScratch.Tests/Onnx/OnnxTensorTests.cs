using System.Buffers.Binary;
using NetFromScratch.Onnx;
using NetFromScratch.Tensors;

namespace NetFromScratch.Tests.Onnx;

public class OnnxTensorTests
{
    private string _dir = "";

    [SetUp]
    public void CreateDirectory() => _dir = Directory.CreateTempSubdirectory("nfs-onnx-tensor-").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_dir, recursive: true);

    private static OnnxTensor Raw(OnnxDataType type, byte[] raw, params long[] dims)
    {
        var t = new OnnxTensor { Name = "t", DataType = type, RawData = raw };
        t.Dims.AddRange(dims);
        return t;
    }

    // Round trip through the wire format so every case also exercises the reader's checks.
    private static OnnxTensor Reparse(OnnxTensor t) => OnnxTensorFile.Parse(OnnxTensorFile.ToBytes(t), "t.pb");

    // Expected values written out by hand from the little-endian encodings of each type.
    [Test]
    public void RawDataOfEachNumericTypeConvertsToFloat()
    {
        var cases = new (OnnxDataType Type, byte[] Raw, float[] Expected)[]
        {
            (OnnxDataType.Float, [0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x20, 0xC1], [1f, -10f]),
            (OnnxDataType.Double, [0, 0, 0, 0, 0, 0, 0xF8, 0x3F, 0, 0, 0, 0, 0, 0, 0, 0xC0], [1.5f, -2f]),
            (OnnxDataType.Float16, [0x00, 0x3E, 0x00, 0xC5], [1.5f, -5f]),     // 0x3E00 = 1.5, 0xC500 = -5
            (OnnxDataType.BFloat16, [0x80, 0x3F, 0x40, 0xC0], [1f, -3f]),      // 0x3F80 = 1.0, 0xC040 = -3.0
            (OnnxDataType.Int8, [0xFD, 0x7F], [-3f, 127f]),
            (OnnxDataType.UInt8, [0xFD, 0x7F], [253f, 127f]),
            (OnnxDataType.Int16, [0x00, 0x80, 0x01, 0x00], [-32768f, 1f]),
            (OnnxDataType.UInt16, [0x00, 0x80, 0x01, 0x00], [32768f, 1f]),
            (OnnxDataType.Int32, [0xFF, 0xFF, 0xFF, 0xFF, 0x10, 0x00, 0x00, 0x00], [-1f, 16f]),
            (OnnxDataType.UInt32, [0xFF, 0xFF, 0xFF, 0xFF, 0x10, 0x00, 0x00, 0x00], [4294967295f, 16f]),
            (OnnxDataType.Int64, [0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 7, 0, 0, 0, 0, 0, 0, 0], [-2f, 7f]),
            (OnnxDataType.UInt64, [0, 0, 0, 0, 0, 0, 0, 0x80, 7, 0, 0, 0, 0, 0, 0, 0], [9223372036854775808f, 7f]),
            (OnnxDataType.Bool, [0x01, 0x00], [1f, 0f]),
        };
        foreach (var (type, raw, expected) in cases)
        {
            var t = Reparse(Raw(type, raw, 2));
            Assert.That(t.ToFloatArray(), Is.EqualTo(expected), type.ToString());
        }
    }

    [Test]
    public void TypedFieldsOfEachNumericTypeConvertToFloat()
    {
        OnnxTensor Typed(OnnxDataType type, Action<OnnxTensor> fill)
        {
            var t = new OnnxTensor { Name = "t", DataType = type };
            t.Dims.Add(2);
            fill(t);
            return Reparse(t);
        }
        Assert.That(Typed(OnnxDataType.Float, t => t.FloatData.AddRange([1.25f, -3f])).ToFloatArray(), Is.EqualTo(new[] { 1.25f, -3f }));
        Assert.That(Typed(OnnxDataType.Double, t => t.DoubleData.AddRange([0.5, 8.0])).ToFloatArray(), Is.EqualTo(new[] { 0.5f, 8f }));
        Assert.That(Typed(OnnxDataType.Int64, t => t.Int64Data.AddRange([-5, 1L << 40])).ToFloatArray(), Is.EqualTo(new[] { -5f, 1099511627776f }));
        Assert.That(Typed(OnnxDataType.UInt64, t => t.UInt64Data.AddRange([3, 4])).ToFloatArray(), Is.EqualTo(new[] { 3f, 4f }));
        Assert.That(Typed(OnnxDataType.UInt32, t => t.UInt64Data.AddRange([uint.MaxValue, 4])).ToFloatArray(), Is.EqualTo(new[] { 4294967295f, 4f }));
        Assert.That(Typed(OnnxDataType.Int32, t => t.Int32Data.AddRange([-7, 9])).ToFloatArray(), Is.EqualTo(new[] { -7f, 9f }));
        Assert.That(Typed(OnnxDataType.Int8, t => t.Int32Data.AddRange([-128, 127])).ToFloatArray(), Is.EqualTo(new[] { -128f, 127f }));
        Assert.That(Typed(OnnxDataType.UInt8, t => t.Int32Data.AddRange([255, 0])).ToFloatArray(), Is.EqualTo(new[] { 255f, 0f }));
        Assert.That(Typed(OnnxDataType.Int16, t => t.Int32Data.AddRange([-300, 300])).ToFloatArray(), Is.EqualTo(new[] { -300f, 300f }));
        Assert.That(Typed(OnnxDataType.UInt16, t => t.Int32Data.AddRange([65535, 1])).ToFloatArray(), Is.EqualTo(new[] { 65535f, 1f }));
        Assert.That(Typed(OnnxDataType.Bool, t => t.Int32Data.AddRange([1, 0])).ToFloatArray(), Is.EqualTo(new[] { 1f, 0f }));
        Assert.That(Typed(OnnxDataType.Float16, t => t.Int32Data.AddRange([0x3E00, 0xC500])).ToFloatArray(), Is.EqualTo(new[] { 1.5f, -5f }));
        Assert.That(Typed(OnnxDataType.BFloat16, t => t.Int32Data.AddRange([0x3F80, 0xC040])).ToFloatArray(), Is.EqualTo(new[] { 1f, -3f }));
    }

    [Test]
    public void IntegerTensorsConvertToInt64()
    {
        Assert.That(Reparse(OnnxTensor.FromInt64s("s", [3], [-1, 0, long.MaxValue])).ToInt64Array(), Is.EqualTo(new[] { -1, 0, long.MaxValue }));
        Assert.That(Reparse(Raw(OnnxDataType.Int32, [0xFF, 0xFF, 0xFF, 0xFF, 2, 0, 0, 0], 2)).ToInt64Array(), Is.EqualTo(new long[] { -1, 2 }));
        Assert.That(Reparse(Raw(OnnxDataType.UInt32, [0xFF, 0xFF, 0xFF, 0xFF, 2, 0, 0, 0], 2)).ToInt64Array(), Is.EqualTo(new long[] { uint.MaxValue, 2 }));
        Assert.That(Reparse(Raw(OnnxDataType.Int8, [0x80, 0x05], 2)).ToInt64Array(), Is.EqualTo(new long[] { -128, 5 }));
        Assert.That(Reparse(Raw(OnnxDataType.UInt8, [0x80, 0x05], 2)).ToInt64Array(), Is.EqualTo(new long[] { 128, 5 }));
        Assert.That(Reparse(Raw(OnnxDataType.Int16, [0xFF, 0xFF, 0x05, 0x00], 2)).ToInt64Array(), Is.EqualTo(new long[] { -1, 5 }));
        Assert.That(Reparse(Raw(OnnxDataType.UInt16, [0xFF, 0xFF, 0x05, 0x00], 2)).ToInt64Array(), Is.EqualTo(new long[] { 65535, 5 }));
        Assert.That(Reparse(Raw(OnnxDataType.Bool, [0x02, 0x00], 2)).ToInt64Array(), Is.EqualTo(new long[] { 1, 0 }));
        var typed = new OnnxTensor { Name = "i", DataType = OnnxDataType.Int32 };
        typed.Dims.Add(2);
        typed.Int32Data.AddRange([-4, 4]);
        Assert.That(Reparse(typed).ToInt64Array(), Is.EqualTo(new long[] { -4, 4 }));
        var ex = Assert.Throws<NotSupportedException>(() => OnnxTensor.FromFloats("f", [1], [1f]).ToInt64Array())!;
        Assert.That(ex.Message, Does.Contain("'f'").And.Contain("FLOAT"));
    }

    [Test]
    public void ScalarsAndEmptyTensorsConvert()
    {
        var scalar = Reparse(OnnxTensor.FromFloats("s", [], [2.5f]));
        Assert.That(scalar.Dims, Is.Empty);
        Assert.That(scalar.ElementCount, Is.EqualTo(1));
        Assert.That(scalar.ToTensor().Shape, Is.EqualTo(Shape.Scalar));
        Assert.That(scalar.ToFloatArray(), Is.EqualTo(new[] { 2.5f }));
        var empty = Reparse(OnnxTensor.FromFloats("e", [0, 3], []));
        Assert.That(empty.ToFloatArray(), Is.Empty);
        Assert.That(empty.ToTensor().Shape, Is.EqualTo(new Shape(0, 3)));
        var noData = new OnnxTensor { Name = "n", DataType = OnnxDataType.Float };
        noData.Dims.AddRange([2, 0]);
        Assert.That(Reparse(noData).ToFloatArray(), Is.Empty, "a zero-element tensor needs no data field");
    }

    [Test]
    public void TensorConvertsToAndFromTheTensorType()
    {
        var source = Tensor.FromArray(Enumerable.Range(0, 6).Select(i => i * 1.5f).ToArray(), new Shape(2, 3));
        var onnx = Reparse(OnnxTensor.FromTensor("w", source.T)); // a transposed view: values are read in logical order
        Assert.That(onnx.Dims, Is.EqualTo(new long[] { 3, 2 }));
        var back = onnx.ToTensor();
        Assert.That(back.Shape, Is.EqualTo(new Shape(3, 2)));
        Assert.That(back.ToArray(), Is.EqualTo(source.T.ToArray()));
    }

    [Test]
    public void StringAndUnsupportedTypesAreRejectedAsWeights()
    {
        var s = new OnnxTensor { Name = "labels", DataType = OnnxDataType.String };
        s.Dims.Add(1);
        s.StringData.Add("x"u8.ToArray());
        var e = Assert.Throws<NotSupportedException>(() => Reparse(s).ToFloatArray())!;
        Assert.That(e.Message, Does.Contain("'labels'").And.Contain("STRING"));
        var f8 = Raw(OnnxDataType.Float8E4M3FN, [0x38], 1);
        Assert.That(() => Reparse(f8).ToFloatArray(), Throws.TypeOf<NotSupportedException>());
        var int4 = Raw(OnnxDataType.Int4, [0x21, 0x03], 3); // three 4-bit values take two bytes
        Assert.That(Reparse(int4).RawData, Has.Length.EqualTo(2));
    }

    [TestCase("raw", "raw_data holds 20 bytes but dims [2, 3] of FLOAT need 24 (6 elements of 32 bits).")]
    [TestCase("typed", "holds 5 values in float_data but dims [2, 3] of FLOAT need 6.")]
    [TestCase("both", "holds data in both raw_data and float_data; exactly one place is allowed.")]
    [TestCase("none", "holds no data, but dims [2, 3] of FLOAT need 6 elements.")]
    [TestCase("wrongField", "holds data in int64_data, which cannot hold FLOAT elements.")]
    [TestCase("negative", "dimension 1 of dims [2, -3] is negative.")]
    [TestCase("overflow", "dims [4294967296, 4294967296] describe more than 9223372036854775807 elements.")]
    [TestCase("location", "data_location 7 is neither DEFAULT (0) nor EXTERNAL (1).")]
    [TestCase("rawString", "raw_data cannot hold STRING elements.")]
    [TestCase("wrap", "raw_data holds 8 bytes but dims [2305843009213693953] of DOUBLE need 9223372036854775807 (2305843009213693953 elements of 64 bits).")]
    public void DataThatDisagreesWithDimsIsRejectedWhenRead(string kind, string problem)
    {
        var t = new OnnxTensor { Name = "fc.weight", DataType = OnnxDataType.Float };
        t.Dims.AddRange([2, 3]);
        switch (kind)
        {
            case "raw": t.RawData = new byte[20]; break;
            case "typed": t.FloatData.AddRange(new float[5]); break;
            case "both": t.RawData = new byte[24]; t.FloatData.AddRange(new float[6]); break;
            case "none": break;
            case "wrongField": t.Int64Data.AddRange(new long[6]); break;
            case "negative": t.Dims[1] = -3; t.RawData = []; break;
            case "overflow": t.Dims[0] = t.Dims[1] = 1L << 32; t.RawData = []; break;
            case "location": t.DataLocation = (OnnxDataLocation)7; t.RawData = new byte[24]; break;
            case "rawString": t.DataType = OnnxDataType.String; t.RawData = new byte[6]; break;
            case "wrap": // 8 * (2^61 + 1) wraps to 8 in 64 bits; the size check must not be fooled
                t.Dims.Clear();
                t.Dims.Add((1L << 61) + 1);
                t.DataType = OnnxDataType.Double;
                t.RawData = new byte[8];
                break;
        }
        var bytes = OnnxTensorFile.ToBytes(t);
        var e = Assert.Throws<OnnxFormatException>(() => OnnxTensorFile.Parse(bytes, "input_0.pb"))!;
        Assert.That(e.File, Is.EqualTo("input_0.pb"));
        Assert.That(e.MessagePath, Is.EqualTo("tensor 'fc.weight'"));
        Assert.That(e.Offset, Is.Zero);
        Assert.That(e.Problem, Is.EqualTo(problem));
        // The same check guards tensors built in code.
        var v = Assert.Throws<OnnxFormatException>(t.Validate)!;
        Assert.That(v.Message, Is.EqualTo($"(in memory): tensor 'fc.weight': {problem}"));
    }

    [Test]
    public void FactoriesRejectValueCountsThatDisagreeWithDims()
    {
        var e = Assert.Throws<ArgumentException>(() => OnnxTensor.FromFloats("w", [2, 2], [1f, 2f, 3f]))!;
        Assert.That(e.Message, Does.Contain("'w'").And.Contain("[2, 2]"));
    }

    [Test]
    public void TensorFilesRoundTripOnDisk()
    {
        string path = Path.Combine(_dir, "input_0.pb");
        var t = OnnxTensor.FromFloats("input", [1, 3], [0.5f, -1f, 3f]);
        t.DocString = "test input";
        OnnxTensorFile.Write(path, t);
        Assert.That(Directory.GetFiles(_dir), Is.EqualTo(new[] { path }));
        var back = OnnxTensorFile.Read(path);
        Assert.That((back.Name, back.DocString, back.Source), Is.EqualTo(("input", "test input", path)));
        Assert.That(back.Dims, Is.EqualTo(new long[] { 1, 3 }));
        Assert.That(back.ToFloatArray(), Is.EqualTo(new[] { 0.5f, -1f, 3f }));
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(OnnxTensorFile.ToBytes(t)));
    }

    [Test]
    public void HandEncodedTensorFileParses()
    {
        // TensorProto { dims: 2 (packed, field 1 wire type 2), data_type: INT64 (7), name: "s",
        //               int64_data: 5, -1 (unpacked: tag (7 << 3) | 0 = 0x38) }
        var bytes = new byte[] { 0x0A, 0x01, 0x02, 0x10, 0x07, 0x42, 0x01, (byte)'s', 0x38, 0x05, 0x38, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 };
        var t = OnnxTensorFile.Parse(bytes);
        Assert.That((t.Name, t.DataType), Is.EqualTo(("s", OnnxDataType.Int64)));
        Assert.That(t.ToInt64Array(), Is.EqualTo(new long[] { 5, -1 }));
        // float_data unpacked: tag (4 << 3) | 5 = 0x25, then four bytes.
        var f = OnnxTensorFile.Parse([0x08, 0x02, 0x10, 0x01, 0x25, 0x00, 0x00, 0x80, 0x3F, 0x25, 0x00, 0x00, 0x00, 0x40]);
        Assert.That(f.ToFloatArray(), Is.EqualTo(new[] { 1f, 2f }));
        // uint64_data packed: tag (11 << 3) | 2 = 0x5A; double_data packed: tag (10 << 3) | 2 = 0x52.
        var u = OnnxTensorFile.Parse([0x08, 0x01, 0x10, 0x0D, 0x5A, 0x01, 0x2A]);
        Assert.That(u.ToInt64Array(), Is.EqualTo(new long[] { 42 }));
        var d = OnnxTensorFile.Parse([0x08, 0x01, 0x10, 0x0B, 0x52, 0x08, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F]);
        Assert.That(d.ToFloatArray(), Is.EqualTo(new[] { 1f }));
    }
}
