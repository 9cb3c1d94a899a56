using NetFromScratch.Tensors;

namespace NetFromScratch.Autograd;

/// <summary>
/// Reverse-mode differentiation: sort the nodes reachable from the output so that every node comes before the nodes
/// that produced its inputs, then walk that order once, handing each node the gradient of its output and collecting
/// the gradients it sends to its inputs. A Variable used several times receives the sum of those gradients.
/// </summary>
/// <remarks>
/// Ownership of gradient tensors: every gradient in flight belongs to this walk alone (a tensor from outside, such as
/// a caller's gradient or a hook's return value, is wrapped in a fresh alias first), so the walk disposes each one as
/// soon as it is consumed and its buffer returns to the pool. Gradients in flight are never modified in place.
/// </remarks>
internal static class Backpropagation
{
    public static void Run(Variable root, Tensor? gradient, bool retainGraph, BackwardTrace? trace)
    {
        if (!root.RequiresGrad)
            throw new InvalidOperationException($"Backward: {root.Describe()} does not require grad and has no graph; mark an input with requiresGrad: true before computing it.");
        Tensor seed = SeedGradient(root, gradient);
        if (root.IsLeaf)
        {
            AccumulateIntoLeaf(root, seed, trace);
            return;
        }

        // Fail before touching any gradient if part of the graph is gone.
        var order = TopologicalOrder(root.GradFn!);
        foreach (var node in order)
            if (node.IsReleased)
                throw new InvalidOperationException(
                    $"Backward: the graph through {node.Op} (output of shape {node.Output.Shape}) was already released by an earlier Backward; pass retainGraph: true to the first call to backpropagate through it twice.");

        var labels = trace is null ? null : new GraphLabels(root);
        var pending = new Dictionary<Variable, Tensor>(ReferenceEqualityComparer.Instance) { [root] = seed };
        var leaves = new List<Variable>();
        var leafSet = new HashSet<Variable>(ReferenceEqualityComparer.Instance);
        int step = 0;
        foreach (var node in order)
        {
            var output = node.Output;
            if (!pending.Remove(output, out var gradOut))
            {
                if (!retainGraph) node.Release();
                continue;
            }
            gradOut = RunHooks(output, gradOut);
            if (output.RetainsGrad) StoreGrad(output, gradOut);

            var gradIns = node.Apply(gradOut);
            if (gradIns.Length != node.Inputs.Count)
                throw new InvalidOperationException($"Backward: the rule of {node.Op} returned {gradIns.Length} gradients for {node.Inputs.Count} inputs.");
            // First give every slot its own tensor object (the same one may be sent to several inputs, or be gradOut
            // itself), before any of them is summed into a pending gradient and disposed.
            bool gradOutPassedOn = false;
            for (int i = 0; i < gradIns.Length; i++)
            {
                var g = gradIns[i];
                var input = node.Inputs[i];
                if (g is null || !input.RequiresGrad)
                {
                    gradIns[i] = null;
                    continue;
                }
                if (g.Shape != input.Shape)
                    throw new InvalidOperationException($"Backward: the rule of {node.Op} produced a gradient of shape {g.Shape} for input {i} of shape {input.Shape}.");
                if (Anomaly.IsEnabled)
                    Anomaly.Check(g, () => $"the backward of {node.Op} (rule {node.Rule}) for input {i} of shape {input.Shape}");
                if (ReferenceEquals(g, gradOut)) gradOutPassedOn = true;
                if (SentEarlier(gradIns, i, g)) gradIns[i] = Graph.Alias(g);
            }
            var sent = trace is null ? null : new List<BackwardTraceGradient>();
            for (int i = 0; i < gradIns.Length; i++)
            {
                var g = gradIns[i];
                if (g is null) continue;
                var input = node.Inputs[i];
                sent?.Add(new BackwardTraceGradient(labels!.Of(input), input.Shape, Norm(g)));
                AddPending(pending, input, g);
                if (input.IsLeaf && leafSet.Add(input)) leaves.Add(input);
            }
            if (!gradOutPassedOn) gradOut.Dispose();
            trace?.Add(new BackwardTraceEntry(++step, labels!.Of(node.Output), node.Op, node.Output.Shape, node.Rule, sent!));
            if (!retainGraph) node.Release();
        }

        foreach (var leaf in leaves)
            if (pending.Remove(leaf, out var g))
                AccumulateIntoLeaf(leaf, g, trace, labels, ++step);
    }

