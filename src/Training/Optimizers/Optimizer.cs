using System.Globalization;
using NetFromScratch.Autograd;
using NetFromScratch.Tensors;

namespace NetFromScratch.Training.Optimizers;

/// <summary>
/// The base of every optimizer: parameter groups, per-parameter state, <see cref="Step"/> and <see cref="ZeroGrad"/>,
/// and a state dict for checkpoints. Each subclass implements one update rule with PyTorch's formula (its XML
/// documentation spells it out) using the fused in-place kernels of <see cref="FusedUpdates"/>, so a steady step
/// allocates nothing.
/// </summary>
/// <remarks>
/// <see cref="Step"/> skips parameters that are frozen (<c>RequiresGrad == false</c>) or that received no gradient.
/// Learning rates and weight decays live in <see cref="ParamGroups"/>; schedules change them between steps.
/// </remarks>
public abstract class Optimizer
{
    private readonly ParamGroup[] _groups;
    private readonly ParameterState[][] _states;

    /// <summary>Creates the optimizer, giving each group without its own settings the defaults.</summary>
    /// <exception cref="ArgumentException">A setting is out of range, no parameter was given, or a parameter appears twice.</exception>
    protected Optimizer(string name, IEnumerable<ParamGroup> groups, double learningRate, double weightDecay)
    {
        ArgumentNullException.ThrowIfNull(groups);
        Name = name;
        _groups = groups.ToArray();
        if (_groups.Length == 0 || _groups.All(g => g.Parameters.Count == 0))
            throw new ArgumentException($"{name}: no parameters to optimize.");
        var seen = new HashSet<Variable>(ReferenceEqualityComparer.Instance);
        foreach (var g in _groups)
        {
            g.LearningRate = g.RequestedLearningRate ?? learningRate;
            g.InitialLearningRate = g.LearningRate;
            g.WeightDecay = g.RequestedWeightDecay ?? weightDecay;
            CheckNonNegative(name, "learning rate", g.LearningRate);
            CheckNonNegative(name, "weight decay", g.WeightDecay);
            foreach (var p in g.Parameters)
                if (!seen.Add(p))
                    throw new ArgumentException($"{name}: parameter {p.Name ?? p.Shape.ToString()} appears in more than one place; each parameter belongs to one group.");
        }
        _states = _groups.Select(g => g.Parameters.Select(_ => new ParameterState(SlotNames.Count)).ToArray()).ToArray();
    }

    /// <summary>The optimizer's name, as PyTorch spells it (<c>SGD</c>, <c>Adam</c>, ...).</summary>
    public string Name { get; }

    /// <summary>The parameter groups, in the order given.</summary>
    public IReadOnlyList<ParamGroup> ParamGroups => _groups;

    /// <summary>Number of <see cref="Step"/> calls so far.</summary>
    public long StepCount { get; private set; }

    /// <summary>The names of the running buffers each parameter keeps, in slot order (for the state dict).</summary>
    public abstract IReadOnlyList<string> SlotNames { get; }

    /// <summary>Every parameter of every group, in state-dict order.</summary>
    public IEnumerable<Variable> AllParameters() => _groups.SelectMany(g => g.Parameters);

    /// <summary>Updates every trainable parameter that has a gradient, in place.</summary>
    public void Step()
    {
        StepCount++;
        for (int g = 0; g < _groups.Length; g++)
        {
            var group = _groups[g];
            var states = _states[g];
            for (int i = 0; i < states.Length; i++)
            {
                var p = group.Parameters[i];
                if (!p.RequiresGrad || p.Grad is null) continue;
                var state = states[i];
                state.Step++;
                Update(group, p.Data, p.Grad, state);
            }
        }
    }

    /// <summary>
    /// Applies the update rule to one parameter. <paramref name="state"/>'s step has already been incremented.
    /// Shape: parameter, gradient and every state buffer alike.
    /// </summary>
    protected abstract void Update(ParamGroup group, Tensor parameter, Tensor gradient, ParameterState state);

