using NetFromScratch.Tensors;

namespace NetFromScratch.Nn.Layers;

/// <summary>The one place that words "this layer got the wrong input" errors, so they read the same everywhere.</summary>
internal static class ShapeErrors
{
    /// <summary>Throws <c>"{layer} expected {expected}, got {actual}"</c>.</summary>
    public static ArgumentException Wrong(string layer, string expected, Shape actual) =>
        new($"{layer} expected {expected}, got {actual}.");
}
