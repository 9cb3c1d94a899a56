namespace NetFromScratch.Tensors;

/// <summary>Elementwise functions of two inputs, <c>y = f(a, b)</c>. Comparisons give 1 for true and 0 for false.</summary>
public enum BinaryOp
{
    /// <summary><c>a + b</c>.</summary>
    Add,
    /// <summary><c>a - b</c>.</summary>
    Sub,
    /// <summary><c>a * b</c>.</summary>
    Mul,
    /// <summary><c>a / b</c>.</summary>
    Div,
    /// <summary><c>a ^ b</c>.</summary>
    Pow,
    /// <summary><c>max(a, b)</c>.</summary>
    Maximum,
    /// <summary><c>min(a, b)</c>.</summary>
    Minimum,
    /// <summary><c>a == b</c>.</summary>
    Equal,
    /// <summary><c>a != b</c>.</summary>
    NotEqual,
    /// <summary><c>a &lt; b</c>.</summary>
    Less,
    /// <summary><c>a &lt;= b</c>.</summary>
    LessEqual,
    /// <summary><c>a &gt; b</c>.</summary>
    Greater,
    /// <summary><c>a &gt;= b</c>.</summary>
    GreaterEqual,
    /// <summary>
    /// <c>b &gt; 0 ? a : 0</c>: the ReLU backward rule <c>dX = dY * [X &gt; 0]</c> in one pass, as PyTorch's
    /// threshold_backward computes it (0, not NaN, where dY is NaN or infinite and X &lt;= 0).
    /// </summary>
    WherePositive,
}
