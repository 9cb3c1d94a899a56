using NetFromScratch.Autograd;
using NetFromScratch.Tensors;

namespace NetFromScratch.Onnx.Import.Ops;

/// <summary>
/// Resize and Upsample with nearest and (bi)linear interpolation. Each resized axis is done separately: an output
/// position maps back to a source coordinate (<c>coordinate_transformation_mode</c>); nearest picks one source
/// index (<c>nearest_mode</c>), linear blends the two around it. Both are IndexSelects (and a weighted sum), so
/// gradients flow to the input.
/// </summary>
internal static class ResizeOps
{
    public static IEnumerable<OpInfo> All()
    {
        yield return OpInfo.Of("Resize", CompileResize, staticInputs: [1, 2, 3]);
        yield return OpInfo.Of("Upsample", CompileUpsample, staticInputs: [1]);
    }

    private sealed record Settings(bool Linear, string Coordinates, string Nearest);

    private static Settings ReadMode(NodeCompilation c, string coordinates, string nearest)
    {
        string mode = c.String("mode", "nearest");
        if (mode is not ("nearest" or "linear" or "bilinear"))
            throw c.Error($"mode '{mode}' is not supported (nearest, linear).");
        if (coordinates is not ("half_pixel" or "pytorch_half_pixel" or "align_corners" or "asymmetric" or "tf_half_pixel_for_nn"))
            throw c.Error($"coordinate_transformation_mode '{coordinates}' is not supported.");
        if (nearest is not ("round_prefer_floor" or "round_prefer_ceil" or "floor" or "ceil" or "simple"))
            throw c.Error($"nearest_mode '{nearest}' is not supported.");
        return new Settings(mode != "nearest", coordinates, nearest);
    }

    private static NodeKernel CompileUpsample(NodeCompilation c)
    {
        // Upsample (opsets 7-9): asymmetric coordinates; nearest truncates.
        var settings = ReadMode(c, "asymmetric", "simple");
        float[]? attributeScales = c.Opset < 9 ? c.Floats("scales") ?? throw c.Error("attribute 'scales' is required before opset 9.") : null;
        return f =>
        {
            var x = f.Var(0);
            var scales = attributeScales ?? f.Var(1).Data.ToArray();
            f.Out(Apply(x, scales, SizesFromScales(x, scales), settings));
        };
    }

    private static NodeKernel CompileResize(NodeCompilation c)
    {
        Settings settings;
        long[]? axes = null;
        if (c.Opset < 11) settings = ReadMode(c, "asymmetric", "simple");
        else
        {
            settings = ReadMode(c, c.String("coordinate_transformation_mode", "half_pixel"), c.String("nearest_mode", "round_prefer_floor"));
            if (c.Opset >= 18)
            {
                axes = c.Ints("axes");
                if (c.Int("antialias", 0) != 0) throw c.Error("antialias=1 is not supported.");
                if (c.String("keep_aspect_ratio_policy", "stretch") != "stretch") throw c.Error("only keep_aspect_ratio_policy 'stretch' is supported.");
            }
        }
        int scalesInput = c.Opset < 11 ? 1 : 2;
        return f =>
        {
            var x = f.Var(0);
            int rank = x.Rank;
            float[]? scales = f.Has(scalesInput) && f.Var(scalesInput).Numel > 0 ? f.Var(scalesInput).Data.ToArray() : null;
            long[]? sizes = scalesInput == 2 && f.Has(3) ? f.Longs(3) : null;
            if (sizes is { Length: 0 }) sizes = null;
            if ((scales is null) == (sizes is null)) throw new ArgumentException("give exactly one of scales and sizes.");
            var fullScales = Enumerable.Repeat(1f, rank).ToArray();
            var fullSizes = x.Shape.ToArray();
            int count = (scales?.Length ?? sizes!.Length);
            var target = axes?.Select(a => (int)(a < 0 ? a + rank : a)).ToArray() ?? Enumerable.Range(0, count).ToArray();
            if (target.Length != count) throw new ArgumentException($"{count} scales or sizes for {target.Length} axes.");
            for (int i = 0; i < count; i++)
            {
                int a = target[i];
                if (scales is not null)
                {
                    fullScales[a] = scales[i];
                    fullSizes[a] = (int)MathF.Floor(x.Shape[a] * scales[i]);
                }
                else
                {
                    fullSizes[a] = checked((int)sizes![i]);
                    fullScales[a] = (float)fullSizes[a] / x.Shape[a];
                }
            }
            f.Out(Apply(x, fullScales, fullSizes, settings));
        };
    }

