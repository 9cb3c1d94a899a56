namespace NetFromScratch.Tensors.Cpu;

/// <summary>Max and average pooling forward and backward, and batch-norm statistics.</summary>
internal static class Pooling
{
    public static void MaxPool2d(Tensor x, Pool2dParams p, Tensor y, Tensor indices) => throw new NotImplementedException("MaxPool2d");
    public static void MaxPool2dBackward(Tensor gradY, Tensor indices, Tensor gradX) => throw new NotImplementedException("MaxPool2dBackward");
    public static void AvgPool2d(Tensor x, Pool2dParams p, Tensor y) => throw new NotImplementedException("AvgPool2d");
    public static void AvgPool2dBackward(Tensor gradY, Pool2dParams p, Tensor gradX) => throw new NotImplementedException("AvgPool2dBackward");
    public static void BatchNormStatistics(Tensor x, Tensor mean, Tensor variance) => throw new NotImplementedException("BatchNormStatistics");
}
