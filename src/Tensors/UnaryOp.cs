namespace NetFromScratch.Tensors;

/// <summary>
/// Elementwise functions of one input, <c>y = f(x; a, b)</c>, where <c>a</c> and <c>b</c> are the op's scalar parameters.
/// </summary>
public enum UnaryOp
{
    /// <summary><c>y = a * x + b</c>; covers negation, adding and multiplying by a scalar.</summary>
    Affine,
    /// <summary><c>y = exp(x)</c>.</summary>
    Exp,
    /// <summary><c>y = ln(x)</c>.</summary>
    Log,
    /// <summary><c>y = sqrt(x)</c>.</summary>
    Sqrt,
    /// <summary><c>y = 1 / sqrt(x)</c>.</summary>
    Rsqrt,
    /// <summary><c>y = |x|</c>.</summary>
    Abs,
    /// <summary><c>y = sign(x)</c> (-1, 0 or 1).</summary>
    Sign,
    /// <summary><c>y = x^a</c>.</summary>
    Pow,
    /// <summary><c>y = a / x</c> (a scalar divided by the tensor).</summary>
    Reciprocal,
    /// <summary><c>y = min(max(x, a), b)</c>.</summary>
    Clamp,
    /// <summary><c>y = max(x, 0)</c>.</summary>
    Relu,
    /// <summary><c>y = x &gt; 0 ? x : a * x</c>.</summary>
    LeakyRelu,
    /// <summary><c>y = 1 / (1 + exp(-x))</c>.</summary>
    Sigmoid,
    /// <summary><c>y = tanh(x)</c>.</summary>
    Tanh,
    /// <summary>The exact GELU, <c>y = x * Phi(x)</c> with Phi the standard normal CDF.</summary>
    Gelu,
    /// <summary>The derivative of exact GELU, <c>Phi(x) + x * phi(x)</c>; used by its backward rule.</summary>
    GeluDerivative,
    /// <summary><c>y = ln(1 + exp(x))</c>, computed without overflow.</summary>
    Softplus,
    /// <summary><c>y = x * x</c>.</summary>
    Square,
}
