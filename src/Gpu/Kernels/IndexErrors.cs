using ILGPU;

namespace NetFromScratch.Gpu.Kernels;

/// <summary>
/// A four-int device buffer where indexing kernels record the first bad index they meet:
/// <c>[op code, position, value bits, axis size]</c>. A kernel cannot throw, and checking each index on the host
/// would cost a round trip per op; instead the kernel skips the element (never reading or writing out of bounds)
/// and the backend reads this flag at the next synchronisation, where it throws naming the op and position.
/// </summary>
internal static class IndexErrors
{
    public const int Gather = 1, ScatterAdd = 2, IndexSelect = 3, IndexAdd = 4, OneHot = 5, MaxPoolBackward = 6;

    public static string OpName(int code) => code switch
    {
        Gather => "Gather",
        ScatterAdd => "ScatterAdd",
        IndexSelect => "IndexSelect",
        IndexAdd => "IndexAdd",
        OneHot => "OneHot",
        MaxPoolBackward => "MaxPool2dBackward",
        _ => "indexing",
    };

    /// <summary>
    /// Reads index value <paramref name="v"/> at <paramref name="position"/>; returns it as an int when it is a whole
    /// number in <c>[0, size)</c>, else records the error and returns -1.
    /// </summary>
    public static int Check(ArrayView<int> errors, int op, int position, float v, int size)
    {
        int i = (int)v;
        if (v >= 0f && v < size && i == v) return i;
        if (Atomic.CompareExchange(ref errors[0], 0, op) == 0)
        {
            errors[1] = position;
            errors[2] = (int)Interop.FloatAsInt(v);
            errors[3] = size;
        }
        return -1;
    }
}
