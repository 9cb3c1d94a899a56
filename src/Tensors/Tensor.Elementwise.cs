namespace NetFromScratch.Tensors;

public sealed partial class Tensor
{
    // ---- generic dispatch -------------------------------------------------------------------------------------

    /// <summary><c>op(x; a, b)</c> elementwise into a new tensor. Shape: same as this.</summary>
    public Tensor Apply(UnaryOp op, float a = 0f, float b = 0f)
    {
        var y = Empty(Shape, Device);
        if (Numel > 0) Backend.Unary(op, this, y, a, b);
        return y;
    }

    /// <summary>Overwrites this tensor with <c>op(this; a, b)</c> and returns it.</summary>
    public Tensor ApplyInPlace(UnaryOp op, float a = 0f, float b = 0f)
    {
        if (Numel > 0) Backend.Unary(op, this, this, a, b);
        return this;
    }

    /// <summary>
    /// <c>op(a, b)</c> elementwise with NumPy broadcasting. Shape: the broadcast of the two shapes.
    /// </summary>
    public static Tensor Binary(BinaryOp op, Tensor a, Tensor b)
    {
        a.CheckSameDevice(op.ToString(), b);
        var shape = Shape.Broadcast(a.Shape, b.Shape, op.ToString());
        var y = Empty(shape, a.Device);
        if (y.Numel > 0)
        {
            Tensor ea = a.BroadcastTo(shape), eb = b.BroadcastTo(shape);
            try { a.Backend.Binary(op, ea, eb, y); }
            finally { a.ReleaseBroadcast(ea); b.ReleaseBroadcast(eb); }
        }
        return y;
    }

    /// <summary>
    /// Overwrites this tensor with <c>op(this, other)</c>; <paramref name="other"/> must broadcast to this tensor's shape.
    /// </summary>
    public Tensor BinaryInPlace(BinaryOp op, Tensor other)
    {
        CheckSameDevice(op + "InPlace", other);
        var shape = Shape.Broadcast(Shape, other.Shape, op + "InPlace");
        if (shape != Shape)
            throw new ArgumentException($"{op}InPlace: shape {other.Shape} does not broadcast to the in-place target's shape {Shape}.");
        if (Numel > 0)
        {
            var e = other.BroadcastTo(Shape);
            try { Backend.Binary(op, this, e, this); }
            finally { other.ReleaseBroadcast(e); }
        }
        return this;
    }

    /// <summary><c>condition != 0 ? a : b</c> with broadcasting of all three.</summary>
    public static Tensor Where(Tensor condition, Tensor a, Tensor b)
    {
        condition.CheckSameDevice("Where", a);
        condition.CheckSameDevice("Where", b);
        var shape = Shape.Broadcast(Shape.Broadcast(condition.Shape, a.Shape, "Where"), b.Shape, "Where");
        var y = Empty(shape, a.Device);
        if (y.Numel > 0)
        {
            Tensor ec = condition.BroadcastTo(shape), ea = a.BroadcastTo(shape), eb = b.BroadcastTo(shape);
            try { a.Backend.Where(ec, ea, eb, y); }
            finally { condition.ReleaseBroadcast(ec); a.ReleaseBroadcast(ea); b.ReleaseBroadcast(eb); }
        }
        return y;
    }

    // The operand as a kernel sees it: this tensor when it already has the target shape, else a broadcast view.
    // A view holds a reference on the storage, so it is released right after the kernel call; otherwise the
    // operand's buffer could never go back to the pool.
    private Tensor BroadcastTo(Shape shape) => Shape == shape ? this : Expand(shape.ToArray());

    private void ReleaseBroadcast(Tensor view)
    {
        if (!ReferenceEquals(view, this)) view.Dispose();
    }

    // ---- arithmetic --------------------------------------------------------------------------------------------

    /// <summary>Elementwise sum with broadcasting.</summary>
    public Tensor Add(Tensor other) => Binary(BinaryOp.Add, this, other);
    /// <summary>Elementwise difference with broadcasting.</summary>
    public Tensor Sub(Tensor other) => Binary(BinaryOp.Sub, this, other);
    /// <summary>Elementwise product with broadcasting.</summary>
    public Tensor Mul(Tensor other) => Binary(BinaryOp.Mul, this, other);
    /// <summary>Elementwise quotient with broadcasting.</summary>
    public Tensor Div(Tensor other) => Binary(BinaryOp.Div, this, other);
    /// <summary>Elementwise power with broadcasting.</summary>
    public Tensor Pow(Tensor exponent) => Binary(BinaryOp.Pow, this, exponent);
    /// <summary>Elementwise maximum with broadcasting.</summary>
    public Tensor Maximum(Tensor other) => Binary(BinaryOp.Maximum, this, other);
    /// <summary>Elementwise minimum with broadcasting.</summary>
    public Tensor Minimum(Tensor other) => Binary(BinaryOp.Minimum, this, other);

