using NetFromScratch.Autograd;
using NetFromScratch.Nn;
using NetFromScratch.Tensors;

namespace NetFromScratch.Onnx.Import;

/// <summary>
/// Turns an ONNX graph into a <see cref="CompiledGraph"/>: checks that every operator is supported, orders the nodes
/// topologically, decides which initializers are trainable parameters, running-statistics buffers or constants,
/// compiles each node once into a kernel, and runs the nodes whose inputs are all constants (the shape plumbing
/// exporters emit) at load time, so a forward pass only computes.
/// </summary>
internal static class GraphCompiler
{
    private enum InitializerKind { Constant, Parameter, Buffer }

    public static CompiledGraph Compile(OnnxModel model, Func<string, Tensor, Parameter> addParameter, Func<string, Tensor, Nn.Buffer> addBuffer)
    {
        string source = model.Source;
        var graph = model.Graph;
        long opset = model.OpsetVersion("");
        if (opset <= 0)
            throw new OnnxGraphException(source, -1, null, "the model imports no version of the standard operator set (opset_import is empty).");

        // ---- operators ----
        var infos = new OpInfo[graph.Nodes.Count];
        var unsupported = new List<int>();
        for (int i = 0; i < graph.Nodes.Count; i++)
        {
            var info = OpRegistry.Find(graph.Nodes[i]);
            if (info is null) unsupported.Add(i);
            else infos[i] = info;
        }
        if (unsupported.Count > 0)
        {
            var node = graph.Nodes[unsupported[0]];
            var others = unsupported.Skip(1).Select(i => OnnxInspector.OpKey(graph.Nodes[i])).Distinct().Where(k => k != OnnxInspector.OpKey(node)).ToList();
            string also = others.Count > 0 ? $" (also unsupported in this model: {string.Join(", ", others)})" : "";
            throw new OnnxGraphException(source, unsupported[0], node,
                $"unsupported op '{OnnxInspector.OpKey(node)}' at opset {opset}{also}. Supported ops: {string.Join(", ", OpRegistry.Names)}.");
        }

        // ---- values and order ----
        var initializers = new Dictionary<string, OnnxTensor>(StringComparer.Ordinal);
        foreach (var t in graph.Initializers)
        {
            if (t.Name.Length == 0) throw new OnnxGraphException(source, -1, null, "an initializer has no name.");
            if (!initializers.TryAdd(t.Name, t)) throw new OnnxGraphException(source, -1, null, $"initializer '{t.Name}' is defined twice.");
        }
        var inputs = graph.Inputs.Where(v => !initializers.ContainsKey(v.Name)).ToArray();
        var order = TopologicalOrder(source, graph, initializers, inputs);

        var consumers = new Dictionary<string, List<(OpInfo Info, int Position)>>(StringComparer.Ordinal);
        for (int i = 0; i < graph.Nodes.Count; i++)
            for (int k = 0; k < graph.Nodes[i].Inputs.Count; k++)
            {
                string name = graph.Nodes[i].Inputs[k];
                if (name.Length == 0) continue;
                if (!consumers.TryGetValue(name, out var list)) consumers[name] = list = new();
                list.Add((infos[i], k));
            }
        var graphOutputs = new HashSet<string>(graph.Outputs.Select(o => o.Name), StringComparer.Ordinal);
        bool IsUsed(string name) => consumers.ContainsKey(name) || graphOutputs.Contains(name);

        // ---- slots ----
        var slotOf = new Dictionary<string, int>(StringComparer.Ordinal);
        int Slot(string name) => slotOf.TryGetValue(name, out int s) ? s : slotOf[name] = slotOf.Count;
        foreach (var v in inputs) Slot(v.Name);
        foreach (var t in graph.Initializers) Slot(t.Name);
        foreach (int i in order)
            foreach (var o in graph.Nodes[i].Outputs)
                if (o.Length > 0) Slot(o);
        var template = new RuntimeValue[slotOf.Count];
        var isConstant = new bool[slotOf.Count];
        var constants = new Dictionary<string, RuntimeValue>(StringComparer.Ordinal);
        var parameters = new Dictionary<string, Parameter>(StringComparer.Ordinal);
        var buffers = new Dictionary<string, Nn.Buffer>(StringComparer.Ordinal);
        var bufferSlots = new List<(int, Nn.Buffer)>();

        // ---- initializers: parameters, buffers, constants ----
        foreach (var t in graph.Initializers)
        {
            // Strings and complex numbers have no float32 form; a node that reads one finds its input missing.
            if (t.DataType is OnnxDataType.String or OnnxDataType.Complex64 or OnnxDataType.Complex128) continue;
            int slot = slotOf[t.Name];
            var uses = consumers.GetValueOrDefault(t.Name) ?? [];
            var kind = InitializerKind.Constant;
            if (IsFloat(t.DataType) && t.Dims.Count > 0)
            {
                if (uses.Any(u => u.Info.BufferInputs.Contains(u.Position))) kind = InitializerKind.Buffer;
                else if (uses.Count == 0 || uses.Any(u => !u.Info.StaticInputs.Contains(u.Position))) kind = InitializerKind.Parameter;
            }
            RuntimeValue value;
            try
            {
                value = IsFloat(t.DataType) ? new Variable(t.ToTensor())
                    : new IntTensor(t.ToInt64Array(), t.Dims.Select(d => checked((int)d)).ToArray());
            }
            catch (Exception e) when (e is OnnxFormatException or NotSupportedException or OverflowException)
            {
                throw new OnnxGraphException(source, -1, null, $"initializer '{t.Name}' cannot be read: {e.Message}", e);
            }
            switch (kind)
            {
                case InitializerKind.Parameter:
                    var p = addParameter(t.Name, value.Float!.Data);
                    parameters[t.Name] = p;
                    template[slot] = p.Variable;
                    break;
                case InitializerKind.Buffer:
                    var b = addBuffer(t.Name, value.Float!.Data);
                    buffers[t.Name] = b;
                    bufferSlots.Add((slot, b));
                    break;
                default:
                    constants[t.Name] = value;
                    template[slot] = value;
                    isConstant[slot] = true;
                    break;
            }
        }

        // ---- nodes: compile, fold what is constant ----
        var plan = new List<CompiledNode>();
        foreach (int i in order)
        {
            var node = graph.Nodes[i];
            var info = infos[i];
            var compilation = new NodeCompilation(source, i, node, opset,
                name => constants.TryGetValue(name, out var v) ? (RuntimeValue?)v : null,
                name => buffers.GetValueOrDefault(name),
                name => parameters.GetValueOrDefault(name),
                IsUsed);
            NodeKernel kernel;
            try
            {
                kernel = info.Compile(compilation);
            }
            catch (Exception e) when (e is not OnnxGraphException)
            {
                throw compilation.Error(e.Message);
            }
            var ins = node.Inputs.Select(n => n.Length == 0 ? -1 : slotOf[n]).ToArray();
            var outs = node.Outputs.Select(n => n.Length == 0 ? -1 : slotOf[n]).ToArray();
            bool foldable = info.Foldable && node.Inputs.All(n => n.Length == 0 || constants.ContainsKey(n));
            if (!foldable)
            {
                plan.Add(new CompiledNode(i, node, ins, outs, kernel));
                continue;
            }
            try
            {
                using (NoGrad.Scope()) kernel(new NodeFrame(template, ins, outs, ExecutionState.Folding));
            }
            catch (Exception e) when (e is not OnnxGraphException)
            {
                throw compilation.Error($"while computing it at load time (its inputs are constants): {e.Message}");
            }
            foreach (var (name, slot) in node.Outputs.Zip(outs))
            {
                if (slot < 0) continue;
                constants[name] = template[slot];
                isConstant[slot] = !template[slot].IsEmpty;
            }
        }

        // ---- outputs and slot release ----
        foreach (var o in graph.Outputs)
            if (!slotOf.ContainsKey(o.Name))
                throw new OnnxGraphException(source, -1, null, $"graph output '{o.Name}' is not produced by any node, initializer or input.");
        var outputSlots = graph.Outputs.Select(o => slotOf[o.Name]).ToArray();
        var keep = new HashSet<int>(outputSlots);
        var lastReader = new Dictionary<int, int>();
        for (int p = 0; p < plan.Count; p++)
            foreach (int s in plan[p].Inputs)
                if (s >= 0) lastReader[s] = p;
        for (int p = 0; p < plan.Count; p++)
            plan[p].Release = plan[p].Inputs.Where(s => s >= 0 && lastReader[s] == p && !keep.Contains(s)).Distinct().ToArray();

        return new CompiledGraph
        {
            Nodes = plan.ToArray(),
            Template = template,
            IsConstant = isConstant,
            BufferSlots = bufferSlots.ToArray(),
            InputSlots = inputs.Select(v => slotOf[v.Name]).ToArray(),
            Inputs = inputs,
            OutputSlots = outputSlots,
            Outputs = graph.Outputs.ToArray(),
        };
    }

