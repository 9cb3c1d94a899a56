using NetFromScratch.Autograd;
using NetFromScratch.Nn;

namespace NetFromScratch.Training.FineTuning;

/// <summary>
/// A feature extractor followed by a classifier head: <c>head(flatten(backbone(x)))</c>. This is how a network that is
/// not one of the built models (an imported ONNX graph cut before its classifier, a hand-made Sequential) becomes
/// fine-tunable: the backbone's parameters are named <c>backbone.*</c> and the head's <c>head.*</c>.
/// Shape: input as the backbone takes it -&gt; <c>[N, classes]</c>; the backbone's output is flattened to <c>[N, features]</c>
/// when it has more than two axes.
/// </summary>
public sealed class BackboneWithHead : Module
{
    /// <summary>Joins <paramref name="backbone"/> and <paramref name="head"/>.</summary>
    public BackboneWithHead(Module backbone, Module head)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        ArgumentNullException.ThrowIfNull(head);
        Backbone = RegisterModule("backbone", backbone);
        Head = RegisterModule("head", head);
    }

    /// <summary>The feature extractor.</summary>
    public Module Backbone { get; private set; }

    /// <summary>The classifier (replace it for a new task).</summary>
    public Module Head { get; private set; }

    /// <inheritdoc/>
    protected override void OnChildReplaced(string name, Module module)
    {
        if (name == "backbone") Backbone = module;
        else if (name == "head") Head = module;
    }

    /// <summary>The backbone's output, flattened to <c>[N, features]</c>. Shape: input -&gt; <c>[N, features]</c>.</summary>
    public Variable ForwardFeatures(Variable input)
    {
        var x = Backbone.Forward(input);
        return x.Rank > 2 ? x.Flatten(1) : x;
    }

    /// <inheritdoc/>
    protected override Variable ForwardCore(Variable input) => Head.Forward(ForwardFeatures(input));
}