    /// <summary>Adds a scalar.</summary>
    public Tensor Add(float value) => Apply(UnaryOp.Affine, 1f, value);
    /// <summary>Subtracts a scalar.</summary>
    public Tensor Sub(float value) => Apply(UnaryOp.Affine, 1f, -value);
    /// <summary>Multiplies by a scalar.</summary>
    public Tensor Mul(float value) => Apply(UnaryOp.Affine, value, 0f);
    /// <summary>Divides by a scalar.</summary>
    public Tensor Div(float value) => Apply(UnaryOp.Affine, 1f / value, 0f);
    /// <summary>Raises each element to a scalar power.</summary>
    public Tensor Pow(float exponent) => exponent == 2f ? Apply(UnaryOp.Square) : Apply(UnaryOp.Pow, exponent);
    /// <summary>Clamps each element to [min, max].</summary>
    public Tensor Clamp(float min, float max)
    {
        if (min > max) throw new ArgumentException($"Clamp: min {min} is greater than max {max}.");
        return Apply(UnaryOp.Clamp, min, max);
    }
    /// <summary><c>-x</c>.</summary>
    public Tensor Neg() => Apply(UnaryOp.Affine, -1f, 0f);
    /// <summary><c>exp(x)</c>.</summary>
    public Tensor Exp() => Apply(UnaryOp.Exp);
    /// <summary><c>ln(x)</c>.</summary>
    public Tensor Log() => Apply(UnaryOp.Log);
    /// <summary><c>sqrt(x)</c>.</summary>
    public Tensor Sqrt() => Apply(UnaryOp.Sqrt);
    /// <summary><c>1/sqrt(x)</c>.</summary>
    public Tensor Rsqrt() => Apply(UnaryOp.Rsqrt);
    /// <summary><c>|x|</c>.</summary>
    public Tensor Abs() => Apply(UnaryOp.Abs);
    /// <summary>-1, 0 or 1.</summary>
    public Tensor Sign() => Apply(UnaryOp.Sign);
    /// <summary><c>x*x</c>.</summary>
    public Tensor Square() => Apply(UnaryOp.Square);
    /// <summary><c>1/x</c>.</summary>
    public Tensor Reciprocal() => Apply(UnaryOp.Reciprocal, 1f);

    // ---- activations -------------------------------------------------------------------------------------------

    /// <summary><c>max(x, 0)</c>.</summary>
    public Tensor Relu() => Apply(UnaryOp.Relu);
    /// <summary><c>x &gt; 0 ? x : slope*x</c>.</summary>
    public Tensor LeakyRelu(float negativeSlope = 0.01f) => Apply(UnaryOp.LeakyRelu, negativeSlope);
    /// <summary>The logistic function.</summary>
    public Tensor Sigmoid() => Apply(UnaryOp.Sigmoid);
    /// <summary>Hyperbolic tangent.</summary>
    public Tensor Tanh() => Apply(UnaryOp.Tanh);
    /// <summary>Exact GELU, <c>x * Phi(x)</c>.</summary>
    public Tensor Gelu() => Apply(UnaryOp.Gelu);
    /// <summary><c>ln(1 + exp(x))</c>.</summary>
    public Tensor Softplus() => Apply(UnaryOp.Softplus);

    // ---- comparisons (1 for true, 0 for false) -----------------------------------------------------------------

    /// <summary><c>this == other</c>.</summary>
    public Tensor Eq(Tensor other) => Binary(BinaryOp.Equal, this, other);
    /// <summary><c>this != other</c>.</summary>
    public Tensor Ne(Tensor other) => Binary(BinaryOp.NotEqual, this, other);
    /// <summary><c>this &lt; other</c>.</summary>
    public Tensor Lt(Tensor other) => Binary(BinaryOp.Less, this, other);
    /// <summary><c>this &lt;= other</c>.</summary>
    public Tensor Le(Tensor other) => Binary(BinaryOp.LessEqual, this, other);
    /// <summary><c>this &gt; other</c>.</summary>
    public Tensor Gt(Tensor other) => Binary(BinaryOp.Greater, this, other);
    /// <summary><c>this &gt;= other</c>.</summary>
    public Tensor Ge(Tensor other) => Binary(BinaryOp.GreaterEqual, this, other);
    /// <summary><c>this &gt; value</c>.</summary>
    public Tensor Gt(float value) => Gt(Scalar(value, Device));
    /// <summary><c>this &lt; value</c>.</summary>
    public Tensor Lt(float value) => Lt(Scalar(value, Device));
    /// <summary><c>this == value</c>.</summary>
    public Tensor Eq(float value) => Eq(Scalar(value, Device));

