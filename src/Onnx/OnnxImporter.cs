using NetFromScratch.Nn;
using NetFromScratch.Onnx.Import;
using NetFromScratch.Tensors;

namespace NetFromScratch.Onnx;

/// <summary>
/// Reads ONNX models into this engine: <see cref="Load(string)"/> makes a trainable <see cref="ImportedModel"/> from any
/// graph of supported operators (<see cref="SupportedOps"/>); <see cref="LoadInto(Module, OnnxModel, bool)"/> copies a model's weights by name
/// into a module built here (a <see cref="Nn.Models.ResNet"/> or <see cref="Nn.Models.Vgg"/> from a torchvision export).
/// </summary>
public static class OnnxImporter
{
    /// <summary>
    /// The operators of the standard domain the importer runs, at every opset from 7 to the current one (with the legacy
    /// attribute forms of older opsets). Give it to <see cref="OnnxInspector.Describe"/> to list what a model lacks.
    /// </summary>
    public static IReadOnlySet<string> SupportedOps => OpRegistry.Names;

    /// <summary>Reads the model file at <paramref name="path"/> (and external data beside it) and imports it.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="OnnxFormatException">The file is not a readable ONNX model.</exception>
    /// <exception cref="OnnxGraphException">An operator is unsupported or a node is malformed; the message names the node.</exception>
    public static ImportedModel Load(string path) => Load(OnnxModel.Load(path));

    /// <summary>Imports <paramref name="model"/>: compiles its graph and makes its weights parameters. The module starts in evaluation mode.</summary>
    /// <exception cref="OnnxGraphException">An operator is unsupported, a value is missing, or a node is malformed.</exception>
    public static ImportedModel Load(OnnxModel model) => new(model);

    /// <summary>
    /// Copies the float initializers of <paramref name="model"/> into the parameters and buffers of <paramref name="target"/>
    /// with the same names (for example a torchvision ResNet export into <c>new ResNet(18)</c>). BatchNorm's
    /// <c>num_batches_tracked</c>, which exports leave out, is not required. With <paramref name="strict"/>, a missing
    /// name, an unexpected weight or a shape mismatch fails before anything is copied; otherwise what matches is copied
    /// and the rest reported.
    /// </summary>
    /// <exception cref="OnnxGraphException">Strict loading found differences; the message lists them.</exception>
    public static LoadResult LoadInto(Module target, OnnxModel model, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(model);
        var weights = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var t in model.Graph.Initializers)
        {
            if (!GraphCompiler.IsFloat(t.DataType) || t.Dims.Count == 0) continue;
            try
            {
                weights[t.Name] = t.ToTensor();
            }
            catch (OnnxFormatException e)
            {
                throw new OnnxGraphException(model.Source, -1, null, $"initializer '{t.Name}' cannot be read: {e.Message}", e);
            }
        }
        var own = target.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Shape, StringComparer.Ordinal);
        var missing = own.Keys.Where(k => !weights.ContainsKey(k) && !k.EndsWith("num_batches_tracked", StringComparison.Ordinal)).ToList();
        var unexpected = weights.Keys.Where(k => !own.ContainsKey(k)).ToList();
        var mismatched = weights.Where(kv => own.TryGetValue(kv.Key, out var s) && s != kv.Value.Shape)
            .Select(kv => $"{kv.Key} (model {own[kv.Key]}, file {kv.Value.Shape})").ToList();
        var result = new LoadResult(missing, unexpected, mismatched);
        if (strict && !result.IsExact)
            throw new OnnxGraphException(model.Source, -1, null, $"LoadInto {target.GetType().Name}: {result}.");
        target.LoadStateDict(weights.Where(kv => own.TryGetValue(kv.Key, out var s) && s == kv.Value.Shape), strict: false);
        return result;
    }

    /// <summary>Reads the model file at <paramref name="path"/> and copies its weights into <paramref name="target"/> (see <see cref="LoadInto(Module, OnnxModel, bool)"/>).</summary>
    public static LoadResult LoadInto(Module target, string path, bool strict = true) => LoadInto(target, OnnxModel.Load(path), strict);
}