    /// <summary>
    /// Clears the gradients of all parameters: zeroed in place by default, which keeps their buffers for the next step
    /// (no allocation), or dropped (<paramref name="setToNone"/>, PyTorch's default) to free their memory.
    /// </summary>
    public void ZeroGrad(bool setToNone = false)
    {
        // Index loops: a foreach over IReadOnlyList would allocate an enumerator on every step.
        foreach (var g in _groups)
            for (int i = 0; i < g.Parameters.Count; i++)
            {
                var p = g.Parameters[i];
                if (setToNone) p.Grad = null;
                else if (p.Grad is { } grad)
                {
                    if (TensorSpansOf(grad, out var span)) span.Clear();
                    else grad.ZeroInPlace();
                }
            }
    }

    private static bool TensorSpansOf(Tensor t, out Span<float> span) => Regularization.TensorSpans.TryGet(t, out span);

    /// <summary>The state for parameter <paramref name="index"/> of group <paramref name="group"/>.</summary>
    public ParameterState StateOf(int group, int index) => _states[group][index];

    /// <summary>The running buffer <paramref name="slot"/> (one of <see cref="SlotNames"/>) of a parameter, or null before its first update.</summary>
    public Tensor? StateTensor(int group, int index, string slot)
    {
        int s = IndexOfSlot(slot);
        return s < 0 ? null : _states[group][index].Slots[s];
    }

    private int IndexOfSlot(string slot)
    {
        for (int i = 0; i < SlotNames.Count; i++)
            if (SlotNames[i] == slot) return i;
        return -1;
    }

    // ---- state dict --------------------------------------------------------------------------------------------

    /// <summary>
    /// The state as named tensors and numbers (see <see cref="OptimizerState"/>). The tensors are the live buffers;
    /// write them out before the next step.
    /// </summary>
    public OptimizerState StateDict()
    {
        var state = new OptimizerState(Name);
        state.Values["step_count"] = StepCount;
        int index = 0;
        for (int g = 0; g < _groups.Length; g++)
        {
            string gp = "group." + g.ToString(CultureInfo.InvariantCulture);
            state.Values[gp + ".lr"] = _groups[g].LearningRate;
            state.Values[gp + ".initial_lr"] = _groups[g].InitialLearningRate;
            state.Values[gp + ".weight_decay"] = _groups[g].WeightDecay;
            state.Values[gp + ".size"] = _groups[g].Parameters.Count;
            foreach (var s in _states[g])
            {
                string sp = "state." + index.ToString(CultureInfo.InvariantCulture);
                if (s.Step > 0) state.Values[sp + ".step"] = s.Step;
                for (int k = 0; k < SlotNames.Count; k++)
                    if (s.Slots[k] is { } t) state.Tensors[sp + "." + SlotNames[k]] = t;
                index++;
            }
        }
        return state;
    }

    /// <summary>
    /// Restores a state written by <see cref="StateDict"/> from an optimizer of the same kind over the same parameter
    /// layout. Buffers are copied into place (created where missing), so continuing gives the same updates.
    /// </summary>
    /// <exception cref="InvalidOperationException">The state is for another optimizer, another group layout, or a buffer's shape differs; nothing is changed.</exception>
    public void LoadStateDict(OptimizerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Optimizer != Name)
            throw new InvalidOperationException($"{Name}.LoadStateDict: the state was saved by {state.Optimizer}.");
        // Check everything first, so that a bad state leaves this optimizer untouched.
        int index = 0;
        for (int g = 0; g < _groups.Length; g++)
        {
            string gp = "group." + g.ToString(CultureInfo.InvariantCulture);
            if (!state.Values.TryGetValue(gp + ".size", out double size) || (int)size != _groups[g].Parameters.Count)
                throw new InvalidOperationException($"{Name}.LoadStateDict: group {g} has {_groups[g].Parameters.Count} parameters here but {(state.Values.ContainsKey(gp + ".size") ? ((int)size).ToString(CultureInfo.InvariantCulture) : "none")} in the state.");
            foreach (var p in _groups[g].Parameters)
            {
                string sp = "state." + index.ToString(CultureInfo.InvariantCulture);
                foreach (var slot in SlotNames)
                    if (state.Tensors.TryGetValue(sp + "." + slot, out var t) && t.Shape != p.Shape)
                        throw new InvalidOperationException($"{Name}.LoadStateDict: buffer {sp}.{slot} has shape {t.Shape} but parameter {index} has shape {p.Shape}.");
                index++;
            }
        }
        if (state.Values.Keys.Any(k => k.StartsWith("group.", StringComparison.Ordinal) && k.EndsWith(".size", StringComparison.Ordinal)
                                       && int.Parse(k.Split('.')[1], CultureInfo.InvariantCulture) >= _groups.Length))
            throw new InvalidOperationException($"{Name}.LoadStateDict: the state has more than the {_groups.Length} parameter groups here.");

