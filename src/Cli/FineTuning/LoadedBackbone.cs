using NetFromScratch.Nn;

namespace NetFromScratch.Cli.FineTuning;

/// <summary>A network ready to be fine-tuned, as <see cref="BackboneLoader"/> made it.</summary>
/// <param name="Model">The network, with its original head (replace it for the new task).</param>
/// <param name="Pretrained">False when the weights are random (a builder name without a file): that is training, not fine-tuning.</param>
/// <param name="Description">One line: what was loaded and how (for example "ResNet-18 (torchvision layout) from model.onnx").</param>
/// <param name="OriginalClasses">Outputs of the original head, when known.</param>
/// <param name="Notes">Things the user should know (a weight layout that was not recognised, names that did not match).</param>
public sealed record LoadedBackbone(Module Model, bool Pretrained, string Description, int? OriginalClasses, IReadOnlyList<string> Notes);