    private static Tensor SeedGradient(Variable root, Tensor? gradient)
    {
        if (gradient is null)
        {
            if (root.Numel != 1)
                throw new InvalidOperationException(
                    $"Backward: a gradient can be implied only for a one-element output, but {root.Describe()} has shape {root.Shape}; pass Backward(gradient) with a tensor of that shape (for example ones).");
            return Tensor.Ones(root.Shape, root.Device);
        }
        if (gradient.Shape != root.Shape)
            throw new ArgumentException($"Backward: the gradient has shape {gradient.Shape} but {root.Describe()} has shape {root.Shape}.");
        if (!ReferenceEquals(gradient.Device, root.Device))
            throw new ArgumentException($"Backward: the gradient is on {gradient.Device} but {root.Describe()} is on {root.Device}.");
        return Graph.Alias(gradient);
    }

    /// <summary>Nodes reachable from <paramref name="root"/>, each before every node that produced one of its inputs.</summary>
    internal static List<Node> TopologicalOrder(Node root)
    {
        // Iterative depth-first post-order (deep graphs would overflow a recursive one), then reversed.
        var postOrder = new List<Node>();
        var visited = new HashSet<Node>(ReferenceEqualityComparer.Instance) { root };
        var stack = new Stack<(Node Node, int NextInput)>();
        stack.Push((root, 0));
        while (stack.Count > 0)
        {
            var (node, next) = stack.Pop();
            if (next < node.Inputs.Count)
            {
                stack.Push((node, next + 1));
                var child = node.Inputs[next].GradFn;
                if (child is not null && visited.Add(child)) stack.Push((child, 0));
            }
            else postOrder.Add(node);
        }
        postOrder.Reverse();
        return postOrder;
    }

    private static bool SentEarlier(Tensor?[] gradIns, int i, Tensor g)
    {
        for (int j = 0; j < i; j++)
            if (ReferenceEquals(gradIns[j], g)) return true;
        return false;
    }

    private static void AddPending(Dictionary<Variable, Tensor> pending, Variable input, Tensor g)
    {
        if (pending.TryGetValue(input, out var earlier))
        {
            pending[input] = earlier.Add(g);
            earlier.Dispose();
            g.Dispose();
        }
        else pending[input] = g;
    }

    private static Tensor RunHooks(Variable v, Tensor g)
    {
        if (v.Hooks.Count == 0) return g;
        // Copy: a hook may remove itself.
        foreach (var hook in v.Hooks.ToArray())
        {
            // The hook gets its own alias: it may keep the tensor after this walk disposes ours.
            var replacement = hook.Function(Graph.Alias(g));
            if (replacement is null) continue;
            if (replacement.Shape != v.Shape)
                throw new InvalidOperationException($"Backward: a hook on {v.Describe()} returned a gradient of shape {replacement.Shape}; expected {v.Shape}.");
            if (!ReferenceEquals(replacement.Device, v.Device))
                throw new InvalidOperationException($"Backward: a hook on {v.Describe()} returned a gradient on {replacement.Device}; expected {v.Device}.");
            g.Dispose();
            g = Graph.Alias(replacement);
        }
        return g;
    }

    private static void AccumulateIntoLeaf(Variable leaf, Tensor g, BackwardTrace? trace, GraphLabels? labels = null, int step = 1)
    {
        g = RunHooks(leaf, g);
        if (trace is not null)
        {
            labels ??= new GraphLabels(leaf);
            var label = labels.Of(leaf);
            trace.Add(new BackwardTraceEntry(step, label, "AccumulateGrad", leaf.Shape,
                leaf.Grad is null ? "grad = g" : "grad += g", [new BackwardTraceGradient(label + ".Grad", leaf.Shape, Norm(g))]));
        }
        StoreGrad(leaf, g);
        g.Dispose();
    }

    /// <summary>Adds <paramref name="g"/> into <c>v.Grad</c>, which is created as a private contiguous copy the first time.</summary>
    private static void StoreGrad(Variable v, Tensor g)
    {
        if (v.Grad is null) v.Grad = g.Clone();
        else v.Grad.AddInPlace(g);
    }

    private static double Norm(Tensor g)
    {
        double sum = 0;
        foreach (float x in g.ToArray()) sum += (double)x * x;
        return Math.Sqrt(sum);
    }
}
