using NetFromScratch.Training.Data;

namespace NetFromScratch.Tests.Training.Data;

public class OptDigitsTests
{
    [Test]
    public void ParsesRowsOf64PixelsAndALabel()
    {
        var row1 = string.Join(",", Enumerable.Range(0, 64).Select(i => i % 17)) + ",3";
        var row2 = string.Join(",", Enumerable.Repeat("16", 64)) + ",9";
        var ds = OptDigits.Parse(new StringReader(row1 + "\n" + row2 + "\n"), "mem");
        Assert.That(ds.Count, Is.EqualTo(2));
        Assert.That(ds.SampleShape.ToArray(), Is.EqualTo(new[] { 1, 8, 8 }));
        var x = new float[64];
        Assert.That(ds.CopySample(0, x), Is.EqualTo(3));
        Assert.That(x[16], Is.EqualTo(16 / 16f));
        Assert.That(x[17], Is.EqualTo(0f));
        Assert.That(ds.CopySample(1, x), Is.EqualTo(9));
    }

    [Test]
    public void BadLinesNameTheLineAndField()
    {
        var good = string.Join(",", Enumerable.Repeat("1", 64)) + ",2";
        var e1 = Assert.Throws<DataFormatException>(() => OptDigits.Parse(new StringReader(good + "\n1,2,3\n"), "f.tra"))!;
        Assert.That(e1.Message, Does.Contain("f.tra").And.Contain("line 2").And.Contain("found 3"));
        var e2 = Assert.Throws<DataFormatException>(() => OptDigits.Parse(new StringReader(good.Replace(",2", ",12")), "f.tra"))!;
        Assert.That(e2.Message, Does.Contain("label 12"));
        var e3 = Assert.Throws<DataFormatException>(() => OptDigits.Parse(new StringReader("x" + good[1..]), "f.tra"))!;
        Assert.That(e3.Message, Does.Contain("field 1").And.Contain("'x'"));
    }
}
