using NetFromScratch.Autograd;
using NetFromScratch.Tensors;

namespace NetFromScratch.Tests.Autograd;

/// <summary>Every differentiable op against central finite differences (the same cases <c>nfs gradcheck</c> prints).</summary>
[TestFixtureSource(typeof(BackendCases), nameof(BackendCases.All))]
public class GradCheckSuiteTests(Device device)
{
    private static IEnumerable<GradCheckCase> Cases() => GradCheckSuite.Cases;

    [TestCaseSource(nameof(Cases))]
    public void BackwardRuleMatchesFiniteDifferences(GradCheckCase c)
    {
        var result = c.Run(device);
        Assert.That(result.Passed, Is.True, result.ToString());
    }

    [Test]
    public void SuiteCoversEveryOpFamily()
    {
        var ops = GradCheckSuite.Cases.Select(c => c.Op).ToHashSet();
        string[] expected =
        [
            "Add", "Sub", "Mul", "Div", "Neg", "Maximum", "Minimum", "Where", "PowTensor", "Exp", "Log", "Sqrt", "Rsqrt", "Square",
            "Pow", "Reciprocal", "Abs", "Clamp", "Relu", "LeakyRelu", "Sigmoid", "Tanh", "Gelu", "Softplus", "Sum", "Mean", "Max",
            "Min", "MaxWithIndex", "Variance", "LogSumExp", "Softmax", "LogSoftmax", "MatMul", "Reshape", "View", "Flatten",
            "Permute", "Transpose", "Narrow", "Slice", "Select", "Expand", "Squeeze", "Unsqueeze", "Contiguous", "Concat", "Split",
            "Gather", "ScatterAdd", "IndexSelect", "Pad", "Conv2d", "MaxPool2d", "AvgPool2d", "BatchNorm", "BatchNorm(eval)",
            "Dropout", "CrossEntropy", "NllLoss",
        ];
        Assert.That(expected.Where(op => !ops.Contains(op)), Is.Empty);
    }
}
