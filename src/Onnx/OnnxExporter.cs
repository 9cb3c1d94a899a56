using NetFromScratch.Nn;
using NetFromScratch.Onnx.Export;
using NetFromScratch.Tensors;

namespace NetFromScratch.Onnx;

/// <summary>
/// Writes a module as an ONNX model, so a network trained here runs in other runtimes. Each module type has an
/// emitter that writes its nodes (our layers, Sequential, VGG, ResNet with its residual blocks, an imported graph);
/// weights are named by module path as PyTorch names them (<c>layer1.0.conv1.weight</c>), so importing the file
/// gives parameters of the same names and <see cref="OnnxImporter.LoadInto(Module, OnnxModel, bool)"/> loads it
/// into a freshly built model. Modules of other types can be taught with <see cref="Register{TModule}"/>.
/// </summary>
/// <remarks>
/// The graph is the inference form: BatchNormalization with the running statistics, Dropout that an ONNX runtime
/// treats as the identity. Every node is checked while it is written by running it on an example input of the
/// given shape (the batch dimension is declared symbolic unless <see cref="OnnxExportOptions.DynamicBatch"/> is off).
/// </remarks>
public static class OnnxExporter
{
    private static readonly Dictionary<Type, OnnxModuleEmitter> Emitters = BuiltIn();
    private static readonly Lock Gate = new();

    /// <summary>
    /// Teaches the exporter a module type of your own; <paramref name="emitter"/> writes its nodes through the
    /// <see cref="OnnxExportContext"/> (and may emit its children). Replaces any emitter for that exact type.
    /// </summary>
    public static void Register<TModule>(OnnxModuleEmitter emitter) where TModule : Module
    {
        ArgumentNullException.ThrowIfNull(emitter);
        lock (Gate) Emitters[typeof(TModule)] = emitter;
    }

    /// <summary>
    /// The ONNX model of <paramref name="module"/> for inputs of shape <paramref name="inputShape"/> (its first
    /// dimension, the batch, declared symbolic by default). An <see cref="ImportedModel"/> at the top level is written
    /// back as its own graph with its current weights, whatever the shape.
    /// </summary>
    /// <exception cref="NotSupportedException">A module in the tree has no emitter; the message names its type and path.</exception>
    public static OnnxModel Export(Module module, Shape inputShape, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        if (module is ImportedModel imported) return imported.ToOnnx();
        options ??= new OnnxExportOptions();
        if (options.Opset < 13)
            throw new ArgumentException($"OnnxExporter: opset {options.Opset} is not written; use 13 or later.");
        var context = new OnnxExportContext(options.Opset, Find);
        context.Graph.Name = options.GraphName;
        using var example = Tensor.Zeros(inputShape);
        context.AddInput(options.InputName, example);
        string last = context.Emit(module, "", options.InputName);
        string output = context.RenameOutput(last, options.OutputName);

        context.Graph.Inputs.Add(ValueInfo(options.InputName, inputShape.ToArray(), options.DynamicBatch));
        context.Graph.Outputs.Add(ValueInfo(output, context.ValueOf(output).Dims, options.DynamicBatch));
        var model = new OnnxModel
        {
            IrVersion = options.Opset <= 14 ? 7 : options.Opset <= 18 ? 8 : options.Opset <= 20 ? 9 : 10,
            ProducerName = "NetFromScratch",
            ProducerVersion = typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "",
            Graph = context.Graph,
            Source = module.GetType().Name,
        };
        model.OpsetImports.Add(new OnnxOpsetId("", options.Opset));
        return model;
    }

    /// <summary>Exports <paramref name="module"/> (see <see cref="Export"/>) and writes the model to <paramref name="path"/>.</summary>
    public static void Save(Module module, string path, Shape inputShape, OnnxExportOptions? options = null) =>
        Export(module, inputShape, options).Save(path);

    private static OnnxValueInfo ValueInfo(string name, int[] dims, bool dynamicBatch) =>
        OnnxValueInfo.Tensor(name, OnnxDataType.Float, dims.Select((d, i) => i == 0 && dynamicBatch ? (object)"batch" : d).ToArray());

    // The emitter for the module's own type, else for the nearest base type (BatchNorm2d uses BatchNorm's).
    private static OnnxModuleEmitter? Find(Module module)
    {
        lock (Gate)
        {
            for (var t = module.GetType(); t is not null && t != typeof(object); t = t.BaseType)
                if (Emitters.TryGetValue(t, out var e)) return e;
        }
        return null;
    }

    private static Dictionary<Type, OnnxModuleEmitter> BuiltIn()
    {
        var table = new Dictionary<Type, OnnxModuleEmitter>();
        foreach (var (type, emitter) in LayerEmitters.All().Concat(ModelEmitters.All())) table[type] = emitter;
        return table;
    }
}
