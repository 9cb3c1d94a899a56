using NetFromScratch.Onnx;
using NetFromScratch.Onnx.Proto;

namespace NetFromScratch.Tests.Onnx;

public class ProtoWireTests
{
    private static ProtoReader Reader(byte[] bytes) => new(bytes, "wire.bin");

    private static OnnxFormatException Fails(byte[] bytes, Action<byte[]> read)
    {
        var e = Assert.Throws<OnnxFormatException>(() => read(bytes))!;
        Assert.That(e.File, Is.EqualTo("wire.bin"));
        return e;
    }

    [TestCase(0UL, new byte[] { 0x00 })]
    [TestCase(1UL, new byte[] { 0x01 })]
    [TestCase(127UL, new byte[] { 0x7F })]
    [TestCase(128UL, new byte[] { 0x80, 0x01 })]
    [TestCase(150UL, new byte[] { 0x96, 0x01 })] // the example in the protobuf encoding guide
    [TestCase(300UL, new byte[] { 0xAC, 0x02 })]
    [TestCase(ulong.MaxValue, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 })]
    public void VarintsEncodeAndDecode(ulong value, byte[] encoded)
    {
        var w = new ProtoWriter();
        w.WriteVarint(value);
        Assert.That(w.ToArray(), Is.EqualTo(encoded));
        var r = Reader(encoded);
        Assert.That(r.ReadVarint(), Is.EqualTo(value));
        Assert.That(r.Remaining, Is.Zero);
        Assert.That(ProtoWriter.VarintSize(value), Is.EqualTo(encoded.Length));
    }

    [Test]
    public void NegativeInt32IsSignExtendedToTenBytes()
    {
        var w = new ProtoWriter();
        w.WriteInt32(1, -1);
        Assert.That(w.ToArray(), Is.EqualTo(new byte[] { 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }));
        var r = Reader(w.ToArray());
        Assert.That(r.TryReadTag(out int f, out var wt), Is.True);
        Assert.That((f, wt), Is.EqualTo((1, ProtoWireType.Varint)));
        Assert.That(r.ReadInt32(), Is.EqualTo(-1));
    }

    [Test]
    public void ZigzagDecodes()
    {
        // sint64: 0 -> 0, -1 -> 1, 1 -> 2, -2 -> 3, 2147483647 -> 4294967294.
        var r = Reader([0x00, 0x01, 0x02, 0x03, 0xFE, 0xFF, 0xFF, 0xFF, 0x0F]);
        Assert.That(new[] { r.ReadSInt64(), r.ReadSInt64(), r.ReadSInt64(), r.ReadSInt64(), r.ReadSInt64() },
            Is.EqualTo(new long[] { 0, -1, 1, -2, int.MaxValue }));
    }

    [Test]
    public void VarintLongerThanTenBytesFails()
    {
        var bytes = Enumerable.Repeat((byte)0x80, 10).Append((byte)0x01).ToArray();
        var e = Fails(bytes, b => { var r = Reader(b); r.ReadVarint(); });
        Assert.That(e.Problem, Does.Contain("varint"));
        Assert.That(e.Offset, Is.Zero);
    }

    [Test]
    public void TenthVarintByteAboveOneOverflows()
    {
        var bytes = Enumerable.Repeat((byte)0xFF, 9).Append((byte)0x02).ToArray();
        var e = Fails(bytes, b => { var r = Reader(b); r.ReadVarint(); });
        Assert.That(e.Problem, Does.Contain("overflows 64 bits"));
    }

    [Test]
    public void TruncatedVarintFailsAtItsStart()
    {
        var e = Fails([0x08, 0x96], b => { var r = Reader(b); r.TryReadTag(out _, out _); r.ReadVarint(); });
        Assert.That(e.Offset, Is.EqualTo(1));
        Assert.That(e.Problem, Does.Contain("truncated"));
    }

    [Test]
    public void LengthPastTheEndFailsBeforeAllocating()
    {
        // Field 9 (bytes) claims 2^31 bytes; only 3 follow.
        var e = Fails([0x4A, 0x80, 0x80, 0x80, 0x80, 0x08, 1, 2, 3], b =>
        {
            var r = Reader(b);
            r.TryReadTag(out _, out _);
            r.ReadBytes();
        });
        Assert.That(e.Offset, Is.EqualTo(1));
        Assert.That(e.Problem, Does.Contain("declares 2147483648 bytes but only 3 remain"));
    }

    [TestCase(new byte[] { 0x0B }, "group")] // field 1, wire type 3
    [TestCase(new byte[] { 0x0C }, "group")] // field 1, wire type 4
    [TestCase(new byte[] { 0x0E }, "invalid wire type 6")]
    [TestCase(new byte[] { 0x0F }, "invalid wire type 7")]
    [TestCase(new byte[] { 0x00 }, "field number 0")]
    [TestCase(new byte[] { 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 }, "does not fit in 32 bits")]
    public void BadTagsFail(byte[] bytes, string problem)
    {
        var e = Fails(bytes, b => { var r = Reader(b); r.TryReadTag(out _, out _); });
        Assert.That(e.Problem, Does.Contain(problem));
    }

    [Test]
    public void UnknownFieldsOfEveryWireTypeAreSkipped()
    {
        var w = new ProtoWriter();
        w.WriteInt64(100, 123456789);          // varint
        w.WriteDouble(101, 2.5);               // fixed64
        w.WriteBytes(102, [1, 2, 3, 4, 5]);    // length-delimited
        w.WriteFloat(103, 1.5f);               // fixed32
        w.WriteString(1, "kept");
        var r = Reader(w.ToArray());
        string? kept = null;
        while (r.TryReadTag(out int field, out var wt))
        {
            if (field == 1) kept = r.ReadString(wt, "name");
            else r.SkipField(wt);
        }
        Assert.That(kept, Is.EqualTo("kept"));
    }

    [Test]
    public void PackedAndUnpackedRepeatedScalarsDecodeAlike()
    {
        var packed = new ProtoWriter();
        packed.WritePackedInt64(1, [3, 270, -2]);
        packed.WritePackedFloat(2, [1.5f, -2f]);
        packed.WritePackedInt32(3, [5, -7]);
        packed.WritePackedDouble(4, [0.25]);
        packed.WritePackedUInt64(5, [ulong.MaxValue, 1]);
        var unpacked = new ProtoWriter();
        foreach (long v in new long[] { 3, 270, -2 }) unpacked.WriteInt64(1, v);
        unpacked.WriteFloat(2, 1.5f);
        unpacked.WriteFloat(2, -2f);
        unpacked.WriteInt32(3, 5);
        unpacked.WriteInt32(3, -7);
        unpacked.WriteDouble(4, 0.25);
        unpacked.WriteUInt64(5, ulong.MaxValue);
        unpacked.WriteUInt64(5, 1);
        // Both forms may also be mixed in one message; read each and compare.
        foreach (var bytes in new[] { packed.ToArray(), unpacked.ToArray() })
        {
            List<long> a = [];
            List<float> b = [];
            List<int> c = [];
            List<double> d = [];
            List<ulong> e = [];
            var r = Reader(bytes);
            while (r.TryReadTag(out int field, out var wt))
            {
                switch (field)
                {
                    case 1: r.ReadRepeatedInt64(wt, a, "a"); break;
                    case 2: r.ReadRepeatedFloat(wt, b, "b"); break;
                    case 3: r.ReadRepeatedInt32(wt, c, "c"); break;
                    case 4: r.ReadRepeatedDouble(wt, d, "d"); break;
                    case 5: r.ReadRepeatedUInt64(wt, e, "e"); break;
                }
            }
            Assert.That(a, Is.EqualTo(new long[] { 3, 270, -2 }));
            Assert.That(b, Is.EqualTo(new[] { 1.5f, -2f }));
            Assert.That(c, Is.EqualTo(new[] { 5, -7 }));
            Assert.That(d, Is.EqualTo(new[] { 0.25 }));
            Assert.That(e, Is.EqualTo(new[] { ulong.MaxValue, 1UL }));
        }
        // Hand-encoded packed run: field 1, length 13, varints 3, 270 (0x8E 0x02) and -2 (ten bytes, sign-extended).
        Assert.That(packed.ToArray()[..15], Is.EqualTo(new byte[] { 0x0A, 0x0D, 0x03, 0x8E, 0x02, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }));
    }

    [Test]
    public void PackedFloatsNotAMultipleOfFourFail()
    {
        var e = Fails([0x22, 0x03, 0, 0, 0], b =>
        {
            var r = Reader(b);
            r.TryReadTag(out _, out var wt);
            r.ReadRepeatedFloat(wt, [], "float_data");
        });
        Assert.That(e.Problem, Does.Contain("not a multiple of 4"));
    }

    [Test]
    public void WrongWireTypeForAKnownFieldFails()
    {
        // Field 1 sent as fixed32 where a string is expected.
        var e = Fails([0x0D, 1, 2, 3, 4], b =>
        {
            var r = Reader(b);
            r.TryReadTag(out _, out var wt);
            r.ReadString(wt, "name");
        });
        Assert.That(e.Problem, Does.Contain("(name)").And.Contain("wire type 5"));
    }

    [TestCase(10)]
    [TestCase(127)]
    [TestCase(128)]
    [TestCase(300)]
    [TestCase(20000)]
    public void NestedMessagesGetTheirShortestLength(int bodyLength)
    {
        var w = new ProtoWriter(16);
        w.WriteInt64(1, 7);
        int outer = w.BeginMessage(2);
        int inner = w.BeginMessage(3);
        w.WriteBytes(4, new byte[bodyLength]);
        w.EndMessage(inner);
        w.EndMessage(outer);
        w.WriteInt64(5, 9);
        var bytes = w.ToArray();
        int innerBody = 1 + ProtoWriter.VarintSize((ulong)bodyLength) + bodyLength;
        int outerBody = 1 + ProtoWriter.VarintSize((ulong)innerBody) + innerBody;
        Assert.That(bytes, Has.Length.EqualTo(2 + 1 + ProtoWriter.VarintSize((ulong)outerBody) + outerBody + 2));

        var r = Reader(bytes);
        Assert.That(r.TryReadTag(out _, out _), Is.True);
        Assert.That(r.ReadInt64(), Is.EqualTo(7));
        Assert.That(r.TryReadTag(out int f2, out _), Is.True);
        Assert.That(f2, Is.EqualTo(2));
        var o = r.ReadMessage();
        Assert.That(o.BaseOffset, Is.EqualTo(3 + ProtoWriter.VarintSize((ulong)outerBody)));
        o.TryReadTag(out _, out _);
        var i = o.ReadMessage();
        i.TryReadTag(out int f4, out _);
        Assert.That(f4, Is.EqualTo(4));
        Assert.That(i.ReadBytes(), Has.Length.EqualTo(bodyLength));
        Assert.That(r.TryReadTag(out int f5, out _), Is.True);
        Assert.That(f5, Is.EqualTo(5));
        Assert.That(r.ReadInt64(), Is.EqualTo(9));
    }

    [Test]
    public void DeepNestingIsRefusedWithoutOverflowingTheStack()
    {
        // 200 GraphProto-in-AttributeProto-in-NodeProto levels would recurse 600 deep; the reader stops at its limit.
        var inner = Array.Empty<byte>();
        for (int level = 0; level < 200; level++)
        {
            var w = new ProtoWriter();
            int k = (199 - level) % 3; // outermost first: graph.node, node.attribute, attribute.g, ...
            w.WriteBytes(k == 0 ? 1 : k == 1 ? 5 : 6, inner);
            inner = w.ToArray();
        }
        var model = new ProtoWriter();
        model.WriteBytes(7, inner); // model.graph
        var e = Assert.Throws<OnnxFormatException>(() => OnnxModel.Parse(model.ToArray(), "deep.onnx"))!;
        Assert.That(e.Problem, Does.Contain("nest deeper than 100"));
        Assert.That(e.MessagePath, Does.StartWith("graph.node[0].attribute[0].g.node[0]"));
    }
}
