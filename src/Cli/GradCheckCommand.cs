using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using NetFromScratch.Autograd;
using NetFromScratch.Tensors;

namespace NetFromScratch.Cli;

/// <summary>
/// <c>nfs gradcheck</c>: runs <see cref="GradCheckSuite"/>, comparing every op's backward rule with central finite
/// differences, and prints one row per case (op, shapes, max abs error, max rel error, pass).
/// </summary>
public static class GradCheckCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var op = new Option<string?>("--op") { Description = "Only ops whose name contains this text (case-insensitive), e.g. Conv2d." };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Also print each input's worst element (analytic vs numeric)." };
        var command = new Command("gradcheck", "Check every op's gradient against central finite differences and print a table.");
        command.Options.Add(op);
        command.Options.Add(verbose);
        command.SetAction(parse => Run(Console.Out, Device.Cpu, parse.GetValue(op), parse.GetValue(verbose)));
        return command;
    }

    /// <summary>Runs the suite on <paramref name="device"/>, writes the table, and returns 0 when every case passed, else 1.</summary>
    public static int Run(TextWriter output, Device device, string? filter = null, bool verbose = false)
    {
        var cases = GradCheckSuite.Cases.Where(c => filter is null || c.Op.Contains(filter, StringComparison.OrdinalIgnoreCase)).ToList();
        if (cases.Count == 0)
        {
            output.WriteLine($"gradcheck: no op matches '{filter}'. Ops: {string.Join(", ", GradCheckSuite.Cases.Select(c => c.Op).Distinct())}.");
            return 1;
        }
        var options = GradCheckOptions.Default;
        output.WriteLine($"Gradient check on {device}: analytic gradients (Backward) vs central differences (f(x+h) - f(x-h)) / 2h.");
        output.WriteLine($"Default step h = {options.Step:G3}; pass when |analytic - numeric| <= {options.AbsoluteTolerance:G3} + {options.RelativeTolerance:G3} * |numeric| (float32 data).");
        output.WriteLine();

        int opWidth = Math.Max(2, cases.Max(c => c.Op.Length));
        int shapeWidth = Math.Max(6, cases.Max(c => c.Shapes.Length));
        output.WriteLine($"{"op".PadRight(opWidth)}  {"shapes".PadRight(shapeWidth)}  {"max abs err",11}  {"max rel err",11}  pass");
        output.WriteLine(new string('-', opWidth + shapeWidth + 36));
        int failed = 0;
        var clock = Stopwatch.StartNew();
        foreach (var c in cases)
        {
            string abs, rel, verdict;
            string? detail = null;
            try
            {
                var result = c.Run(device);
                abs = Format(result.MaxAbsError);
                rel = Format(result.MaxRelError);
                verdict = result.Passed ? "yes" : "NO";
                if (!result.Passed || verbose)
                    detail = string.Join("\n", result.Inputs.Select(i =>
                        $"    {i.Name} {i.Shape}: worst element {i.WorstElement}, analytic {i.Analytic:G6}, numeric {i.Numeric:G6}"));
                if (!result.Passed) failed++;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                abs = rel = "-";
                verdict = "ERROR";
                detail = $"    {e.GetType().Name}: {e.Message}";
                failed++;
            }
            output.WriteLine($"{c.Op.PadRight(opWidth)}  {c.Shapes.PadRight(shapeWidth)}  {abs,11}  {rel,11}  {verdict}");
            if (detail is not null) output.WriteLine(detail);
        }
        output.WriteLine();
        output.WriteLine($"{cases.Count} cases over {cases.Select(c => c.Op).Distinct().Count()} ops: {cases.Count - failed} passed, {failed} failed ({clock.Elapsed.TotalSeconds:0.0} s).");
        return failed == 0 ? 0 : 1;
    }

    private static string Format(double value) => value.ToString("0.00e+00", CultureInfo.InvariantCulture);
}
