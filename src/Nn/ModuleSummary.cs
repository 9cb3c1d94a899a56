using System.Globalization;
using System.Text;
using NetFromScratch.Autograd;
using NetFromScratch.Tensors;

namespace NetFromScratch.Nn;

/// <summary>Builds the text of <see cref="Module.Summary"/>.</summary>
internal static class ModuleSummary
{
    public static string Format(Module model, Shape? inputShape, Device? device)
    {
        var shapes = new Dictionary<Module, Shape>(ReferenceEqualityComparer.Instance);
        if (inputShape is { } s)
        {
            bool wasTraining = model.IsTraining;
            var handles = model.NamedModules().Select(m => m.Module.RegisterForwardHook((mod, _, output) => shapes[mod] = output.Shape)).ToList();
            try
            {
                model.Eval();
                using (NoGrad.Scope())
                    model.Forward(Tensor.Zeros(s, device ?? model.Parameters().FirstOrDefault()?.Data.Device ?? Device.Cpu));
            }
            finally
            {
                foreach (var h in handles) h.Dispose();
                model.Train(wasTraining);
            }
        }

        var rows = new List<string[]>();
        foreach (var (name, m) in model.NamedModules())
        {
            long own = m.OwnParameters.Sum(p => (long)p.Value.Numel);
            int depth = name.Length == 0 ? 0 : name.Count(c => c == '.') + 1;
            string label = new string(' ', 2 * depth) + m.GetType().Name + (name.Length == 0 ? "" : $" ({name})");
            string shape = shapes.TryGetValue(m, out var sh) ? sh.ToString() : "--";
            string trainable = m.OwnParameters.Count == 0 ? "--"
                : m.OwnParameters.All(p => p.Value.RequiresGrad) ? "yes"
                : m.OwnParameters.All(p => !p.Value.RequiresGrad) ? "frozen" : "partly";
            rows.Add(new[] { label, shape, own == 0 ? "--" : Count(own), trainable });
        }
        var header = new[] { "Layer (name)", "Output shape", "Param #", "Trainable" };
        var widths = Enumerable.Range(0, 4).Select(i => Math.Max(header[i].Length, rows.Max(r => r[i].Length))).ToArray();
        var sb = new StringBuilder();
        string rule = new('=', widths.Sum() + 6);
        sb.AppendLine(rule);
        sb.AppendLine(Row(header, widths));
        sb.AppendLine(rule);
        foreach (var r in rows) sb.AppendLine(Row(r, widths));
        sb.AppendLine(rule);
        long total = model.ParameterCount();
        long trainableCount = model.TrainableParameters().Sum(p => (long)p.Numel);
        sb.AppendLine($"Total params: {Count(total)}");
        sb.AppendLine($"Trainable params: {Count(trainableCount)}");
        sb.AppendLine($"Non-trainable params: {Count(total - trainableCount)}");
        sb.Append(rule);
        return sb.ToString();
    }

    private static string Row(string[] cells, int[] widths) =>
        $"{cells[0].PadRight(widths[0])}  {cells[1].PadRight(widths[1])}  {cells[2].PadLeft(widths[2])}  {cells[3]}";

    private static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
}
