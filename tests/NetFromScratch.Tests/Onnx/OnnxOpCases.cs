using NetFromScratch.Onnx;
using static NetFromScratch.Onnx.OnnxAttribute;

namespace NetFromScratch.Tests.Onnx;

/// <summary>
/// One small graph per operator and attribute form, across opsets 7 to 20 (legacy attribute forms included), each
/// run by ONNX Runtime and by our importer in <see cref="OnnxOpTests"/>.
/// </summary>
internal static class OnnxOpCases
{
    private static readonly int[] Image = [2, 4, 6, 6];

    public static IEnumerable<TestCaseData> All() => Build().Select(s => new TestCaseData(s).SetName(s.Model.Source));

    private static GraphSpec Unary(string op, long opset = 17, float scale = 2f, float shift = 0f, params OnnxAttribute[] attributes) =>
        new GraphSpec(opset, $"{op}_opset{opset}{(attributes.Length > 0 ? "_" + string.Join("_", attributes.Select(a => a.Name)) : "")}")
            .Input("x", [2, 3, 5], scale, shift).Node(op, ["x"], ["y"], attributes).Output("y");

    private static GraphSpec Named(this GraphSpec s, string name)
    {
        s.Model.Source = name;
        return s;
    }

    private static IEnumerable<GraphSpec> Build()
    {
        // ---- activations and unary math ----
        foreach (var op in new[] { "Relu", "Sigmoid", "Tanh", "Exp", "Neg", "Abs", "Softplus", "Erf", "Elu", "Selu", "HardSigmoid", "HardSwish" })
            yield return Unary(op);
        yield return Unary("Log", shift: 3f);
        yield return Unary("Sqrt", shift: 3f);
        yield return Unary("Reciprocal", shift: 3f);
        yield return Unary("LeakyRelu", 17, 2f, 0f, FromFloat("alpha", 0.2f));
        yield return Unary("LeakyRelu", 7);
        yield return Unary("Elu", 17, 2f, 0f, FromFloat("alpha", 0.7f));
        yield return Unary("HardSigmoid", 17, 4f, 0f, FromFloat("alpha", 0.3f), FromFloat("beta", 0.4f));
        yield return Unary("Gelu", 20);
        yield return Unary("Gelu", 20, 2f, 0f, FromString("approximate", "tanh"));
        yield return new GraphSpec(17, "PRelu_per_channel").Input("x", Image).Weight("slope", [4, 1, 1])
            .Node("PRelu", ["x", "slope"], ["y"]).Output("y");
        yield return Unary("Clip", 7, 2f, 0f, FromFloat("min", -0.5f), FromFloat("max", 0.25f));
        yield return Unary("Clip", 7, 2f, 0f, FromFloat("max", 0.25f));
        yield return new GraphSpec(11, "Clip_opset11_inputs").Input("x", [3, 4], 2f).Floats("lo", [], -0.3f).Floats("hi", [], 0.6f)
            .Node("Clip", ["x", "lo", "hi"], ["y"]).Output("y");
        yield return new GraphSpec(13, "Clip_opset13_min_only").Input("x", [3, 4], 2f).Floats("lo", [], -0.3f)
            .Node("Clip", ["x", "lo"], ["y"]).Output("y");
        yield return new GraphSpec(13, "Clip_opset13_max_only").Input("x", [3, 4], 2f).Floats("hi", [], 0.1f)
            .Node("Clip", ["x", "", "hi"], ["y"]).Output("y");

        // ---- broadcasting arithmetic ----
        foreach (var op in new[] { "Add", "Sub", "Mul", "Div" })
        {
            yield return new GraphSpec(13, $"{op}_broadcast_last").Input("a", [2, 3, 4]).Input("b", [4], 1f, 2f)
                .Node(op, ["a", "b"], ["y"]).Output("y");
            yield return new GraphSpec(7, $"{op}_broadcast_both_opset7").Input("a", [2, 1, 4]).Input("b", [3, 1], 1f, 2f)
                .Node(op, ["a", "b"], ["y"]).Output("y");
            yield return new GraphSpec(14, $"{op}_weight_opset14").Input("a", [2, 3]).Weight(op.ToLowerInvariant() + ".w", [3], 0.5f, 2f)
                .Node(op, ["a", op.ToLowerInvariant() + ".w"], ["y"]).Output("y");
        }
        yield return new GraphSpec(13, "Pow_constant_exponent").Input("x", [2, 5], 1f, 2f).Floats("e", [], 3f)
            .Node("Pow", ["x", "e"], ["y"]).Output("y");
        yield return new GraphSpec(13, "Pow_tensor_exponent").Input("x", [2, 5], 1f, 2f).Input("e", [5])
            .Node("Pow", ["x", "e"], ["y"]).Output("y");
        foreach (var op in new[] { "Sum", "Max", "Min", "Mean" })
            yield return new GraphSpec(13, $"{op}_three_inputs").Input("a", [2, 3, 4]).Input("b", [3, 4]).Input("c", [1, 4])
                .Node(op, ["a", "b", "c"], ["y"]).Output("y");
        yield return new GraphSpec(8, "Sum_one_input_opset8").Input("a", [3, 4]).Node("Sum", ["a"], ["y"]).Output("y");

        // ---- Gemm and MatMul ----
        yield return new GraphSpec(7, "Gemm_opset7_transB").Input("a", [3, 5]).Weight("w", [4, 5]).Weight("c", [4])
            .Node("Gemm", ["a", "w", "c"], ["y"], FromInt("transB", 1)).Output("y");
        yield return new GraphSpec(13, "Gemm_transA_alpha_beta").Input("a", [5, 3]).Weight("w", [5, 4]).Weight("c", [3, 1])
            .Node("Gemm", ["a", "w", "c"], ["y"], FromInt("transA", 1), FromFloat("alpha", 0.5f), FromFloat("beta", 2f)).Output("y");
        yield return new GraphSpec(13, "Gemm_no_bias").Input("a", [3, 5]).Weight("w", [5, 4])
            .Node("Gemm", ["a", "w"], ["y"]).Output("y");
        yield return new GraphSpec(13, "MatMul_batched_broadcast").Input("a", [2, 1, 3, 4]).Input("b", [5, 4, 2])
            .Node("MatMul", ["a", "b"], ["y"]).Output("y");
        yield return new GraphSpec(13, "MatMul_vector").Input("a", [4]).Input("b", [2, 4, 3])
            .Node("MatMul", ["a", "b"], ["y"]).Output("y");

        // ---- Conv ----
        yield return Conv("Conv_basic", [4, 4, 3, 3], FromInts("pads", 1, 1, 1, 1));
        yield return Conv("Conv_strides_asymmetric_pads", [3, 4, 3, 2], FromInts("strides", 2, 1), FromInts("pads", 0, 1, 2, 0));
        yield return Conv("Conv_dilations", [3, 4, 3, 3], FromInts("dilations", 2, 1), FromInts("pads", 2, 1, 2, 1));
        yield return Conv("Conv_group", [6, 2, 3, 3], FromInt("group", 2), FromInts("pads", 1, 1, 1, 1));
        yield return Conv("Conv_depthwise", [4, 1, 3, 3], FromInt("group", 4), FromInts("strides", 2, 2));
        yield return Conv("Conv_same_upper_even_kernel", [3, 4, 2, 2], FromString("auto_pad", "SAME_UPPER"), FromInts("strides", 2, 2));
        yield return Conv("Conv_same_lower", [3, 4, 4, 3], FromString("auto_pad", "SAME_LOWER"));
        yield return Conv("Conv_valid_kernel_shape", [3, 4, 3, 3], FromString("auto_pad", "VALID"), FromInts("kernel_shape", 3, 3));
        yield return new GraphSpec(11, "Conv_no_bias_opset11").Input("x", Image).Weight("w", [5, 4, 1, 1])
            .Node("Conv", ["x", "w"], ["y"]).Output("y");
        yield return new GraphSpec(13, "Conv_1d").Input("x", [2, 3, 9]).Weight("w", [4, 3, 3]).Weight("b", [4])
            .Node("Conv", ["x", "w", "b"], ["y"], FromInts("strides", 2), FromInts("pads", 1, 2)).Output("y");

        // ---- ConvTranspose ----
        yield return ConvT("ConvTranspose_stride2_pads", [4, 3, 3, 3], FromInts("strides", 2, 2), FromInts("pads", 1, 1, 1, 1));
        yield return ConvT("ConvTranspose_output_padding", [4, 3, 3, 3], FromInts("strides", 2, 2), FromInts("pads", 1, 1, 1, 1), FromInts("output_padding", 1, 1));
        yield return ConvT("ConvTranspose_asymmetric_pads_dilation", [4, 2, 3, 2], FromInts("pads", 0, 1, 2, 0), FromInts("dilations", 2, 1));
        yield return ConvT("ConvTranspose_group", [4, 3, 3, 3], FromInt("group", 2), FromInts("strides", 1, 2));
        yield return ConvT("ConvTranspose_output_shape", [4, 3, 4, 4], FromInts("strides", 2, 2), FromInts("output_shape", 11, 9));
        yield return ConvT("ConvTranspose_same_upper", [4, 3, 3, 3], FromInts("strides", 2, 2), FromString("auto_pad", "SAME_UPPER"));
        yield return new GraphSpec(13, "ConvTranspose_1d").Input("x", [2, 3, 5]).Weight("w", [3, 2, 3])
            .Node("ConvTranspose", ["x", "w"], ["y"], FromInts("strides", 3)).Output("y");

        // ---- Resize and Upsample ----
        foreach (var (mode, coordinates) in new[] { ("nearest", "half_pixel"), ("nearest", "asymmetric"), ("nearest", "align_corners"),
            ("linear", "half_pixel"), ("linear", "pytorch_half_pixel"), ("linear", "align_corners"), ("linear", "asymmetric"), ("nearest", "tf_half_pixel_for_nn") })
            yield return new GraphSpec(13, $"Resize_{mode}_{coordinates}_scales").Input("x", [2, 3, 4, 5]).Floats("scales", [4], 1f, 1f, 2f, 1.5f)
                .Node("Resize", ["x", "", "scales"], ["y"], FromString("mode", mode), FromString("coordinate_transformation_mode", coordinates)).Output("y");
        foreach (var nearest in new[] { "round_prefer_ceil", "floor", "ceil" })
            yield return new GraphSpec(13, $"Resize_nearest_{nearest}_sizes").Input("x", [1, 2, 5, 7]).Ints("sizes", 1, 2, 3, 11)
                .Node("Resize", ["x", "", "", "sizes"], ["y"], FromString("nearest_mode", nearest)).Output("y");
        yield return new GraphSpec(13, "Resize_linear_downsample_sizes").Input("x", [1, 2, 7, 9]).Ints("sizes", 1, 2, 3, 4)
            .Node("Resize", ["x", "", "", "sizes"], ["y"], FromString("mode", "linear")).Output("y");
        yield return new GraphSpec(11, "Resize_opset11_roi_input").Input("x", [1, 2, 3, 3]).Floats("roi", [0]).Floats("scales", [4], 1f, 1f, 2f, 2f)
            .Node("Resize", ["x", "roi", "scales"], ["y"], FromString("mode", "nearest"), FromString("coordinate_transformation_mode", "asymmetric"), FromString("nearest_mode", "floor")).Output("y");
        yield return new GraphSpec(10, "Resize_opset10_nearest").Input("x", [1, 2, 3, 4]).Floats("scales", [4], 1f, 1f, 2f, 3f)
            .Node("Resize", ["x", "scales"], ["y"]).Output("y");
        yield return new GraphSpec(18, "Resize_opset18_axes").Input("x", [1, 2, 3, 4]).Floats("scales", [2], 2f, 0.5f)
            .Node("Resize", ["x", "", "scales"], ["y"], FromString("mode", "linear"), FromInts("axes", 2, 3)).Output("y");
        yield return new GraphSpec(9, "Upsample_opset9_nearest").Input("x", [1, 2, 3, 4]).Floats("scales", [4], 1f, 1f, 2f, 2f)
            .Node("Upsample", ["x", "scales"], ["y"]).Output("y");
        yield return new GraphSpec(7, "Upsample_opset7_linear").Input("x", [1, 2, 3, 4]).Node("Upsample", ["x"], ["y"],
            FromFloats("scales", 1f, 1f, 2f, 3f), FromString("mode", "linear")).Output("y");

        // ---- pooling ----
        yield return Pool("MaxPool", "MaxPool_basic", FromInts("kernel_shape", 2, 2), FromInts("strides", 2, 2));
        yield return Pool("MaxPool", "MaxPool_pads_default_strides", FromInts("kernel_shape", 3, 3), FromInts("pads", 1, 1, 1, 1));
        yield return Pool("MaxPool", "MaxPool_ceil_mode", FromInts("kernel_shape", 3, 3), FromInts("strides", 2, 2), FromInt("ceil_mode", 1));
        yield return Pool("MaxPool", "MaxPool_dilations", FromInts("kernel_shape", 2, 2), FromInts("dilations", 2, 2));
        yield return Pool("MaxPool", "MaxPool_asymmetric_pads", FromInts("kernel_shape", 3, 2), FromInts("pads", 0, 1, 2, 0), FromInts("strides", 1, 2));
        yield return Pool("MaxPool", "MaxPool_same_upper", FromInts("kernel_shape", 2, 2), FromInts("strides", 2, 2), FromString("auto_pad", "SAME_UPPER"));
        yield return new GraphSpec(8, "MaxPool_opset8_1d").Input("x", [2, 3, 9]).Node("MaxPool", ["x"], ["y"],
            FromInts("kernel_shape", 3), FromInts("strides", 2)).Output("y");
        yield return Pool("AveragePool", "AveragePool_basic", FromInts("kernel_shape", 2, 2), FromInts("strides", 2, 2));
        yield return Pool("AveragePool", "AveragePool_pads_exclude", FromInts("kernel_shape", 3, 3), FromInts("pads", 1, 1, 1, 1));
        yield return Pool("AveragePool", "AveragePool_pads_include", FromInts("kernel_shape", 3, 3), FromInts("pads", 1, 1, 1, 1), FromInt("count_include_pad", 1));
        yield return Pool("AveragePool", "AveragePool_asymmetric_exclude", FromInts("kernel_shape", 3, 3), FromInts("pads", 0, 1, 2, 1), FromInts("strides", 2, 2));
        yield return Pool("AveragePool", "AveragePool_asymmetric_include", FromInts("kernel_shape", 3, 3), FromInts("pads", 0, 1, 2, 1), FromInt("count_include_pad", 1));
        yield return Pool("AveragePool", "AveragePool_ceil_mode", FromInts("kernel_shape", 2, 2), FromInts("strides", 2, 2), FromInt("ceil_mode", 1), FromInts("pads", 0, 0, 1, 1));
        yield return Pool("AveragePool", "AveragePool_same_lower", FromInts("kernel_shape", 3, 3), FromInts("strides", 2, 2), FromString("auto_pad", "SAME_LOWER"));
        yield return new GraphSpec(13, "GlobalAveragePool").Input("x", Image).Node("GlobalAveragePool", ["x"], ["y"]).Output("y");
        yield return new GraphSpec(13, "GlobalMaxPool").Input("x", Image).Node("GlobalMaxPool", ["x"], ["y"]).Output("y");

        // ---- normalization ----
        foreach (long opset in new long[] { 7, 9, 15 })
        {
            var s = new GraphSpec(opset, $"BatchNormalization_opset{opset}").Input("x", Image)
                .Weight("bn.weight", [4], 0.5f, 1f).Weight("bn.bias", [4]).Weight("bn.running_mean", [4]).Weight("bn.running_var", [4], 0.4f, 1f);
            var attributes = opset == 7 ? new[] { FromFloat("epsilon", 1e-3f), FromInt("spatial", 1) } : [FromFloat("epsilon", 1e-3f), FromFloat("momentum", 0.8f)];
            yield return s.Node("BatchNormalization", ["x", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var"], ["y"], attributes).Output("y");
        }
        yield return new GraphSpec(13, "InstanceNormalization").Input("x", Image).Weight("s", [4], 0.5f, 1f).Weight("b", [4])
            .Node("InstanceNormalization", ["x", "s", "b"], ["y"], FromFloat("epsilon", 1e-4f)).Output("y");
        yield return new GraphSpec(17, "LayerNormalization_last_two").Input("x", [2, 3, 4, 5]).Weight("s", [4, 5], 0.5f, 1f).Weight("b", [5])
            .Node("LayerNormalization", ["x", "s", "b"], ["y"], FromInt("axis", -2)).Output("y");
        yield return new GraphSpec(13, "LRN_size3").Input("x", [2, 6, 3, 3], 3f)
            .Node("LRN", ["x"], ["y"], FromInt("size", 3), FromFloat("alpha", 0.01f), FromFloat("beta", 0.6f), FromFloat("bias", 2f)).Output("y");
        yield return new GraphSpec(13, "LRN_size5").Input("x", [2, 6, 3, 3], 3f)
            .Node("LRN", ["x"], ["y"], FromInt("size", 5), FromFloat("alpha", 0.05f)).Output("y");

        // ---- softmax: 2-D coercion before opset 13, one axis since ----
        foreach (var op in new[] { "Softmax", "LogSoftmax" })
        {
            yield return new GraphSpec(11, $"{op}_opset11_axis1_coerced").Input("x", [2, 3, 4], 3f).Node(op, ["x"], ["y"]).Output("y");
            yield return new GraphSpec(11, $"{op}_opset11_axis2").Input("x", [2, 3, 4], 3f).Node(op, ["x"], ["y"], FromInt("axis", 2)).Output("y");
            yield return new GraphSpec(13, $"{op}_opset13_default").Input("x", [2, 3, 4], 3f).Node(op, ["x"], ["y"]).Output("y");
            yield return new GraphSpec(13, $"{op}_opset13_axis1").Input("x", [2, 3, 4], 3f).Node(op, ["x"], ["y"], FromInt("axis", 1)).Output("y");
        }

        // ---- reductions ----
        yield return new GraphSpec(13, "ReduceMean_opset13_axes_keep").Input("x", [2, 3, 4]).Node("ReduceMean", ["x"], ["y"], FromInts("axes", 1, -1)).Output("y");
        yield return new GraphSpec(13, "ReduceMean_opset13_drop").Input("x", [2, 3, 4]).Node("ReduceMean", ["x"], ["y"], FromInts("axes", 0), FromInt("keepdims", 0)).Output("y");
        yield return new GraphSpec(11, "ReduceMean_opset11_all").Input("x", [2, 3, 4]).Node("ReduceMean", ["x"], ["y"]).Output("y");
        yield return new GraphSpec(18, "ReduceMean_opset18_axes_input").Input("x", [2, 3, 4]).Ints("axes", 2)
            .Node("ReduceMean", ["x", "axes"], ["y"], FromInt("keepdims", 0)).Output("y");
        yield return new GraphSpec(18, "ReduceMean_opset18_noop").Input("x", [2, 3, 4])
            .Node("ReduceMean", ["x"], ["y"], FromInt("noop_with_empty_axes", 1)).Output("y");
        yield return new GraphSpec(13, "ReduceSum_opset13_axes_input").Input("x", [2, 3, 4]).Ints("axes", 0, 2)
            .Node("ReduceSum", ["x", "axes"], ["y"]).Output("y");
        yield return new GraphSpec(11, "ReduceSum_opset11_attribute").Input("x", [2, 3, 4]).Node("ReduceSum", ["x"], ["y"], FromInts("axes", 1)).Output("y");
        yield return new GraphSpec(13, "ReduceMax").Input("x", [2, 3, 4]).Node("ReduceMax", ["x"], ["y"], FromInts("axes", 1)).Output("y");
        yield return new GraphSpec(18, "ReduceMin_opset18").Input("x", [2, 3, 4]).Ints("axes", -1).Node("ReduceMin", ["x", "axes"], ["y"]).Output("y");
        yield return new GraphSpec(13, "ArgMax").Input("x", [2, 3, 4]).Node("ArgMax", ["x"], ["y"], FromInt("axis", 1), FromInt("keepdims", 0)).Output("y");

        // ---- shapes and rearrangement ----
        yield return new GraphSpec(13, "Flatten_axis0").Input("x", Image).Node("Flatten", ["x"], ["y"], FromInt("axis", 0)).Output("y");
        yield return new GraphSpec(9, "Flatten_opset9_default").Input("x", Image).Node("Flatten", ["x"], ["y"]).Output("y");
        yield return new GraphSpec(13, "Flatten_axis_negative").Input("x", Image).Node("Flatten", ["x"], ["y"], FromInt("axis", -1)).Output("y");
        yield return new GraphSpec(13, "Reshape_zero_and_minus_one").Input("x", Image).Ints("shape", 0, -1, 3)
            .Node("Reshape", ["x", "shape"], ["y"]).Output("y");
        yield return new GraphSpec(13, "Transpose_perm").Input("x", [2, 3, 4]).Node("Transpose", ["x"], ["y"], FromInts("perm", 1, 2, 0)).Output("y");
        yield return new GraphSpec(13, "Transpose_default").Input("x", [2, 3, 4]).Node("Transpose", ["x"], ["y"]).Output("y");
        yield return new GraphSpec(13, "Concat_axis1").Input("a", [2, 3, 4]).Input("b", [2, 1, 4]).Weight("c", [2, 2, 4])
            .Node("Concat", ["a", "b", "c"], ["y"], FromInt("axis", 1)).Output("y");
        yield return new GraphSpec(11, "Unsqueeze_Squeeze_opset11").Input("x", [3, 1, 4])
            .Node("Squeeze", ["x"], ["s"], FromInts("axes", 1)).Node("Unsqueeze", ["s"], ["y"], FromInts("axes", 0, 3)).Output("y");
        yield return new GraphSpec(13, "Unsqueeze_Squeeze_opset13").Input("x", [3, 1, 4]).Ints("one", 1).Ints("axes", 0, -1)
            .Node("Squeeze", ["x", "one"], ["s"]).Node("Unsqueeze", ["s", "axes"], ["y"]).Output("y");
        yield return new GraphSpec(13, "Squeeze_all").Input("x", [1, 3, 1, 4]).Node("Squeeze", ["x"], ["y"]).Output("y");
        yield return new GraphSpec(9, "Slice_opset9_attributes").Input("x", [4, 6]).Node("Slice", ["x"], ["y"],
            FromInts("starts", 1, -4), FromInts("ends", 3, 1000), FromInts("axes", 0, 1)).Output("y");
        yield return new GraphSpec(13, "Slice_steps_and_int64_max").Input("x", [4, 7]).Ints("starts", 0, 1).Ints("ends", long.MaxValue, -1)
            .Ints("axes", 0, 1).Ints("steps", 2, 3).Node("Slice", ["x", "starts", "ends", "axes", "steps"], ["y"]).Output("y");
        yield return new GraphSpec(13, "Slice_negative_step").Input("x", [4, 7]).Ints("starts", -1).Ints("ends", long.MinValue)
            .Ints("axes", 1).Ints("steps", -2).Node("Slice", ["x", "starts", "ends", "axes", "steps"], ["y"]).Output("y");
        yield return new GraphSpec(13, "Gather_rows").Input("x", [5, 3]).IntInput("i", [2, 2], [0, 4, -1, 2])
            .Node("Gather", ["x", "i"], ["y"]).Output("y");
        yield return new GraphSpec(13, "Gather_axis1_scalar").Input("x", [2, 5, 3]).Node("Constant", [], ["i"], FromTensor("value", OnnxTensor.FromInt64s("i", [], [3])))
            .Node("Gather", ["x", "i"], ["y"], FromInt("axis", 1)).Output("y");
        yield return new GraphSpec(13, "Expand_bidirectional").Input("x", [3, 1]).Ints("shape", 2, 1, 4)
            .Node("Expand", ["x", "shape"], ["y"]).Output("y");
        yield return new GraphSpec(13, "Tile").Input("x", [2, 3]).Ints("r", 2, 3).Node("Tile", ["x", "r"], ["y"]).Output("y");
        yield return new GraphSpec(13, "Split_input").Input("x", [2, 7]).Ints("split", 3, 4)
            .Node("Split", ["x", "split"], ["a", "b"], FromInt("axis", 1)).Output("a", "b");
        yield return new GraphSpec(11, "Split_opset11_equal").Input("x", [6, 2]).Node("Split", ["x"], ["a", "b", "c"]).Output("a", "b", "c");
        yield return new GraphSpec(18, "Split_opset18_num_outputs").Input("x", [2, 7]).Node("Split", ["x"], ["a", "b"], FromInt("axis", 1), FromInt("num_outputs", 2)).Output("a", "b");
        yield return new GraphSpec(13, "Identity").Input("x", [2, 3]).Node("Identity", ["x"], ["y"]).Output("y");
        yield return new GraphSpec(13, "Cast_round_trip").Input("x", [2, 5], 4f).Node("Cast", ["x"], ["i"], FromInt("to", (long)OnnxDataType.Int64))
            .Node("Cast", ["i"], ["y"], FromInt("to", (long)OnnxDataType.Float)).Output("y");
        yield return new GraphSpec(13, "ConstantOfShape_float").Input("x", [2, 3]).Node("Shape", ["x"], ["s"])
            .Node("ConstantOfShape", ["s"], ["c"], FromTensor("value", OnnxTensor.FromFloats("v", [1], [2.5f]))).Node("Add", ["x", "c"], ["y"]).Output("y");
        yield return new GraphSpec(13, "Range_and_Where").Input("x", [6]).Floats("start", [], 0f).Floats("limit", [], 6f).Floats("delta", [], 1f)
            .Floats("three", [], 3f).Node("Range", ["start", "limit", "delta"], ["r"]).Node("Less", ["r", "three"], ["m"])
            .Node("Where", ["m", "x", "r"], ["y"]).Output("y");
        yield return new GraphSpec(15, "Shape_start_end_opset15").Input("x", Image).Node("Shape", ["x"], ["s"], FromInt("start", 1), FromInt("end", -1))
            .Node("Cast", ["s"], ["y"], FromInt("to", (long)OnnxDataType.Float)).Output("y");
        yield return new GraphSpec(13, "Constant_value_floats").Input("x", [3]).Node("Constant", [], ["c"], FromFloats("value_floats", 1f, -2f, 0.5f))
            .Node("Mul", ["x", "c"], ["y"]).Output("y");

        foreach (var op in new[] { "Greater", "GreaterOrEqual", "LessOrEqual", "Equal" })
            yield return new GraphSpec(16, $"{op}_floats_to_Where").Input("a", [2, 3, 4]).Input("b", [4]).Node(op, ["a", "b"], ["m"])
                .Node("Where", ["m", "a", "b"], ["y"]).Output("y");
        yield return new GraphSpec(13, "ArgMin_keepdims").Input("x", [2, 3, 4]).Node("ArgMin", ["x"], ["y"], FromInt("axis", -1)).Output("y");
        // Integer plumbing: element count via ReduceProd of the shape and Size, Equal/Not/Where on integers, CastLike.
        yield return new GraphSpec(15, "Integer_plumbing_opset15").Input("x", [2, 3, 4])
            .Node("Shape", ["x"], ["s"]).Node("ReduceProd", ["s"], ["p"], FromInt("keepdims", 0)).Node("Size", ["x"], ["n"])
            .Node("Equal", ["p", "n"], ["same"]).Node("Not", ["same"], ["differ"])
            .Node("Where", ["differ", "n", "p"], ["picked"])
            .Node("CastLike", ["picked", "x"], ["f"]).Node("Mul", ["x", "f"], ["y"]).Output("y");

        // The shape plumbing exporters write for x.view(x.size(0), -1), at opsets 11 and 13.
        foreach (long opset in new long[] { 11, 13 })
        {
            var s = new GraphSpec(opset, $"Dynamic_flatten_plumbing_opset{opset}").Input("x", Image, symbolicBatch: true)
                .Node("Shape", ["x"], ["shape"])
                .Node("Constant", [], ["zero"], FromTensor("value", OnnxTensor.FromInt64s("zero", [], [0])))
                .Node("Gather", ["shape", "zero"], ["n"], FromInt("axis", 0));
            s = opset < 13
                ? s.Node("Unsqueeze", ["n"], ["n1"], FromInts("axes", 0))
                : s.Ints("axes0", 0).Node("Unsqueeze", ["n", "axes0"], ["n1"]);
            yield return s.Ints("minus_one", -1).Node("Concat", ["n1", "minus_one"], ["target"], FromInt("axis", 0))
                .Node("Reshape", ["x", "target"], ["y"]).Output("y");
        }

        // ---- Pad ----
        yield return new GraphSpec(7, "Pad_opset7_attributes").Input("x", [2, 3, 4]).Node("Pad", ["x"], ["y"],
            FromInts("pads", 0, 1, 2, 0, 2, 1), FromFloat("value", 1.5f)).Output("y");
        yield return new GraphSpec(11, "Pad_opset11_constant").Input("x", [2, 3, 4]).Ints("pads", 0, 0, 1, 0, 0, 2).Floats("v", [], -1f)
            .Node("Pad", ["x", "pads", "v"], ["y"]).Output("y");
        yield return new GraphSpec(13, "Pad_reflect").Input("x", [2, 3, 4]).Ints("pads", 0, 1, 2, 0, 2, 1)
            .Node("Pad", ["x", "pads"], ["y"], FromString("mode", "reflect")).Output("y");
        yield return new GraphSpec(13, "Pad_edge").Input("x", [2, 3, 4]).Ints("pads", 0, 1, 2, 0, 2, 3)
            .Node("Pad", ["x", "pads"], ["y"], FromString("mode", "edge")).Output("y");
        yield return new GraphSpec(13, "Pad_negative_crops").Input("x", [2, 5, 4]).Ints("pads", 0, -1, 2, 0, 2, -1)
            .Node("Pad", ["x", "pads"], ["y"]).Output("y");
        yield return new GraphSpec(18, "Pad_opset18_axes").Input("x", [2, 3, 4]).Ints("pads", 1, 2, 3, 0).Ints("axes", -1, 0)
            .Node("Pad", ["x", "pads", "", "axes"], ["y"]).Output("y");

        // ---- Dropout (inference: the identity) ----
        yield return new GraphSpec(7, "Dropout_opset7_ratio_attribute").Input("x", [2, 3]).Node("Dropout", ["x"], ["y"], FromFloat("ratio", 0.3f)).Output("y");
        yield return new GraphSpec(13, "Dropout_opset13_ratio_input").Input("x", [2, 3]).Floats("r", [], 0.3f)
            .Node("Dropout", ["x", "r"], ["y"]).Output("y");
    }

    private static GraphSpec Conv(string name, int[] weight, params OnnxAttribute[] attributes) =>
        new GraphSpec(13, name).Input("x", [2, weight[1] * (attributes.FirstOrDefault(a => a.Name == "group")?.I is { } g ? (int)g : 1), 7, 6])
            .Weight("w", weight).Weight("b", [weight[0]])
            .Node("Conv", ["x", "w", "b"], ["y"], attributes).Output("y");

    private static GraphSpec ConvT(string name, int[] weight, params OnnxAttribute[] attributes) =>
        new GraphSpec(13, name).Input("x", [2, weight[0], 5, 4])
            .Weight("w", weight).Weight("b", [weight[1] * (attributes.FirstOrDefault(a => a.Name == "group")?.I is { } g ? (int)g : 1)])
            .Node("ConvTranspose", ["x", "w", "b"], ["y"], attributes).Output("y");

    private static GraphSpec Pool(string op, string name, params OnnxAttribute[] attributes) =>
        new GraphSpec(13, name).Input("x", [2, 3, 7, 6]).Node(op, ["x"], ["y"], attributes).Output("y");
}
