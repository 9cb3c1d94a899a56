using NetFromScratch.Nn;
using NetFromScratch.Nn.Models;

namespace NetFromScratch.Onnx.Export;

/// <summary>
/// The ONNX form of our model builders (VGG, ResNet and its blocks, with the residual Add), in torchvision's layout
/// and names, and of an imported graph placed inside another module.
/// </summary>
internal static class ModelEmitters
{
    public static IEnumerable<(Type Type, OnnxModuleEmitter Emitter)> All()
    {
        yield return (typeof(Vgg), Vgg);
        yield return (typeof(ResNet), ResNet);
        yield return (typeof(BasicBlock), BasicBlock);
        yield return (typeof(Bottleneck), Bottleneck);
        yield return (typeof(ImportedModel), Imported);
    }

    private static string Vgg(OnnxExportContext c, Module m, string path, string x)
    {
        var vgg = (Vgg)m;
        x = c.Emit(vgg.Features, OnnxExportContext.Join(path, "features"), x);
        x = c.Emit(vgg.AvgPool, OnnxExportContext.Join(path, "avgpool"), x);
        x = c.AddNode("Flatten", path, [x], OnnxAttribute.FromInt("axis", 1));
        return c.Emit(vgg.Classifier, OnnxExportContext.Join(path, "classifier"), x);
    }

    private static string ResNet(OnnxExportContext c, Module m, string path, string x)
    {
        var net = (ResNet)m;
        x = c.Emit(net.Conv1, OnnxExportContext.Join(path, "conv1"), x);
        x = c.Emit(net.Bn1, OnnxExportContext.Join(path, "bn1"), x);
        x = c.Emit(net.Relu, OnnxExportContext.Join(path, "relu"), x);
        x = c.Emit(net.MaxPool, OnnxExportContext.Join(path, "maxpool"), x);
        for (int i = 0; i < net.Layers.Count; i++) x = c.Emit(net.Layers[i], OnnxExportContext.Join(path, $"layer{i + 1}"), x);
        x = c.Emit(net.AvgPool, OnnxExportContext.Join(path, "avgpool"), x);
        x = c.AddNode("Flatten", path, [x], OnnxAttribute.FromInt("axis", 1));
        return c.Emit(net.Fc, OnnxExportContext.Join(path, "fc"), x);
    }

    private static string BasicBlock(OnnxExportContext c, Module m, string path, string x)
    {
        var block = (BasicBlock)m;
        string identity = block.Downsample is null ? x : c.Emit(block.Downsample, OnnxExportContext.Join(path, "downsample"), x);
        string y = c.Emit(block.Conv1, OnnxExportContext.Join(path, "conv1"), x);
        y = c.Emit(block.Bn1, OnnxExportContext.Join(path, "bn1"), y);
        y = c.Emit(block.Relu, OnnxExportContext.Join(path, "relu"), y);
        y = c.Emit(block.Conv2, OnnxExportContext.Join(path, "conv2"), y);
        y = c.Emit(block.Bn2, OnnxExportContext.Join(path, "bn2"), y);
        return c.Emit(block.Relu, OnnxExportContext.Join(path, "relu"), c.AddNode("Add", path, [y, identity]));
    }

    private static string Bottleneck(OnnxExportContext c, Module m, string path, string x)
    {
        var block = (Bottleneck)m;
        string identity = block.Downsample is null ? x : c.Emit(block.Downsample, OnnxExportContext.Join(path, "downsample"), x);
        string y = c.Emit(block.Conv1, OnnxExportContext.Join(path, "conv1"), x);
        y = c.Emit(block.Bn1, OnnxExportContext.Join(path, "bn1"), y);
        y = c.Emit(block.Relu, OnnxExportContext.Join(path, "relu"), y);
        y = c.Emit(block.Conv2, OnnxExportContext.Join(path, "conv2"), y);
        y = c.Emit(block.Bn2, OnnxExportContext.Join(path, "bn2"), y);
        y = c.Emit(block.Relu, OnnxExportContext.Join(path, "relu"), y);
        y = c.Emit(block.Conv3, OnnxExportContext.Join(path, "conv3"), y);
        y = c.Emit(block.Bn3, OnnxExportContext.Join(path, "bn3"), y);
        return c.Emit(block.Relu, OnnxExportContext.Join(path, "relu"), c.AddNode("Add", path, [y, identity]));
    }

    /// <summary>
    /// An imported graph inside another module: its nodes copied with their values renamed under the module's path,
    /// its weights named <c>path.name</c> with their current values, its single input bound to <paramref name="x"/>.
    /// </summary>
    private static string Imported(OnnxExportContext c, Module m, string path, string x)
    {
        var imported = (ImportedModel)m;
        if (imported.OpsetVersion != c.Opset)
            throw new NotSupportedException($"OnnxExporter: {(path.Length > 0 ? path : "(root)")}: the imported graph '{imported.Source}' uses opset {imported.OpsetVersion}; export at that opset to include it.");
        if (imported.Inputs.Count != 1)
            throw new NotSupportedException($"OnnxExporter: {path}: an imported graph with {imported.Inputs.Count} inputs cannot be placed in a chain.");
        var graph = imported.Model.Graph;
        string inputName = imported.Inputs[0].Name;
        var renamed = new Dictionary<string, string>(StringComparer.Ordinal) { [inputName] = x, [""] = "" };
        string Rename(string name) => renamed.TryGetValue(name, out var r) ? r : renamed[name] = path.Length == 0 ? name : $"{path}/{name}";
        foreach (var t in graph.Initializers)
        {
            if (t.Name == inputName) continue;
            string name = path.Length == 0 ? t.Name : OnnxExportContext.Join(path, t.Name);
            renamed[t.Name] = name;
            var weight = imported.ParametersByOnnxName.TryGetValue(t.Name, out var p) ? p.Data
                : imported.BuffersByOnnxName.TryGetValue(t.Name, out var b) ? b.Data : null;
            if (weight is not null)
            {
                c.AddInitializer(name, weight);
                continue;
            }
            var copy = OnnxTensorFile.Parse(OnnxTensorFile.ToBytes(t));
            copy.Name = name;
            c.AddImportedConstant(copy);
        }
        foreach (var node in graph.Nodes)
        {
            string nodeName = path.Length == 0 || node.Name.Length == 0 ? node.Name : $"{path}/{node.Name}";
            var copy = OnnxNode.Create(node.OpType, nodeName, node.Inputs.Select(Rename), node.Outputs.Select(Rename), [.. node.Attributes]);
            copy.Domain = node.Domain;
            c.AddImportedNode(copy, path);
        }
        return Rename(imported.Outputs[0].Name);
    }
}
