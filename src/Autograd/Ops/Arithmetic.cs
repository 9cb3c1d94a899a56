using NetFromScratch.Tensors;
using static NetFromScratch.Autograd.Graph;

namespace NetFromScratch.Autograd;

// Arithmetic: +, -, *, / between Variables (NumPy broadcasting) and with scalars; Maximum, Minimum, Where.
// Each op computes Y with Tensor ops and, right beside it, says how dY (the gradient of the loss with respect to Y)
// becomes dA and dB. An input that was broadcast receives the sum of dY over the positions it was copied to.
public sealed partial class Variable
{
    /// <summary><c>Y = A + B</c> with broadcasting. Shape: the broadcast of both shapes.</summary>
    public static Variable operator +(Variable a, Variable b)
    {
        return Record("Add", a.Data + b.Data, [a, b], "dA = dY;  dB = dY", dY =>
        [
            a.RequiresGrad ? SumToShape(dY, a.Shape) : null,
            b.RequiresGrad ? SumToShape(dY, b.Shape) : null,
        ]);
    }

    /// <summary><c>Y = A - B</c> with broadcasting. Shape: the broadcast of both shapes.</summary>
    public static Variable operator -(Variable a, Variable b)
    {
        return Record("Sub", a.Data - b.Data, [a, b], "dA = dY;  dB = -dY", dY =>
        [
            a.RequiresGrad ? SumToShape(dY, a.Shape) : null,
            b.RequiresGrad ? SumToShape(-dY, b.Shape, temporary: true) : null,
        ]);
    }

    /// <summary><c>Y = A * B</c> elementwise with broadcasting. Shape: the broadcast of both shapes.</summary>
    public static Variable operator *(Variable a, Variable b)
    {
        Tensor aData = a.Data, bData = b.Data;
        return Record("Mul", aData * bData, [a, b], "dA = dY * B;  dB = dY * A", dY =>
        [
            a.RequiresGrad ? SumToShape(dY * bData, a.Shape, temporary: true) : null,
            b.RequiresGrad ? SumToShape(dY * aData, b.Shape, temporary: true) : null,
        ]);
    }

    /// <summary><c>Y = A / B</c> elementwise with broadcasting. Shape: the broadcast of both shapes.</summary>
    public static Variable operator /(Variable a, Variable b)
    {
        Tensor aData = a.Data, bData = b.Data;
        var y = aData / bData;
        return Record("Div", y, [a, b], "dA = dY / B;  dB = -dY * Y / B", dY =>
        [
            a.RequiresGrad ? SumToShape(dY / bData, a.Shape, temporary: true) : null,
            b.RequiresGrad ? DivisorGradient(dY, y, bData, b.Shape) : null,
        ]);

        // d(A/B)/dB = -A/B^2 = -Y/B.
        static Tensor DivisorGradient(Tensor dY, Tensor y, Tensor bData, Shape shape)
        {
            using var dYy = dY * y;
            using var quotient = dYy / bData;
            return SumToShape(-quotient, shape, temporary: true);
        }
    }

    /// <summary><c>Y = -X</c>.</summary>
    public static Variable operator -(Variable x)
    {
        return Record("Neg", -x.Data, [x], "dX = -dY", dY => [-dY]);
    }

    /// <summary><c>Y = X + c</c>.</summary>
    public static Variable operator +(Variable x, float c)
    {
        return Record("AddScalar", x.Data + c, [x], "dX = dY", dY => [dY]);
    }

    /// <summary><c>Y = c + X</c>.</summary>
    public static Variable operator +(float c, Variable x) => x + c;

    /// <summary><c>Y = X - c</c>.</summary>
    public static Variable operator -(Variable x, float c) => x + (-c);

    /// <summary><c>Y = c - X</c>.</summary>
    public static Variable operator -(float c, Variable x)
    {
        return Record("RSubScalar", c - x.Data, [x], "dX = -dY", dY => [-dY]);
    }

    /// <summary><c>Y = X * c</c>.</summary>
    public static Variable operator *(Variable x, float c)
    {
        return Record("MulScalar", x.Data * c, [x], $"dX = dY * {c:G4}", dY => [dY * c]);
    }

