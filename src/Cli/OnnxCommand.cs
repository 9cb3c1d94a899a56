using System.CommandLine;
using NetFromScratch.Cli.Onnx;

namespace NetFromScratch.Cli;

/// <summary>
/// <c>nfs onnx</c>: <c>inspect MODEL</c> describes a model (inputs, outputs, opset, operator counts, parameters, unsupported
/// operators); <c>run MODEL --input FILE.pb ... --output-dir DIR</c> runs it on serialized TensorProto inputs and writes
/// <c>output_0.pb</c>, ... in the same form, optionally comparing them with expected outputs (ONNX's test data layout).
/// </summary>
public static class OnnxCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var command = new Command("onnx", "Inspect ONNX models and run them with this engine.");

        var inspectModel = new Argument<FileInfo>("model") { Description = "The .onnx file." };
        var inspect = new Command("inspect", "Print a model's inputs, outputs, opsets, operator counts, parameter count and unsupported operators.");
        inspect.Arguments.Add(inspectModel);
        inspect.SetAction(result => OnnxInspectAction.Run(result.GetValue(inspectModel)!.FullName,
            result.InvocationConfiguration.Output, result.InvocationConfiguration.Error));
        command.Subcommands.Add(inspect);

        var runModel = new Argument<FileInfo>("model") { Description = "The .onnx file." };
        var inputs = new Option<FileInfo[]>("--input", "-i")
        {
            Description = "A serialized TensorProto (input_0.pb); repeat in the order of the graph's inputs.",
            AllowMultipleArgumentsPerToken = true,
        };
        var outputDir = new Option<DirectoryInfo>("--output-dir", "-o") { Description = "Where output_0.pb, ... are written.", Required = true };
        var expected = new Option<FileInfo[]>("--expected", "-e")
        {
            Description = "Expected outputs (output_0.pb, ...) to compare with; the command fails when any differs beyond the tolerance.",
            AllowMultipleArgumentsPerToken = true,
        };
        var atol = new Option<float>("--atol") { Description = "Absolute tolerance for --expected.", DefaultValueFactory = _ => 1e-4f };
        var rtol = new Option<float>("--rtol") { Description = "Relative tolerance for --expected.", DefaultValueFactory = _ => 1e-3f };
        var run = new Command("run", "Run a model on TensorProto inputs and write its outputs as TensorProto files.");
        run.Arguments.Add(runModel);
        run.Options.Add(inputs);
        run.Options.Add(outputDir);
        run.Options.Add(expected);
        run.Options.Add(atol);
        run.Options.Add(rtol);
        run.SetAction(result => OnnxRunAction.Run(new OnnxRunRequest(
                result.GetValue(runModel)!.FullName,
                (result.GetValue(inputs) ?? []).Select(f => f.FullName).ToArray(),
                result.GetValue(outputDir)!.FullName,
                (result.GetValue(expected) ?? []).Select(f => f.FullName).ToArray(),
                result.GetValue(atol),
                result.GetValue(rtol)),
            result.InvocationConfiguration.Output, result.InvocationConfiguration.Error));
        command.Subcommands.Add(run);
        return command;
    }
}
