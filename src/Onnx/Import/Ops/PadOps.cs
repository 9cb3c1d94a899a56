using NetFromScratch.Autograd;
using NetFromScratch.Tensors;

namespace NetFromScratch.Onnx.Import.Ops;

/// <summary>
/// Pad: constant, reflect and edge modes. The pads are an attribute before opset 11 (<c>paddings</c> in opset 1) and an
/// input since, with the constant value an attribute then an input, and optional axes since opset 18. ONNX lists all
/// begins then all ends; negative pads crop.
/// </summary>
internal static class PadOps
{
    public static IEnumerable<OpInfo> All()
    {
        yield return OpInfo.Of("Pad", Compile, staticInputs: [1, 2, 3]);
    }

    private static NodeKernel Compile(NodeCompilation c)
    {
        string modeName = c.String("mode", "constant");
        PadMode mode = modeName switch
        {
            "constant" => PadMode.Constant,
            "reflect" => PadMode.Reflect,
            "edge" => PadMode.Replicate,
            _ => throw c.Error($"mode '{modeName}' is not supported (constant, reflect, edge)."),
        };
        bool inputForm = c.Opset >= 11;
        long[]? attributePads = inputForm ? null
            : c.Ints(c.Opset < 2 ? "paddings" : "pads") ?? throw c.Error($"attribute '{(c.Opset < 2 ? "paddings" : "pads")}' is required before opset 11.");
        float attributeValue = inputForm ? 0f : c.Float("value", 0f);
        return f =>
        {
            var x = f.Var(0);
            long[] pads = attributePads ?? f.Longs(1);
            float value = inputForm && f.Has(2) ? f.Scalar(2) : attributeValue;
            int rank = x.Rank;
            long[] axes = inputForm && f.Has(3) ? f.Longs(3) : Enumerable.Range(0, rank).Select(i => (long)i).ToArray();
            if (pads.Length != 2 * axes.Length)
                throw new ArgumentException($"pads [{string.Join(", ", pads)}] must hold begin and end for each of {axes.Length} axes.");
            var begin = new int[rank];
            var end = new int[rank];
            for (int i = 0; i < axes.Length; i++)
            {
                long a = axes[i] < 0 ? axes[i] + rank : axes[i];
                if (a < 0 || a >= rank) throw new ArgumentException($"axis {axes[i]} is out of range for rank {rank}.");
                begin[a] = checked((int)pads[i]);
                end[a] = checked((int)pads[axes.Length + i]);
            }
            // Crop first (negative pads), then pad what is positive.
            for (int a = 0; a < rank; a++)
            {
                if (begin[a] >= 0 && end[a] >= 0) continue;
                int cutBegin = Math.Max(0, -begin[a]), cutEnd = Math.Max(0, -end[a]);
                x = x.Narrow(a, cutBegin, x.Shape[a] - cutBegin - cutEnd);
                begin[a] = Math.Max(0, begin[a]);
                end[a] = Math.Max(0, end[a]);
            }
            int first = Array.FindIndex(begin, b => b != 0);
            int firstEnd = Array.FindIndex(end, e => e != 0);
            if (first < 0 || (firstEnd >= 0 && firstEnd < first)) first = firstEnd;
            if (first < 0) { f.Out(x); return; }
            // PyTorch's order: (begin, end) of the last axis, then the one before, down to the first padded axis.
            var torchPads = new List<int>();
            for (int a = rank - 1; a >= first; a--) { torchPads.Add(begin[a]); torchPads.Add(end[a]); }
            f.Out(x.Pad(torchPads.ToArray(), mode, value));
        };
    }
}