        StepCount = (long)state.Values.GetValueOrDefault("step_count");
        index = 0;
        for (int g = 0; g < _groups.Length; g++)
        {
            string gp = "group." + g.ToString(CultureInfo.InvariantCulture);
            _groups[g].LearningRate = state.Values[gp + ".lr"];
            _groups[g].InitialLearningRate = state.Values.GetValueOrDefault(gp + ".initial_lr", _groups[g].LearningRate);
            _groups[g].WeightDecay = state.Values.GetValueOrDefault(gp + ".weight_decay", _groups[g].WeightDecay);
            for (int i = 0; i < _groups[g].Parameters.Count; i++)
            {
                var p = _groups[g].Parameters[i];
                var s = _states[g][i];
                string sp = "state." + index.ToString(CultureInfo.InvariantCulture);
                s.Step = (long)state.Values.GetValueOrDefault(sp + ".step");
                for (int k = 0; k < SlotNames.Count; k++)
                {
                    if (state.Tensors.TryGetValue(sp + "." + SlotNames[k], out var t))
                        (s.Slots[k] ??= Tensor.Zeros(p.Shape, p.Device)).CopyFrom(t.To(p.Device));
                    else
                    {
                        s.Slots[k]?.Dispose();
                        s.Slots[k] = null;
                    }
                }
                index++;
            }
        }
    }

    /// <summary>Writes <see cref="StateDict"/> to a safetensors file (buffers as tensors, numbers as metadata), atomically.</summary>
    public void Save(string path)
    {
        var state = StateDict();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["optimizer"] = state.Optimizer };
        foreach (var (k, v) in state.Values) metadata["v." + k] = v.ToString("R", CultureInfo.InvariantCulture);
        NetFromScratch.Tensors.Serialization.SafeTensors.Save(path, state.Tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal), metadata);
    }

    /// <summary>Restores a state written by <see cref="Save"/> (see <see cref="LoadStateDict"/>).</summary>
    /// <exception cref="InvalidOperationException">The file holds another optimizer's state or another layout; the message names the file.</exception>
    public void Load(string path)
    {
        var file = NetFromScratch.Tensors.Serialization.SafeTensors.Load(path);
        if (!file.Metadata.TryGetValue("optimizer", out var kind))
            throw new InvalidOperationException($"{path}: not an optimizer state (no 'optimizer' entry in its metadata).");
        var state = new OptimizerState(kind);
        foreach (var (k, t) in file.Tensors) state.Tensors[k] = t;
        foreach (var (k, v) in file.Metadata)
            if (k.StartsWith("v.", StringComparison.Ordinal)) state.Values[k[2..]] = double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture);
        try
        {
            LoadStateDict(state);
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException($"{path}: {e.Message}", e);
        }
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Name}({Describe()}) over {_groups.Length} group(s): " + string.Join("; ", _groups.Select(g => g.ToString()));

    /// <summary>The optimizer's own settings for <see cref="ToString"/>, e.g. <c>betas=(0.9, 0.999), eps=1e-08</c>.</summary>
    protected abstract string Describe();

    /// <summary>Throws unless <paramref name="value"/> is a finite number at least 0.</summary>
    protected static void CheckNonNegative(string optimizer, string what, double value)
    {
        if (!(value >= 0) || double.IsInfinity(value))
            throw new ArgumentException($"{optimizer}: {what} must be a finite number >= 0, got {value.ToString(CultureInfo.InvariantCulture)}.");
    }

    /// <summary>Throws unless <paramref name="value"/> is in [0, 1).</summary>
    protected static void CheckFraction(string optimizer, string what, double value)
    {
        if (!(value >= 0 && value < 1))
            throw new ArgumentException($"{optimizer}: {what} must be in [0, 1), got {value.ToString(CultureInfo.InvariantCulture)}.");
    }

    /// <summary>Turns a list of module parameters into one group.</summary>
    protected static IEnumerable<ParamGroup> OneGroup(IEnumerable<Variable> parameters) => [new ParamGroup(parameters)];
}
