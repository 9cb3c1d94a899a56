using NetFromScratch.Autograd;
using NetFromScratch.Tensors;

namespace NetFromScratch.Onnx.Import;

/// <summary>
/// A value flowing along a graph edge: float data as a <see cref="Variable"/> (so gradients flow through it), or
/// integer and boolean data as a host-side <see cref="IntTensor"/>. The default value stands for an omitted input.
/// </summary>
internal readonly struct RuntimeValue
{
    public RuntimeValue(Variable value) { Float = value; Ints = null; }

    public RuntimeValue(IntTensor value) { Float = null; Ints = value; }

    public Variable? Float { get; }

    public IntTensor? Ints { get; }

    public bool IsEmpty => Float is null && Ints is null;

    public bool IsInt => Ints is not null;

    public int[] Dims => Float?.Shape.ToArray() ?? Ints?.Dims ?? [];

    public int Rank => Float?.Rank ?? Ints?.Rank ?? 0;

    public static implicit operator RuntimeValue(Variable v) => new(v);

    public static implicit operator RuntimeValue(IntTensor t) => new(t);

    /// <summary>The value as float data; integers are converted (a constant: no gradient flows to integers).</summary>
    public Variable AsVariable(Device? device = null)
    {
        if (Float is not null) return Float;
        if (Ints is not null) return new Variable(Ints.ToTensor(device));
        throw new InvalidOperationException("RuntimeValue: the value is missing.");
    }

    /// <summary>The value as integers; float data is rounded.</summary>
    public IntTensor AsInts()
    {
        if (Ints is not null) return Ints;
        if (Float is not null) return IntTensor.FromTensor(Float.Data);
        throw new InvalidOperationException("RuntimeValue: the value is missing.");
    }

    /// <summary>The value moved to <paramref name="device"/> (float data only; integers stay on the host).</summary>
    public RuntimeValue To(Device device) => Float is null || ReferenceEquals(Float.Device, device) ? this : new RuntimeValue(Float.To(device));

    public override string ToString() => Float is not null ? $"float {Float.Shape}" : Ints is not null ? Ints.ToString() : "(missing)";
}