    // ---- in place (for optimizers and accumulation) ------------------------------------------------------------

    /// <summary><c>this += other</c> (broadcast to this shape).</summary>
    public Tensor AddInPlace(Tensor other) => BinaryInPlace(BinaryOp.Add, other);
    /// <summary><c>this -= other</c>.</summary>
    public Tensor SubInPlace(Tensor other) => BinaryInPlace(BinaryOp.Sub, other);
    /// <summary><c>this *= other</c>.</summary>
    public Tensor MulInPlace(Tensor other) => BinaryInPlace(BinaryOp.Mul, other);
    /// <summary><c>this /= other</c>.</summary>
    public Tensor DivInPlace(Tensor other) => BinaryInPlace(BinaryOp.Div, other);
    /// <summary><c>this += value</c>.</summary>
    public Tensor AddInPlace(float value) => ApplyInPlace(UnaryOp.Affine, 1f, value);
    /// <summary><c>this *= value</c>.</summary>
    public Tensor MulInPlace(float value) => ApplyInPlace(UnaryOp.Affine, value, 0f);
    /// <summary>Clamps in place.</summary>
    public Tensor ClampInPlace(float min, float max) => ApplyInPlace(UnaryOp.Clamp, min, max);
    /// <summary>Sets every element to <paramref name="value"/>.</summary>
    public Tensor FillInPlace(float value)
    {
        if (Numel > 0) Backend.Fill(this, value);
        return this;
    }
    /// <summary>Zeroes every element.</summary>
    public Tensor ZeroInPlace() => FillInPlace(0f);

    /// <summary>Copies <paramref name="source"/> (broadcast to this shape) into this tensor.</summary>
    public Tensor CopyFrom(Tensor source)
    {
        CheckSameDevice("CopyFrom", source);
        var shape = Shape.Broadcast(Shape, source.Shape, "CopyFrom");
        if (shape != Shape)
            throw new ArgumentException($"CopyFrom: source shape {source.Shape} does not broadcast to the target's shape {Shape}.");
        if (Numel > 0)
        {
            var e = source.BroadcastTo(Shape);
            try { Backend.Copy(e, this); }
            finally { source.ReleaseBroadcast(e); }
        }
        return this;
    }

    // ---- operators ---------------------------------------------------------------------------------------------

    /// <summary>Elementwise sum.</summary>
    public static Tensor operator +(Tensor a, Tensor b) => a.Add(b);
    /// <summary>Elementwise difference.</summary>
    public static Tensor operator -(Tensor a, Tensor b) => a.Sub(b);
    /// <summary>Elementwise product.</summary>
    public static Tensor operator *(Tensor a, Tensor b) => a.Mul(b);
    /// <summary>Elementwise quotient.</summary>
    public static Tensor operator /(Tensor a, Tensor b) => a.Div(b);
    /// <summary>Negation.</summary>
    public static Tensor operator -(Tensor a) => a.Neg();
    /// <summary>Adds a scalar.</summary>
    public static Tensor operator +(Tensor a, float b) => a.Add(b);
    /// <summary>Adds a scalar.</summary>
    public static Tensor operator +(float a, Tensor b) => b.Add(a);
    /// <summary>Subtracts a scalar.</summary>
    public static Tensor operator -(Tensor a, float b) => a.Sub(b);
    /// <summary>Scalar minus tensor.</summary>
    public static Tensor operator -(float a, Tensor b) => b.Apply(UnaryOp.Affine, -1f, a);
    /// <summary>Multiplies by a scalar.</summary>
    public static Tensor operator *(Tensor a, float b) => a.Mul(b);
    /// <summary>Multiplies by a scalar.</summary>
    public static Tensor operator *(float a, Tensor b) => b.Mul(a);
    /// <summary>Divides by a scalar.</summary>
    public static Tensor operator /(Tensor a, float b) => a.Div(b);
    /// <summary>Scalar divided by tensor.</summary>
    public static Tensor operator /(float a, Tensor b) => b.Apply(UnaryOp.Reciprocal, a);
}
