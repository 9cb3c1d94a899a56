using NetFromScratch.Onnx;
using NetFromScratch.Onnx.Proto;

namespace NetFromScratch.Tests.Onnx;

public class OnnxModelTests
{
    private string _dir = "";

    [SetUp]
    public void CreateDirectory() => _dir = Directory.CreateTempSubdirectory("nfs-onnx-").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_dir, recursive: true);

    // A model with one Relu node, encoded byte by byte from onnx.proto's field numbers. A tag byte is
    // (field_number << 3) | wire_type, with wire type 0 = varint and 2 = length-delimited.
    private static readonly byte[] ReluModel =
    [
        0x08, 0x08,                                     // ModelProto.ir_version (1, varint) = 8
        0x12, 0x04, (byte)'t', (byte)'e', (byte)'s', (byte)'t', // ModelProto.producer_name (2) = "test"
        0x3A, 0x57,                                     // ModelProto.graph (7), 87 bytes:
            0x0A, 0x13,                                 //   GraphProto.node (1), 19 bytes:
                0x0A, 0x01, (byte)'x',                  //     NodeProto.input (1) = "x"
                0x12, 0x01, (byte)'y',                  //     NodeProto.output (2) = "y"
                0x1A, 0x05, (byte)'r', (byte)'e', (byte)'l', (byte)'u', (byte)'0', // NodeProto.name (3) = "relu0"
                0x22, 0x04, (byte)'R', (byte)'e', (byte)'l', (byte)'u', // NodeProto.op_type (4) = "Relu"
            0x12, 0x01, (byte)'g',                      //   GraphProto.name (2) = "g"
            0x2A, 0x11,                                 //   GraphProto.initializer (5), 17 bytes:
                0x08, 0x02,                             //     TensorProto.dims (1, varint) = 2
                0x10, 0x01,                             //     TensorProto.data_type (2) = FLOAT (1)
                0x42, 0x01, (byte)'w',                  //     TensorProto.name (8) = "w"
                0x4A, 0x08, 0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0x40, // TensorProto.raw_data (9) = 1.0f, 2.0f little-endian
            0x5A, 0x14,                                 //   GraphProto.input (11), 20 bytes: ValueInfoProto
                0x0A, 0x01, (byte)'x',                  //     ValueInfoProto.name (1) = "x"
                0x12, 0x0F,                             //     ValueInfoProto.type (2), 15 bytes: TypeProto
                    0x0A, 0x0D,                         //       TypeProto.tensor_type (1), 13 bytes
                        0x08, 0x01,                     //         Tensor.elem_type (1) = FLOAT
                        0x12, 0x09,                     //         Tensor.shape (2), 9 bytes: TensorShapeProto
                            0x0A, 0x03, 0x12, 0x01, (byte)'N', // dim (1) { dim_param (2) = "N" }
                            0x0A, 0x02, 0x08, 0x04,     //           dim (1) { dim_value (1) = 4 }
            0x62, 0x14,                                 //   GraphProto.output (12), 20 bytes: same layout for "y"
                0x0A, 0x01, (byte)'y',
                0x12, 0x0F, 0x0A, 0x0D, 0x08, 0x01, 0x12, 0x09,
                    0x0A, 0x03, 0x12, 0x01, (byte)'N',
                    0x0A, 0x02, 0x08, 0x04,
        0x42, 0x02,                                     // ModelProto.opset_import (8), 2 bytes:
            0x10, 0x0D,                                 //   OperatorSetIdProto.version (2) = 13
    ];

    [Test]
    public void HandEncodedReluModelParses()
    {
        var m = OnnxModel.Parse(ReluModel, "relu.onnx");
        Assert.That(m.IrVersion, Is.EqualTo(8));
        Assert.That(m.ProducerName, Is.EqualTo("test"));
        Assert.That(m.OpsetVersion(), Is.EqualTo(13));
        Assert.That(m.OpsetImports.Single().Domain, Is.EqualTo(""));
        var g = m.Graph;
        Assert.That(g.Name, Is.EqualTo("g"));
        var node = g.Nodes.Single();
        Assert.That((node.OpType, node.Name), Is.EqualTo(("Relu", "relu0")));
        Assert.That(node.Inputs, Is.EqualTo(new[] { "x" }));
        Assert.That(node.Outputs, Is.EqualTo(new[] { "y" }));
        var w = g.Initializers.Single();
        Assert.That((w.Name, w.DataType), Is.EqualTo(("w", OnnxDataType.Float)));
        Assert.That(w.Dims, Is.EqualTo(new long[] { 2 }));
        Assert.That(w.ToFloatArray(), Is.EqualTo(new[] { 1f, 2f }));
        Assert.That(w.SourceOffset, Is.EqualTo(36), "the tensor's bytes start after its tag and length");
        var x = g.Inputs.Single();
        Assert.That(x.Name, Is.EqualTo("x"));
        Assert.That(x.Type!.TensorType!.ElemType, Is.EqualTo(OnnxDataType.Float));
        Assert.That(x.Type.TensorType.Shape!.ToString(), Is.EqualTo("[N, 4]"));
        Assert.That(g.Outputs.Single().ToString(), Is.EqualTo("y: FLOAT [N, 4]"));
    }

    [Test]
    public void WriterProducesTheHandEncodedBytes()
    {
        var m = new OnnxModel { IrVersion = 8, ProducerName = "test" };
        m.OpsetImports.Add(new OnnxOpsetId("", 13));
        m.Graph.Name = "g";
        m.Graph.Nodes.Add(OnnxNode.Create("Relu", "relu0", ["x"], ["y"]));
        m.Graph.Initializers.Add(OnnxTensor.FromFloats("w", [2], [1f, 2f]));
        m.Graph.Inputs.Add(OnnxValueInfo.Tensor("x", OnnxDataType.Float, "N", 4));
        m.Graph.Outputs.Add(OnnxValueInfo.Tensor("y", OnnxDataType.Float, "N", 4));
        Assert.That(m.ToBytes(), Is.EqualTo(ReluModel));
    }

    // AttributeProto { name (1) = "perm", ints (8) = 1, 0 unpacked, type (20) = INTS (7) }: the type tag is
    // (20 << 3) | 0 = 160, a two-byte varint 0xA0 0x01.
    private static readonly byte[] PermAttribute = [0x0A, 0x04, (byte)'p', (byte)'e', (byte)'r', (byte)'m', 0x40, 0x01, 0x40, 0x00, 0xA0, 0x01, 0x07];

    private static OnnxAttribute ReadAttribute(byte[] bytes)
    {
        var r = new ProtoReader(bytes, "attr");
        return OnnxAttribute.Read(ref r);
    }

    private static byte[] WriteAttribute(OnnxAttribute a)
    {
        var w = new ProtoWriter();
        a.Write(w, 5);
        var bytes = w.ToArray();
        return bytes[2..]; // drop the NodeProto.attribute tag and one-byte length
    }

    [Test]
    public void HandEncodedAttributeMatchesTheSpec()
    {
        var a = ReadAttribute(PermAttribute);
        Assert.That((a.Name, a.Type), Is.EqualTo(("perm", OnnxAttributeType.Ints)));
        Assert.That(a.Ints, Is.EqualTo(new long[] { 1, 0 }));
        Assert.That(WriteAttribute(OnnxAttribute.FromInts("perm", 1, 0)), Is.EqualTo(PermAttribute));

        // f (2) is fixed32: tag 0x15; i (3) is a varint: tag 0x18; s (4): tag 0x22; floats (7) fixed32: tag 0x3D.
        Assert.That(WriteAttribute(OnnxAttribute.FromFloat("alpha", 0.5f)),
            Is.EqualTo(new byte[] { 0x0A, 0x05, (byte)'a', (byte)'l', (byte)'p', (byte)'h', (byte)'a', 0x15, 0x00, 0x00, 0x00, 0x3F, 0xA0, 0x01, 0x01 }));
        Assert.That(WriteAttribute(OnnxAttribute.FromInt("axis", -1)),
            Is.EqualTo(new byte[] { 0x0A, 0x04, (byte)'a', (byte)'x', (byte)'i', (byte)'s', 0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0xA0, 0x01, 0x02 }));
        Assert.That(WriteAttribute(OnnxAttribute.FromString("mode", "ab")),
            Is.EqualTo(new byte[] { 0x0A, 0x04, (byte)'m', (byte)'o', (byte)'d', (byte)'e', 0x22, 0x02, (byte)'a', (byte)'b', 0xA0, 0x01, 0x03 }));
        Assert.That(WriteAttribute(OnnxAttribute.FromFloats("s", 1f)),
            Is.EqualTo(new byte[] { 0x0A, 0x01, (byte)'s', 0x3D, 0x00, 0x00, 0x80, 0x3F, 0xA0, 0x01, 0x06 }));
    }

    [Test]
    public void PackedAttributeIntsDecodeLikeUnpacked()
    {
        // ints (8) packed: tag (8 << 3) | 2 = 0x42, length 2, varints 1 and 0.
        var a = ReadAttribute([0x0A, 0x04, (byte)'p', (byte)'e', (byte)'r', (byte)'m', 0x42, 0x02, 0x01, 0x00, 0xA0, 0x01, 0x07]);
        Assert.That(a.Ints, Is.EqualTo(new long[] { 1, 0 }));
    }

    [TestCase(new byte[] { 0x15, 0x00, 0x00, 0x00, 0x00 }, OnnxAttributeType.Float)]   // f = 0.0, present
    [TestCase(new byte[] { 0x18, 0x00 }, OnnxAttributeType.Int)]                       // i = 0, present
    [TestCase(new byte[] { 0x22, 0x00 }, OnnxAttributeType.String)]                    // s = ""
    [TestCase(new byte[] { 0x2A, 0x00 }, OnnxAttributeType.Tensor)]                    // t = {}
    [TestCase(new byte[] { 0x32, 0x00 }, OnnxAttributeType.Graph)]                     // g = {}
    [TestCase(new byte[] { 0x3D, 0x00, 0x00, 0x80, 0x3F }, OnnxAttributeType.Floats)]  // floats = [1]
    [TestCase(new byte[] { 0x40, 0x03 }, OnnxAttributeType.Ints)]                      // ints = [3]
    [TestCase(new byte[] { 0x4A, 0x01, 0x41 }, OnnxAttributeType.Strings)]             // strings = ["A"]
    [TestCase(new byte[] { 0x52, 0x00 }, OnnxAttributeType.Tensors)]                   // tensors = [{}]
    [TestCase(new byte[] { 0x5A, 0x00 }, OnnxAttributeType.Graphs)]                    // graphs = [{}]
    [TestCase(new byte[0], OnnxAttributeType.Undefined)]
    public void LegacyAttributesWithoutTypeGetItFromTheFieldPresent(byte[] value, OnnxAttributeType expected)
    {
        var bytes = new byte[] { 0x0A, 0x01, (byte)'a' }.Concat(value).ToArray();
        var a = ReadAttribute(bytes);
        Assert.That(a.Type, Is.EqualTo(expected));
    }

    [Test]
    public void RoundTripKeepsEveryModelledField()
    {
        var original = OnnxSamples.SmallModel();
        var bytes = original.ToBytes();
        var m = OnnxModel.Parse(bytes, "small.onnx");
        Assert.That(m.ToBytes(), Is.EqualTo(bytes), "write(parse(write(m))) == write(m)");

        Assert.That((m.IrVersion, m.ProducerName, m.ProducerVersion, m.Domain, m.ModelVersion, m.DocString),
            Is.EqualTo((8L, "nfs-tests", "1.0", "org.netfromscratch", 3L, "a small model")));
        Assert.That(m.OpsetImports.Select(o => o.ToString()), Is.EqualTo(new[] { "ai.onnx 17", "com.microsoft 1" }));
        Assert.That(m.OpsetVersion("com.microsoft"), Is.EqualTo(1));
        Assert.That(m.MetadataProps, Is.EqualTo(original.MetadataProps));
        var g = m.Graph;
        Assert.That((g.Name, g.DocString), Is.EqualTo(("main_graph", "graph doc")));
        Assert.That(g.Inputs.Select(v => v.ToString()), Is.EqualTo(new[] { "x: FLOAT [batch, 1, 4, 4]" }));
        Assert.That(g.ValueInfo.Single().ToString(), Is.EqualTo("h: FLOAT [batch, 2, 4, 4]"));
        Assert.That(g.Nodes.Select(n => n.OpType), Is.EqualTo(original.Graph.Nodes.Select(n => n.OpType)));
        Assert.That(g.Nodes.Select(n => n.Domain), Is.EqualTo(original.Graph.Nodes.Select(n => n.Domain)));
        Assert.That(g.Nodes[5].DocString, Is.EqualTo("a custom op"));

        var conv = g.Nodes[0];
        Assert.That(conv.Inputs, Is.EqualTo(new[] { "x", "conv.weight", "conv.bias" }));
        Assert.That(conv.FindAttribute("pads")!.Ints, Is.EqualTo(new long[] { 1, 1, 1, 1 }));
        Assert.That(conv.FindAttribute("auto_pad")!.StringValue, Is.EqualTo("NOTSET"));
        var gemm = g.Nodes[3];
        Assert.That(gemm.FindAttribute("beta")!.Type, Is.EqualTo(OnnxAttributeType.Float), "a zero float keeps its type");
        Assert.That(gemm.FindAttribute("beta")!.F, Is.Zero);
        Assert.That(gemm.FindAttribute("transB")!.I, Is.EqualTo(1));
        Assert.That(g.Nodes[4].FindAttribute("value")!.T!.ToFloatArray(), Is.EqualTo(new[] { 1f, 2f, 3f }));
        var custom = g.Nodes[5];
        Assert.That(custom.FindAttribute("scales")!.Floats, Is.EqualTo(new[] { 0.5f, 2f }));
        Assert.That(custom.FindAttribute("modes")!.Strings.Select(s => System.Text.Encoding.UTF8.GetString(s)), Is.EqualTo(new[] { "a", "bc" }));
        var branch = g.Nodes[7];
        Assert.That(branch.FindAttribute("then_branch")!.G!.Nodes.Single().OpType, Is.EqualTo("Identity"));
        Assert.That(branch.FindAttribute("else_branch")!.G!.Initializers.Single().ToFloatArray(), Is.EqualTo(new[] { 4f }));
        var last = g.Nodes[8];
        Assert.That(last.FindAttribute("bodies")!.Graphs.Single().Name, Is.EqualTo("empty"));
        Assert.That(last.FindAttribute("bodies")!.DocString, Is.EqualTo("graphs list"));
        Assert.That(last.FindAttribute("tables")!.Tensors.Single().ToInt64Array(), Is.EqualTo(new long[] { 4, 5 }));

        for (int i = 0; i < original.Graph.Initializers.Count; i++)
        {
            var (a, b) = (original.Graph.Initializers[i], g.Initializers[i]);
            Assert.That((b.Name, b.DataType, b.DocString), Is.EqualTo((a.Name, a.DataType, a.DocString)));
            Assert.That(b.Dims, Is.EqualTo(a.Dims));
            if (a.DataType != OnnxDataType.String) Assert.That(b.ToFloatArray(), Is.EqualTo(a.ToFloatArray()), a.Name);
        }
        Assert.That(g.FindInitializer("labels")!.StringData.Select(s => System.Text.Encoding.UTF8.GetString(s)), Is.EqualTo(new[] { "cat", "dog" }));
        var sparse = g.SparseInitializers.Single();
        Assert.That((sparse.Name, sparse.Dims.ToArray()), Is.EqualTo(("sparse.w", new long[] { 2, 3 })));
        Assert.That(sparse.Indices!.ToInt64Array(), Is.EqualTo(new long[] { 0, 5 }));
    }

    [Test]
    public void EachMessageTypeRoundTripsOnItsOwn()
    {
        // One message of each kind, written then read back with the same reader the model uses.
        static T RoundTrip<T>(Action<ProtoWriter> write, ReadFunc<T> read)
        {
            var w = new ProtoWriter();
            write(w);
            var r = new ProtoReader(w.ToArray(), "msg");
            Assert.That(r.TryReadTag(out int f, out _), Is.True);
            Assert.That(f, Is.EqualTo(1));
            var sub = r.ReadMessage();
            return read(ref sub);
        }

        var opset = RoundTrip(w => new OnnxOpsetId("ai.onnx.ml", 3).Write(w, 1), OnnxOpsetId.Read);
        Assert.That((opset.Domain, opset.Version), Is.EqualTo(("ai.onnx.ml", 3L)));

        var dim = RoundTrip(w => new OnnxDimension { Value = 0, Denotation = "DATA_BATCH" }.Write(w, 1), OnnxDimension.Read);
        Assert.That((dim.Value, dim.Param, dim.Denotation), Is.EqualTo(((long?)0, (string?)null, "DATA_BATCH")), "dim_value 0 is kept, not dropped");
        var unknownDim = RoundTrip(w => new OnnxDimension().Write(w, 1), OnnxDimension.Read);
        Assert.That(unknownDim.ToString(), Is.EqualTo("?"));

        var type = OnnxType.Tensor(OnnxDataType.Int64, "n", 0L);
        type.Denotation = "TENSOR";
        var typeBack = RoundTrip(w => type.Write(w, 1), OnnxType.Read);
        Assert.That((typeBack.ToString(), typeBack.Denotation), Is.EqualTo(("INT64 [n, 0]", "TENSOR")));
        var noShape = RoundTrip(w => new OnnxType { TensorType = new OnnxTensorType { ElemType = OnnxDataType.Bool } }.Write(w, 1), OnnxType.Read);
        Assert.That(noShape.TensorType!.Shape, Is.Null, "an absent shape (unknown rank) differs from a scalar's empty shape");
        var scalar = RoundTrip(w => OnnxType.Tensor(OnnxDataType.Float).Write(w, 1), OnnxType.Read);
        Assert.That(scalar.TensorType!.Shape!.Dims, Is.Empty);

        var vi = RoundTrip(w => new OnnxValueInfo { Name = "v", DocString = "doc", Type = type }.Write(w, 1), OnnxValueInfo.Read);
        Assert.That((vi.Name, vi.DocString, vi.Type!.ToString()), Is.EqualTo(("v", "doc", "INT64 [n, 0]")));

        var seg = new OnnxTensor { Name = "part", DataType = OnnxDataType.Float, Segment = new OnnxTensorSegment { Begin = 2, End = 4 } };
        seg.Dims.Add(10);
        seg.FloatData.AddRange([1f, 2f]);
        var segBack = RoundTrip(w => seg.Write(w, 1), OnnxTensor.Read);
        Assert.That((segBack.Segment!.Begin, segBack.Segment.End), Is.EqualTo((2L, 4L)));

        var node = OnnxNode.Create("Add", "add", ["a", ""], ["c"]);
        node.Domain = "ai.onnx";
        node.DocString = "sum";
        var nodeBack = RoundTrip(w => node.Write(w, 1), OnnxNode.Read);
        Assert.That(nodeBack.ToString(), Is.EqualTo("Add 'add'(a, ) -> (c)"), "an empty input name (omitted optional input) survives");
        Assert.That((nodeBack.Domain, nodeBack.DocString), Is.EqualTo(("ai.onnx", "sum")));

        var attr = new OnnxAttribute { Name = "r", RefAttrName = "outer", Type = OnnxAttributeType.Int, DocString = "ref" };
        var attrBack = RoundTrip(w => attr.Write(w, 1), OnnxAttribute.Read);
        Assert.That((attrBack.RefAttrName, attrBack.DocString, attrBack.Type), Is.EqualTo(("outer", "ref", OnnxAttributeType.Int)));
    }

    private delegate T ReadFunc<T>(ref ProtoReader r);

    [Test]
    public void UnknownFieldsAreSkipped()
    {
        // ModelProto.training_info (20) and functions (25), GraphProto.quantization_annotation (14),
        // NodeProto.overload (8): valid fields this reader does not model.
        var w = new ProtoWriter();
        w.WriteBytes(20, [0x0A, 0x00]);
        w.WriteInt64(1, 9);
        int g = w.BeginMessage(7);
        int n = w.BeginMessage(1);
        w.WriteString(4, "Relu");
        w.WriteString(8, "overload-id");
        w.EndMessage(n);
        w.WriteBytes(14, [0x0A, 0x01, (byte)'t']);
        w.EndMessage(g);
        w.WriteBytes(25, [0x0A, 0x01, (byte)'f']);
        w.WriteFloat(99, 1.5f);
        w.WriteDouble(98, 2.5);
        var m = OnnxModel.Parse(w.ToArray());
        Assert.That(m.IrVersion, Is.EqualTo(9));
        Assert.That(m.Graph.Nodes.Single().OpType, Is.EqualTo("Relu"));
    }

    [Test]
    public void LengthFieldPastTheEndNamesModelOffsetAndField()
    {
        // ir_version = 8, then graph (7) claiming 127 bytes with only 3 present.
        var bytes = new byte[] { 0x08, 0x08, 0x3A, 0x7F, 0x0A, 0x01, 0x00 };
        var e = Assert.Throws<OnnxFormatException>(() => OnnxModel.Parse(bytes, "cut.onnx"))!;
        Assert.That(e.File, Is.EqualTo("cut.onnx"));
        Assert.That(e.MessagePath, Is.EqualTo("graph"));
        Assert.That(e.Offset, Is.EqualTo(3));
        Assert.That(e.Message, Is.EqualTo("cut.onnx: graph: at byte 3: field 7 declares 127 bytes but only 3 remain in its message: the data is truncated or corrupt."));
    }

    [Test]
    public void ErrorsInsideANodeNameTheNodeAndAttribute()
    {
        var m = OnnxSamples.SmallModel();
        // Constant node 'c' (index 4): its tensor attribute claims 3 floats but holds 2.
        m.Graph.Nodes[4].Attributes[0].T!.RawData = new byte[8];
        var bytes = m.ToBytes();
        var e = Assert.Throws<OnnxFormatException>(() => OnnxModel.Parse(bytes, "bad.onnx"))!;
        Assert.That(e.MessagePath, Is.EqualTo("graph.node[4](Constant 'c').attribute[0] 'value'.t 'k.value'"));
        Assert.That(e.Problem, Is.EqualTo("raw_data holds 8 bytes but dims [3] of FLOAT need 12 (3 elements of 32 bits)."));
        Assert.That(e.Message, Does.StartWith("bad.onnx: graph.node[4](Constant 'c').attribute[0] 'value'.t 'k.value': at byte "));
    }

    [Test]
    public void InitializerWhoseDataDisagreesWithItsDimsIsRejected()
    {
        var m = OnnxSamples.SmallModel();
        m.Graph.Initializers[2].Dims[1] = 31; // fc.weight [3, 31] but 96 floats stored
        var bytes = m.ToBytes();
        var e = Assert.Throws<OnnxFormatException>(() => OnnxModel.Parse(bytes, "bad.onnx"))!;
        Assert.That(e.MessagePath, Is.EqualTo("graph.initializer[2] 'fc.weight'"));
        Assert.That(e.Problem, Does.Contain("raw_data holds 384 bytes but dims [3, 31] of FLOAT need 372"));
        // The offset points at the tensor message: its first byte is the dims tag (field 1, varint).
        Assert.That(bytes[e.Offset], Is.EqualTo(0x08));
    }

    [Test]
    public void SaveIsAtomicAndLoadReadsItBack()
    {
        string path = Path.Combine(_dir, "m.onnx");
        File.WriteAllText(path, "old contents");
        var m = OnnxSamples.SmallModel();
        m.Save(path);
        Assert.That(Directory.GetFiles(_dir), Is.EqualTo(new[] { path }), "no temporary file is left behind");
        var back = OnnxModel.Load(path);
        Assert.That(back.Source, Is.EqualTo(path));
        Assert.That(back.ToBytes(), Is.EqualTo(m.ToBytes()));
        Assert.Throws<FileNotFoundException>(() => OnnxModel.Load(Path.Combine(_dir, "missing.onnx")));
    }
}
