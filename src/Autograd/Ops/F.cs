using NetFromScratch.Tensors;

namespace NetFromScratch.Autograd;

/// <summary>
/// The functional forms of the neural-network ops, named as in PyTorch's <c>torch.nn.functional</c>: convolution,
/// pooling, normalization, dropout, losses, and the activations. Layers (Nn) hold parameters and call these.
/// </summary>
/// <remarks>
/// Where a function is a composite of Variable ops its gradient comes from their rules (the remarks say so); where
/// speed or memory asks for it, the function is one fused node with a closed-form rule.
/// </remarks>
public static partial class F
{
    /// <summary>
    /// Fully connected layer, <c>Y = X @ W^T + b</c>. Composite: Transpose (a view, read in place by the GEMM),
    /// MatMul and a broadcast Add.
    /// Shape: X <c>[*, in]</c>, W <c>[out, in]</c>, b <c>[out]</c> or null; Y <c>[*, out]</c>.
    /// </summary>
    public static Variable Linear(Variable input, Variable weight, Variable? bias = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.Rank != 2)
            throw new ArgumentException($"Linear: weight must be [out, in], got {weight.Shape}.");
        if (input.Rank == 0 || input.Shape[-1] != weight.Shape[1])
            throw new ArgumentException($"Linear: input {input.Shape} does not end in {weight.Shape[1]} features (weight {weight.Shape}).");
        var y = input.MatMul(weight.T);
        return bias is null ? y : y + bias;
    }

    /// <summary><c>max(x, 0)</c>.</summary>
    public static Variable Relu(Variable x) => x.Relu();

    /// <summary>Leaky ReLU.</summary>
    public static Variable LeakyRelu(Variable x, float negativeSlope = 0.01f) => x.LeakyRelu(negativeSlope);

    /// <summary>Exact GELU.</summary>
    public static Variable Gelu(Variable x) => x.Gelu();

    /// <summary>SiLU (swish), <c>x * sigmoid(x)</c>.</summary>
    public static Variable Silu(Variable x) => x.Silu();

    /// <summary>The logistic function.</summary>
    public static Variable Sigmoid(Variable x) => x.Sigmoid();

    /// <summary>Hyperbolic tangent.</summary>
    public static Variable Tanh(Variable x) => x.Tanh();

    /// <summary><c>ln(1 + exp(x))</c>.</summary>
    public static Variable Softplus(Variable x) => x.Softplus();

    /// <summary>Softmax along <paramref name="axis"/>.</summary>
    public static Variable Softmax(Variable x, int axis = -1) => x.Softmax(axis);

    /// <summary>Log-softmax along <paramref name="axis"/>.</summary>
    public static Variable LogSoftmax(Variable x, int axis = -1) => x.LogSoftmax(axis);

    /// <summary>Pads the last axes in PyTorch's F.pad order.</summary>
    public static Variable Pad(Variable x, int[] pads, PadMode mode = PadMode.Constant, float value = 0f) => x.Pad(pads, mode, value);

    /// <summary>
    /// Rows of <paramref name="weight"/> looked up by <paramref name="indices"/> (an embedding table).
    /// Composite: IndexSelect on the flattened indices, then Reshape.
    /// Shape: indices <c>[*]</c>, weight <c>[num, dim]</c>; result <c>[*, dim]</c>.
    /// </summary>
    public static Variable Embedding(Tensor indices, Variable weight)
    {
        ArgumentNullException.ThrowIfNull(indices);
        if (weight.Rank != 2) throw new ArgumentException($"Embedding: weight must be [num, dim], got {weight.Shape}.");
        var rows = weight.IndexSelect(0, indices.Reshape(-1));
        return rows.Reshape([.. indices.Shape.ToArray(), weight.Shape[1]]);
    }
}
