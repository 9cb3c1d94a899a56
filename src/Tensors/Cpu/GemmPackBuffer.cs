using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NetFromScratch.Tensors.Cpu;

/// <summary>
/// A scratch area for packed GEMM panels, kept per thread so that steady-state multiplies allocate nothing. The array
/// lives on the pinned object heap (it never moves, so its address can be kept) and the usable area starts on a
/// 64-byte boundary, so each 16-float row of a packed B panel fills exactly one cache line.
/// </summary>
internal sealed unsafe class GemmPackBuffer
{
    private const int AlignFloats = 16;

    [ThreadStatic] private static GemmPackBuffer? t_a;
    [ThreadStatic] private static GemmPackBuffer? t_b;

    private readonly float[] _array;

    /// <summary>First usable float, 64-byte aligned.</summary>
    public readonly float* Pointer;

    /// <summary>Usable floats from <see cref="Pointer"/>.</summary>
    public readonly int Capacity;

    private GemmPackBuffer(int capacity)
    {
        _array = GC.AllocateUninitializedArray<float>(capacity + AlignFloats, pinned: true);
        var start = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_array));
        Pointer = (float*)((start + 63) & ~(nint)63);
        Capacity = capacity;
    }

    /// <summary>
    /// Takes this thread's A buffer (grown to at least <paramref name="floats"/>). While taken, a re-entrant multiply on
    /// the same thread gets a fresh buffer rather than the one in use.
    /// </summary>
    public static GemmPackBuffer RentA(int floats) => Rent(ref t_a, floats);

    /// <summary>Takes this thread's B buffer; see <see cref="RentA"/>.</summary>
    public static GemmPackBuffer RentB(int floats) => Rent(ref t_b, floats);

    /// <summary>Gives an A buffer back to the current thread.</summary>
    public static void ReturnA(GemmPackBuffer buffer) => t_a = buffer;

    /// <summary>Gives a B buffer back to the current thread.</summary>
    public static void ReturnB(GemmPackBuffer buffer) => t_b = buffer;

    private static GemmPackBuffer Rent(ref GemmPackBuffer? slot, int floats)
    {
        var buffer = slot;
        slot = null;
        if (buffer is null || buffer.Capacity < floats) buffer = new GemmPackBuffer(floats);
        return buffer;
    }
}
