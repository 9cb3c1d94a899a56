using NetFromScratch.Tensors;

namespace NetFromScratch.Autograd;

/// <summary>
/// One entry of <see cref="GradCheckSuite"/>: an op applied to inputs of given shapes, ready to be checked on any device.
/// </summary>
public sealed class GradCheckCase
{
    private readonly Func<Variable[], Variable> _function;
    private readonly GradCheckInput[] _inputs;

    internal GradCheckCase(string op, string note, Func<Variable[], Variable> function, GradCheckInput[] inputs, GradCheckOptions options)
    {
        Op = op;
        _function = function;
        _inputs = inputs;
        Options = options;
        string shapes = string.Join(", ", inputs.Select(i => i.Shape.ToString()));
        Shapes = note.Length == 0 ? shapes : $"{shapes} ({note})";
    }

    /// <summary>The op under test, for example <c>MatMul</c>.</summary>
    public string Op { get; }

    /// <summary>The input shapes and what is special about the case (broadcast, transposed view, stride...).</summary>
    public string Shapes { get; }

    /// <summary>The step and tolerances used.</summary>
    public GradCheckOptions Options { get; }

    /// <summary>Builds the inputs on <paramref name="device"/> and runs <see cref="GradCheck.Check(Func{Variable[], Variable}, Variable[], GradCheckOptions)"/>.</summary>
    public GradCheckResult Run(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        var inputs = _inputs.Select(i => i.Create(device)).ToArray();
        return GradCheck.Check(_function, inputs, Options);
    }

    /// <summary>The op and shapes, for example <c>Add [2, 3], [3] (broadcast)</c>.</summary>
    public override string ToString() => $"{Op} {Shapes}";
}

/// <summary>How one input of a <see cref="GradCheckCase"/> is made: deterministic values of a given kind.</summary>
internal sealed class GradCheckInput(string name, Shape shape, bool requiresGrad, Func<Random, int, float[]> values)
{
    private static int _nextSeed;
    private readonly int _seed = Interlocked.Increment(ref _nextSeed);

    public Shape Shape { get; } = shape;

    public Variable Create(Device device)
    {
        var data = values(new Random(_seed), Shape.Numel);
        return new Variable(Tensor.FromArray(data, Shape, device), requiresGrad, name);
    }
}
