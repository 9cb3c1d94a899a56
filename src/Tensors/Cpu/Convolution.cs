namespace NetFromScratch.Tensors.Cpu;

/// <summary>Convolution kernels: im2col/col2im and conv2d forward and backward as GEMMs over patch columns.</summary>
internal static class Convolution
{
    public static void Im2Col(Tensor x, int kernelH, int kernelW, Conv2dParams p, Tensor columns) => throw new NotImplementedException("Im2Col");
    public static void Col2Im(Tensor columns, int kernelH, int kernelW, Conv2dParams p, Tensor x) => throw new NotImplementedException("Col2Im");
    public static void Forward(Tensor x, Tensor w, Tensor? bias, Conv2dParams p, Tensor y) => throw new NotImplementedException("Conv2d");
    public static void BackwardInput(Tensor gradY, Tensor w, Conv2dParams p, Tensor gradX) => throw new NotImplementedException("Conv2dBackwardInput");
    public static void BackwardWeight(Tensor x, Tensor gradY, Conv2dParams p, Tensor gradW) => throw new NotImplementedException("Conv2dBackwardWeight");
}