    /// <summary><c>Y = c * X</c>.</summary>
    public static Variable operator *(float c, Variable x) => x * c;

    /// <summary><c>Y = X / c</c>.</summary>
    public static Variable operator /(Variable x, float c)
    {
        return Record("DivScalar", x.Data / c, [x], $"dX = dY / {c:G4}", dY => [dY / c]);
    }

    /// <summary><c>Y = c / X</c>.</summary>
    public static Variable operator /(float c, Variable x)
    {
        Tensor xData = x.Data;
        var y = c / xData;
        return Record("RDivScalar", y, [x], "dX = -dY * Y / X", dY =>
        {
            using var dYy = dY * y;
            using var quotient = dYy / xData;
            return [-quotient];
        });
    }

    /// <summary><c>A + B</c> with broadcasting.</summary>
    public Variable Add(Variable other) => this + other;

    /// <summary><c>A - B</c> with broadcasting.</summary>
    public Variable Sub(Variable other) => this - other;

    /// <summary><c>A * B</c> elementwise with broadcasting.</summary>
    public Variable Mul(Variable other) => this * other;

    /// <summary><c>A / B</c> elementwise with broadcasting.</summary>
    public Variable Div(Variable other) => this / other;

    /// <summary><c>-X</c>.</summary>
    public Variable Neg() => -this;

    /// <summary>
    /// <c>Y = max(A, B)</c> elementwise with broadcasting. The gradient goes to the larger input; on a tie each gets half
    /// (as PyTorch). Shape: the broadcast of both shapes.
    /// </summary>
    public Variable Maximum(Variable other) => ElementwiseExtremum(this, other, max: true);

    /// <summary><c>Y = min(A, B)</c> elementwise with broadcasting; ties split the gradient. Shape: the broadcast of both.</summary>
    public Variable Minimum(Variable other) => ElementwiseExtremum(this, other, max: false);

    private static Variable ElementwiseExtremum(Variable a, Variable b, bool max)
    {
        Tensor aData = a.Data, bData = b.Data;
        var y = max ? aData.Maximum(bData) : aData.Minimum(bData);
        string op = max ? "Maximum" : "Minimum";
        string cmp = max ? ">" : "<";
        return Record(op, y, [a, b], $"dA = dY * ([A {cmp} B] + [A == B] / 2);  dB = dY - dA", dY =>
        {
            // Share of the gradient that goes to A: 1 where A wins, 1/2 on a tie, 0 where B wins.
            using var wins = max ? aData.Gt(bData) : aData.Lt(bData);
            using var ties = aData.Eq(bData);
            using var halfTies = ties * 0.5f;
            using var shareA = wins + halfTies;
            var dA = dY * shareA;
            Tensor? gb = b.RequiresGrad ? SumToShape(dY - dA, b.Shape, temporary: true) : null;
            if (!a.RequiresGrad) dA.Dispose();
            return [a.RequiresGrad ? SumToShape(dA, a.Shape, temporary: true) : null, gb];
        });
    }

    /// <summary>
    /// <c>Y = condition ? A : B</c> elementwise, with broadcasting of all three. Shape: the broadcast of the three shapes.
    /// </summary>
    /// <param name="condition">Nonzero where A is chosen; not differentiated.</param>
    /// <param name="a">Values where the condition holds.</param>
    /// <param name="b">Values elsewhere.</param>
    public static Variable Where(Tensor condition, Variable a, Variable b)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return Record("Where", Tensor.Where(condition, a.Data, b.Data), [a, b], "dA = cond ? dY : 0;  dB = cond ? 0 : dY", dY =>
        {
            using var zero = Tensor.Scalar(0f, dY.Device);
            return
            [
                a.RequiresGrad ? SumToShape(Tensor.Where(condition, dY, zero), a.Shape, temporary: true) : null,
                b.RequiresGrad ? SumToShape(Tensor.Where(condition, zero, dY), b.Shape, temporary: true) : null,
            ];
        });
    }
}
