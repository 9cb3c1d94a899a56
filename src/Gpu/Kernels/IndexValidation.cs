using ILGPU;

namespace NetFromScratch.Gpu.Kernels;

/// <summary>
/// Checks an index tensor on the device before the kernel that uses it. A kernel cannot throw, and reading every
/// index back to the host would cost a round trip per op; instead this kernel records the first bad position in a
/// two-word flag, <c>[launch, key]</c>, where <c>launch</c> names the first checked launch that failed and
/// <c>key = position &lt;&lt; 32 | value bits</c> is lowered atomically, so it ends holding the lowest bad position
/// and its value whatever the thread order. Every indexing kernel first reads <c>launch</c> and does nothing
/// when it is set: a failed op writes nothing (scatters stay all-or-nothing) and nothing is read out of bounds.
/// The backend reads the flag when it next waits for the device, and throws there.
/// </summary>
internal static class IndexValidation
{
    public const ulong NoKey = ulong.MaxValue;

    /// <param name="count">Number of index elements.</param>
    /// <param name="offset">Where they start in <paramref name="index"/>.</param>
    /// <param name="limit">Valid indices are whole numbers in <c>[0, limit)</c>.</param>
    /// <param name="launch">This check's number (never 0).</param>
    /// <param name="index">Index values, stored as floats.</param>
    /// <param name="errors">The flag.</param>
    public static void Validate(int count, int offset, int limit, ulong launch, ArrayView<float> index, ArrayView<ulong> errors)
    {
        for (int i = GridStride.Start; i < count; i += GridStride.Step)
        {
            float v = index[offset + i];
            if (IsValid(v, limit)) continue;
            ulong owner = Atomic.CompareExchange(ref errors[0], 0UL, launch);
            if (owner == 0UL || owner == launch)
                Atomic.Min(ref errors[1], ((ulong)(uint)i << 32) | Interop.FloatAsInt(v));
        }
    }

    /// <summary>A whole number in <c>[0, limit)</c>; NaN and infinities fail the range test.</summary>
    public static bool IsValid(float v, int limit)
    {
        if (!(v >= 0f && v < 2147483648f)) return false;
        int i = (int)v;
        return i == v && i < limit;
    }

    /// <summary>Whether an earlier check failed, in which case indexing kernels skip their work.</summary>
    public static bool Failed(ArrayView<ulong> errors) => errors[0] != 0UL;
}