    internal static bool IsFloat(OnnxDataType t) => t is OnnxDataType.Float or OnnxDataType.Double or OnnxDataType.Float16 or OnnxDataType.BFloat16;

    /// <summary>
    /// The nodes in an order where each value is produced before it is read: the file's order when it already is one
    /// (as the standard requires), otherwise Kahn's algorithm, taking the earliest ready node first.
    /// </summary>
    private static List<int> TopologicalOrder(string source, OnnxGraph graph, Dictionary<string, OnnxTensor> initializers, OnnxValueInfo[] inputs)
    {
        var producer = new Dictionary<string, int>(StringComparer.Ordinal);
        var defined = new HashSet<string>(initializers.Keys, StringComparer.Ordinal);
        foreach (var v in inputs)
            if (!defined.Add(v.Name)) throw new OnnxGraphException(source, -1, null, $"graph input '{v.Name}' is declared twice.");
        for (int i = 0; i < graph.Nodes.Count; i++)
            foreach (var o in graph.Nodes[i].Outputs)
            {
                if (o.Length == 0) continue;
                if (defined.Contains(o) || !producer.TryAdd(o, i))
                    throw new OnnxGraphException(source, i, graph.Nodes[i], $"output '{o}' is already defined by {(producer.TryGetValue(o, out int j) ? $"node[{j}]" : "an input or initializer")}.");
            }
        var waitingOn = new int[graph.Nodes.Count];
        var dependents = new List<int>[graph.Nodes.Count];
        bool sorted = true;
        for (int i = 0; i < graph.Nodes.Count; i++)
        {
            dependents[i] = new List<int>();
            foreach (var name in graph.Nodes[i].Inputs)
            {
                if (name.Length == 0 || defined.Contains(name)) continue;
                if (!producer.TryGetValue(name, out int p))
                    throw new OnnxGraphException(source, i, graph.Nodes[i], $"input '{name}' is not produced by any node, initializer or graph input.");
                if (p >= i) sorted = false;
            }
        }
        if (sorted) return Enumerable.Range(0, graph.Nodes.Count).ToList();

        for (int i = 0; i < graph.Nodes.Count; i++)
            foreach (var name in graph.Nodes[i].Inputs.Where(n => n.Length > 0 && !defined.Contains(n)).Distinct())
            {
                dependents[producer[name]].Add(i);
                waitingOn[i]++;
            }
        var ready = new PriorityQueue<int, int>();
        for (int i = 0; i < graph.Nodes.Count; i++)
            if (waitingOn[i] == 0) ready.Enqueue(i, i);
        var order = new List<int>();
        while (ready.TryDequeue(out int i, out _))
        {
            order.Add(i);
            foreach (int d in dependents[i])
                if (--waitingOn[d] == 0) ready.Enqueue(d, d);
        }
        if (order.Count != graph.Nodes.Count)
        {
            int stuck = Enumerable.Range(0, graph.Nodes.Count).First(i => waitingOn[i] > 0);
            throw new OnnxGraphException(source, stuck, graph.Nodes[stuck], "the graph has a cycle through this node.");
        }
        return order;
    }
}