    private static int[] SizesFromScales(Variable x, float[] scales)
    {
        if (scales.Length != x.Rank) throw new ArgumentException($"{scales.Length} scales for an input of rank {x.Rank}.");
        return x.Shape.ToArray().Select((d, i) => (int)MathF.Floor(d * scales[i])).ToArray();
    }

    private static Variable Apply(Variable x, float[] scales, int[] sizes, Settings s)
    {
        for (int a = 0; a < x.Rank; a++)
        {
            int input = x.Shape[a], output = sizes[a];
            if (input == output && scales[a] == 1f) continue;
            if (output <= 0) throw new ArgumentException($"axis {a} would be resized to {output}.");
            var coordinates = new float[output];
            for (int o = 0; o < output; o++) coordinates[o] = Source(o, input, output, scales[a], s.Coordinates);
            x = s.Linear ? Linear(x, a, input, coordinates) : Nearest(x, a, input, coordinates, scales[a], s.Nearest);
        }
        return x;
    }

    /// <summary>
    /// The source coordinate of output position <paramref name="o"/> (ONNX's coordinate transformations), in float32
    /// as ONNX Runtime computes it: where a coordinate lands on a whole number, float rounding decides floor and ceil.
    /// </summary>
    private static float Source(int o, int input, int output, float scale, string mode) => mode switch
    {
        "half_pixel" => (o + 0.5f) / scale - 0.5f,
        "pytorch_half_pixel" => output > 1 ? (o + 0.5f) / scale - 0.5f : 0f,
        "align_corners" => output == 1 ? 0f : o * (float)(input - 1) / (output - 1),
        "tf_half_pixel_for_nn" => (o + 0.5f) / scale,
        _ => o / scale, // asymmetric
    };

    private static Variable Nearest(Variable x, int axis, int input, float[] coordinates, float scale, string mode)
    {
        var index = new float[coordinates.Length];
        for (int o = 0; o < index.Length; o++)
        {
            float v = coordinates[o];
            float picked = mode switch
            {
                "round_prefer_floor" => v - MathF.Floor(v) == 0.5f ? MathF.Floor(v) : MathF.Round(v, MidpointRounding.AwayFromZero),
                "round_prefer_ceil" => MathF.Round(v, MidpointRounding.AwayFromZero),
                "floor" => MathF.Floor(v),
                "ceil" => MathF.Ceiling(v),
                _ => scale < 1f ? MathF.Ceiling(v) : MathF.Truncate(v), // "simple", before opset 11
            };
            index[o] = Math.Clamp(picked, 0, input - 1);
        }
        return x.IndexSelect(axis, Tensor.FromArray(index, new Shape(index.Length), x.Device));
    }

    private static Variable Linear(Variable x, int axis, int input, float[] coordinates)
    {
        int n = coordinates.Length;
        float[] i0 = new float[n], i1 = new float[n], w0 = new float[n], w1 = new float[n];
        for (int o = 0; o < n; o++)
        {
            float v = Math.Clamp(coordinates[o], 0, input - 1);
            int lo = (int)MathF.Floor(v);
            int hi = Math.Min(lo + 1, input - 1);
            float t = v - lo;
            (i0[o], i1[o], w0[o], w1[o]) = (lo, hi, 1f - t, t);
        }
        var shape = Enumerable.Repeat(1, x.Rank).ToArray();
        shape[axis] = n;
        var low = x.IndexSelect(axis, Tensor.FromArray(i0, new Shape(n), x.Device));
        var high = x.IndexSelect(axis, Tensor.FromArray(i1, new Shape(n), x.Device));
        var wLow = new Variable(Tensor.FromArray(w0, new Shape(shape), x.Device));
        var wHigh = new Variable(Tensor.FromArray(w1, new Shape(shape), x.Device));
        return low * wLow + high * wHigh;
    }
}
