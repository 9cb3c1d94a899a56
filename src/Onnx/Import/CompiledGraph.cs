namespace NetFromScratch.Onnx.Import;

/// <summary>One node ready to run: its kernel, the value slots it reads and writes, and the slots it is the last to read.</summary>
internal sealed class CompiledNode(int index, OnnxNode node, int[] inputs, int[] outputs, NodeKernel kernel)
{
    public int Index { get; } = index;

    public OnnxNode Node { get; } = node;

    public int[] Inputs { get; } = inputs;

    public int[] Outputs { get; } = outputs;

    public NodeKernel Kernel { get; } = kernel;

    /// <summary>Slots to clear after this node runs, so intermediate tensors can be collected during inference.</summary>
    public int[] Release { get; set; } = [];
}

/// <summary>
/// A graph compiled for execution: the nodes left after folding constants, in topological order, and the value table's
/// initial content (constants and parameters) with the slots of the graph's inputs and outputs.
/// </summary>
internal sealed class CompiledGraph
{
    public required CompiledNode[] Nodes { get; init; }

    /// <summary>Initial slot values: folded constants (on the CPU) and parameter Variables.</summary>
    public required RuntimeValue[] Template { get; init; }

    /// <summary>Slots holding constants that move to the input's device (parameters move with the module).</summary>
    public required bool[] IsConstant { get; init; }

    /// <summary>Slots whose values are buffers, read afresh at each call (a buffer's tensor is replaced when it moves).</summary>
    public required (int Slot, Nn.Buffer Buffer)[] BufferSlots { get; init; }

    public required int[] InputSlots { get; init; }

    public required OnnxValueInfo[] Inputs { get; init; }

    public required int[] OutputSlots { get; init; }

    public required OnnxValueInfo[] Outputs { get; init; }
}
