namespace NetFromScratch.Autograd;

/// <summary>
/// Inference without garbage: <see cref="Enter"/> opens a <see cref="NoGrad"/> scope that is also a
/// <see cref="ReleaseScope"/>, so every activation of a forward pass goes back to the buffer pool when it closes,
/// ready for the next batch. Under NoGrad alone the CIFAR CNN allocates 23 MB per batch of 64 and ResNet-18 264 MB per
/// 8 images; in InferenceMode both allocate under 0.3 MB.
/// <code>
/// using (var inference = InferenceMode.Enter())
/// {
///     var logits = model.Forward(batch);        // read it here, or
///     result = inference.Keep(logits);          // keep it: then it is the caller's to dispose
/// }
/// </code>
/// </summary>
public static class InferenceMode
{
    /// <summary>Opens the scope on the current thread; disposing it restores grad mode and releases what was made inside.</summary>
    public static ReleaseScope Enter() => ReleaseScope.EnterWithoutGrad();
}
