namespace NetFromScratch.Training.Augmentation;

/// <summary>
/// Per-thread working memory for transforms, so applying one to a sample allocates nothing once the buffers have grown.
/// The loader calls transforms on its background thread while other code may run them elsewhere; thread-static buffers
/// keep those apart without locks. A span from here is valid until the next request of the same buffer on this thread.
/// </summary>
internal static class ThreadScratch
{
    [ThreadStatic] private static float[]? _image;
    [ThreadStatic] private static float[]? _decode;
    [ThreadStatic] private static int[]? _indices;
    [ThreadStatic] private static float[]? _weights;

    /// <summary>A copy of the sample a transform reads while it overwrites the original.</summary>
    public static Span<float> Image(int length) => Grow(ref _image, length).AsSpan(0, length);

    /// <summary>A decoded image before resizing (kept apart from <see cref="Image"/> so decoding and transforms never collide).</summary>
    public static Span<float> Decode(int length) => Grow(ref _decode, length).AsSpan(0, length);

    /// <summary>Source indices of a resampling plan.</summary>
    public static Span<int> Indices(int length) => Grow(ref _indices, length).AsSpan(0, length);

    /// <summary>Interpolation weights of a resampling plan.</summary>
    public static Span<float> Weights(int length) => Grow(ref _weights, length).AsSpan(0, length);

    private static T[] Grow<T>(ref T[]? buffer, int length)
    {
        if (buffer == null || buffer.Length < length) buffer = new T[Math.Max(length, (buffer?.Length ?? 0) * 2)];
        return buffer;
    }
}
