using NetFromScratch.Tensors;

namespace NetFromScratch.Nn.Models;

/// <summary>Wording of wrong-input errors for whole models, matching the layers'.</summary>
internal static class ShapeErrorsPublic
{
    public static ArgumentException Wrong(string model, string expected, Shape actual) =>
        new($"{model} expected {expected}, got {actual}.");
}
