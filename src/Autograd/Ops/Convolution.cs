using NetFromScratch.Tensors;
using static NetFromScratch.Autograd.Graph;

namespace NetFromScratch.Autograd;

// 2-D convolution. Y[n, o] = sum over c, taps of W[o, c, tap] * X[n, c, position + tap] + b[o]. Each weight tap meets
// every output position, so dW correlates X with dY; each input pixel feeds every output whose window covers it,
// so dX is the "transposed convolution" of dY with W. The tensor layer computes both (im2col + GEMM).
public static partial class F
{
    /// <summary>
    /// 2-D convolution (cross-correlation) with stride, padding, dilation and groups.
    /// Shape: input <c>[N, C, H, W]</c>, weight <c>[O, C/groups, kh, kw]</c>, bias <c>[O]</c> or null;
    /// output <c>[N, O, OH, OW]</c> with <c>OH = (H + 2 pad - dilation (kh - 1) - 1) / stride + 1</c>.
    /// </summary>
    public static Variable Conv2d(Variable input, Variable weight, Variable? bias, Conv2dParams p)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        Tensor x = input.Data, w = weight.Data;
        var y = Tensor.Conv2d(x, w, bias?.Data, p);
        Variable[] inputs = bias is null ? [input, weight] : [input, weight, bias];
        return Record("Conv2d", y, inputs, "dX = conv_transpose(dY, W);  dW = correlate(X, dY);  db = sum(dY, [N, OH, OW])", dY =>
        {
            var grads = new Tensor?[inputs.Length];
            if (input.RequiresGrad) grads[0] = Tensor.Conv2dBackwardInput(dY, w, x.Shape, p);
            if (weight.RequiresGrad) grads[1] = Tensor.Conv2dBackwardWeight(x, dY, w.Shape, p);
            if (bias is { RequiresGrad: true }) grads[2] = dY.Sum([0, 2, 3]);
            return grads;
        });
    }

    /// <summary>2-D convolution with square stride, padding and dilation.</summary>
    public static Variable Conv2d(Variable input, Variable weight, Variable? bias = null,
        int stride = 1, int padding = 0, int dilation = 1, int groups = 1) =>
        Conv2d(input, weight, bias, Conv2dParams.Square(stride, padding, dilation, groups));
}
