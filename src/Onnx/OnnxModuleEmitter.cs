using NetFromScratch.Nn;

namespace NetFromScratch.Onnx;

/// <summary>
/// Writes the ONNX nodes of one module: given the module, its dotted path in the model (the prefix of its weights'
/// names, empty for the root) and the name of its input value, adds initializers and nodes through
/// <paramref name="context"/> and returns the name of the output value.
/// </summary>
public delegate string OnnxModuleEmitter(OnnxExportContext context, Module module, string path, string input);
