namespace NetFromScratch.Onnx.Import;

/// <summary>Runs one compiled node on the current value table.</summary>
internal delegate void NodeKernel(NodeFrame frame);

/// <summary>Reads a node's attributes and constant inputs once, at load time, and returns its kernel.</summary>
internal delegate NodeKernel OpCompiler(NodeCompilation compilation);

/// <summary>
/// One supported operator: its compiler, the inputs that configure it rather than carry data (a float initializer read
/// only there is a constant, not a trainable parameter), the inputs that are running statistics (they become buffers),
/// and whether a node whose inputs are all constants may be computed once at load time.
/// </summary>
internal sealed record OpInfo(string Name, OpCompiler Compile, int[] StaticInputs, int[] BufferInputs, bool Foldable)
{
    public static OpInfo Of(string name, OpCompiler compile, int[]? staticInputs = null, int[]? bufferInputs = null, bool foldable = true) =>
        new(name, compile, staticInputs ?? [], bufferInputs ?? [], foldable);
}
