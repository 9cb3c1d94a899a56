using NetFromScratch.Autograd;

namespace NetFromScratch.Onnx.Import;

/// <summary>
/// One node's view of the value table during a forward pass: its inputs and outputs by position. Optional inputs that
/// are omitted (an empty name, or beyond the node's input list) read as missing.
/// </summary>
internal readonly struct NodeFrame(RuntimeValue[] slots, int[] inputs, int[] outputs, ExecutionState state)
{
    public ExecutionState State => state;

    public bool Training => state.Training;

    public int InputCount => inputs.Length;

    public bool Has(int i) => i < inputs.Length && inputs[i] >= 0 && !slots[inputs[i]].IsEmpty;

    public RuntimeValue In(int i) => i < inputs.Length && inputs[i] >= 0 ? slots[inputs[i]] : default;

    /// <summary>Input <paramref name="i"/> as float data.</summary>
    public Variable Var(int i)
    {
        var v = In(i);
        if (v.IsEmpty) throw new ArgumentException($"input {i} is missing.");
        return v.AsVariable(state.Device);
    }

    /// <summary>Input <paramref name="i"/> as integers.</summary>
    public IntTensor Ints(int i)
    {
        var v = In(i);
        if (v.IsEmpty) throw new ArgumentException($"input {i} is missing.");
        return v.AsInts();
    }

    /// <summary>Input <paramref name="i"/>'s integers as a flat array.</summary>
    public long[] Longs(int i) => Ints(i).Data;

    /// <summary>The single value of a one-element input.</summary>
    public float Scalar(int i)
    {
        var v = In(i);
        if (v.Float is { } f)
        {
            if (f.Numel != 1) throw new ArgumentException($"input {i} must hold one value, got shape {f.Shape}.");
            return f.Item();
        }
        var ints = Ints(i);
        if (ints.Numel != 1) throw new ArgumentException($"input {i} must hold one value, got {ints.Numel}.");
        return ints.Data[0];
    }

    /// <summary>Whether output <paramref name="o"/> is used (named) by the graph.</summary>
    public bool Wants(int o) => o < outputs.Length && outputs[o] >= 0;

    public void Out(int o, RuntimeValue value)
    {
        if (o < outputs.Length && outputs[o] >= 0) slots[outputs[o]] = value;
    }

    public void Out(RuntimeValue value) => Out(0, value);
}
