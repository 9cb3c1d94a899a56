using NetFromScratch.Autograd;

namespace NetFromScratch.Onnx.Import.Ops;

/// <summary>
/// Dropout: the identity in evaluation, inverted dropout (<see cref="F.Dropout"/>) when the module trains. The ratio
/// is an attribute before opset 12 and an optional input since. Whether it drops follows the module's mode, not the
/// graph's <c>training_mode</c> input, so an imported network trains like a built one.
/// </summary>
internal static class DropoutOps
{
    public static IEnumerable<OpInfo> All()
    {
        yield return OpInfo.Of("Dropout", Compile, staticInputs: [1, 2], foldable: false);
    }

    private static NodeKernel Compile(NodeCompilation c)
    {
        float? ratio = c.Opset < 12 ? c.Float("ratio", 0.5f)
            : !c.HasInput(1) ? 0.5f
            : c.Constant(1) is { } r ? r.AsVariable().Item()
            : null;
        if (ratio is < 0f or > 1f) throw c.Error($"ratio must be in [0, 1], got {ratio}.");
        bool wantsMask = c.OutputUsed(1);
        return f =>
        {
            var x = f.Var(0);
            float p = ratio ?? f.Scalar(1);
            var y = F.Dropout(x, p, f.Training);
            f.Out(y);
            if (wantsMask)
            {
                // The mask is true where an element was kept; every element is kept outside training.
                if (!f.Training || p == 0f) f.Out(1, IntTensor.FromTensor(Tensors.Tensor.Ones(x.Shape)));
                else
                {
                    using var kept = y.Data.Ne(Tensors.Tensor.Zeros(x.Shape, x.Device));
                    f.Out(1, IntTensor.FromTensor(kept));
                }
            }
        };
    }
}
