using System.Globalization;
using System.Text;

namespace NetFromScratch.Autograd;

/// <summary>
/// A record of one backward pass, for people learning backpropagation: in execution order, each node's op, output
/// shape, the rule applied and the norm of the gradient sent to each input, then each leaf's accumulation.
/// Pass one to <see cref="Variable.Backward"/> and print it: <c>loss.Backward(trace: t); Console.Write(t);</c>
/// </summary>
public sealed class BackwardTrace
{
    private readonly List<BackwardTraceEntry> _entries = new();

    /// <summary>The steps recorded, in execution order.</summary>
    public IReadOnlyList<BackwardTraceEntry> Entries => _entries;

    internal void Add(BackwardTraceEntry entry) => _entries.Add(entry);

    /// <summary>Forgets the recorded steps, to reuse the trace for another pass.</summary>
    public void Clear() => _entries.Clear();

    /// <summary>
    /// The steps as a plain-text table with columns step, node, op, output, rule, sent to, shape and |grad|
    /// (one line per gradient sent).
    /// </summary>
    public string Format()
    {
        var rows = new List<string[]> { new[] { "step", "node", "op", "output", "rule", "sent to", "shape", "|grad|" } };
        foreach (var e in _entries)
        {
            var head = new[] { e.Step.ToString(CultureInfo.InvariantCulture), e.Node, e.Op, e.OutputShape.ToString(), e.Rule };
            if (e.Sent.Count == 0) rows.Add([.. head, "(none)", "", ""]);
            for (int i = 0; i < e.Sent.Count; i++)
            {
                var s = e.Sent[i];
                var left = i == 0 ? head : new[] { "", "", "", "", "" };
                rows.Add([.. left, s.Input, s.Shape.ToString(), s.Norm.ToString("0.0000e+00", CultureInfo.InvariantCulture)]);
            }
        }
        int columns = rows[0].Length;
        var widths = new int[columns];
        foreach (var row in rows)
            for (int c = 0; c < columns; c++) widths[c] = Math.Max(widths[c], row[c].Length);
        var sb = new StringBuilder();
        foreach (var row in rows)
        {
            for (int c = 0; c < columns; c++)
            {
                bool right = c == 0 || c == columns - 1;
                string cell = right ? row[c].PadLeft(widths[c]) : row[c].PadRight(widths[c]);
                sb.Append(c == columns - 1 ? cell : cell + "  ");
            }
            sb.Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>Same as <see cref="Format"/>.</summary>
    public override string ToString() => Format();
}
