using System.Globalization;
using NetFromScratch.Nn;
using NetFromScratch.Nn.Layers;
using NetFromScratch.Nn.Models;
using NetFromScratch.Tensors;

namespace NetFromScratch.Cli.Training;

/// <summary>
/// Builds the model named by <c>--model</c> for the data's sample shape: <c>mlp</c> (the reference network: hidden
/// layers 128 and 64), <c>mlp:256,128,...</c> (chosen hidden sizes), <c>linear</c> (softmax regression), <c>cnn</c>
/// and <c>vgg</c> (the small CIFAR networks, for <c>[C, 32, 32]</c> images).
/// </summary>
public static class ModelFactory
{
    /// <summary>Creates the model, initialised from <paramref name="generator"/> (which its dropout layers also use).</summary>
    /// <exception cref="ArgumentException">Unknown name, bad hidden sizes, or a model that cannot take this data.</exception>
    public static Sequential Create(string spec, Shape sampleShape, int classes, float dropout, Generator generator)
    {
        string name = spec, args = "";
        int colon = spec.IndexOf(':');
        if (colon >= 0) (name, args) = (spec[..colon], spec[(colon + 1)..]);
        int inputs = sampleShape.Numel;
        switch (name.ToLowerInvariant())
        {
            case "mlp":
                var hidden = args.Length == 0 ? [128, 64] : args.Split(',').Select(h => ParseWidth(h, spec)).ToArray();
                return Mlp.Create(inputs, hidden, classes, dropout, generator);
            case "linear":
                return Mlp.Create(inputs, [], classes, 0f, generator);
            case "cnn":
            case "vgg":
                if (sampleShape.Rank != 3 || sampleShape[1] != 32 || sampleShape[2] != 32)
                    throw new ArgumentException($"--model {name} takes 32x32 images [C, 32, 32]; this data's samples are {sampleShape}. Use --model mlp.");
                return name == "cnn" ? CifarCnn.Create(classes, sampleShape[0], generator) : CifarCnn.SmallVgg(classes, sampleShape[0], dropout > 0 ? dropout : 0.25f, generator);
            default:
                throw new ArgumentException($"unknown model '{spec}': use mlp, mlp:H1,H2,..., linear, cnn or vgg.");
        }
    }

    private static int ParseWidth(string text, string spec) =>
        int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int h) && h > 0
            ? h
            : throw new ArgumentException($"--model {spec}: '{text}' is not a positive layer width.");
}
