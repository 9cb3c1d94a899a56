using NetFromScratch.Autograd;
using NetFromScratch.Nn;
using NetFromScratch.Tensors;

namespace NetFromScratch.Onnx.Import;

/// <summary>
/// One level of an imported model's weight tree: initializers named <c>layer1.0.conv1.weight</c> live in scopes
/// <c>layer1</c>, <c>0</c>, <c>conv1</c> as a parameter <c>weight</c>, so names, freezing by prefix and state dicts match
/// the exporting framework's. It holds weights only; the <see cref="ImportedModel"/> runs the graph.
/// </summary>
internal sealed class ParameterScope : Module
{
    public Parameter AddParameter(string name, Tensor data) => RegisterParameter(name, data);

    public Nn.Buffer AddBuffer(string name, Tensor data) => RegisterBuffer(name, data);

    public ParameterScope Child(string name) =>
        NamedChildren().FirstOrDefault(c => c.Name == name).Module as ParameterScope ?? RegisterModule(name, new ParameterScope());

    protected override Variable ForwardCore(Variable input) =>
        throw new InvalidOperationException("ParameterScope holds imported weights only; run the ImportedModel that owns it.");
}
