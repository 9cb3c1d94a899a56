using NetFromScratch.Tensors;
using static NetFromScratch.Autograd.Graph;

namespace NetFromScratch.Autograd;

// Indexing with integer index tensors (whole numbers stored as floats; never differentiated). Reading at an index
// (gather, index-select) sends the gradient back by adding it at that index (scatter-add, index-add): an element
// read twice receives both gradients. Adding at an index (scatter-add) reads its gradient back with gather.
public sealed partial class Variable
{
    /// <summary>
    /// <c>Y[i][j] = X[i][index[i][j]]</c> along <paramref name="axis"/> (as torch.gather).
    /// Shape: index has X's rank and fits X outside the axis; Y has index's shape.
    /// </summary>
    public Variable Gather(int axis, Tensor index)
    {
        ArgumentNullException.ThrowIfNull(index);
        var shape = Shape;
        return Record("Gather", Data.Gather(axis, index), [this], $"dX = scatter_add(0, axis {axis}, index, dY)", dY =>
            [Tensor.Zeros(shape, dY.Device).ScatterAddInPlace(axis, index, dY)]);
    }

    /// <summary>
    /// A copy of X with <paramref name="source"/> added at <paramref name="index"/> along <paramref name="axis"/>
    /// (as torch.scatter_add). Shape: index and source alike, fitting X outside the axis; Y has X's shape.
    /// </summary>
    public Variable ScatterAdd(int axis, Tensor index, Variable source)
    {
        ArgumentNullException.ThrowIfNull(index);
        Variable x = this;
        return Record("ScatterAdd", x.Data.ScatterAdd(axis, index, source.Data), [x, source], $"dX = dY;  dSource = gather(dY, axis {axis}, index)", dY =>
        [
            x.RequiresGrad ? dY : null,
            source.RequiresGrad ? dY.Gather(axis, index) : null,
        ]);
    }

    /// <summary>
    /// Whole slices along <paramref name="axis"/> at the positions in <paramref name="index"/> (as torch.index_select).
    /// Shape: index <c>[K]</c>; the axis becomes K.
    /// </summary>
    public Variable IndexSelect(int axis, Tensor index)
    {
        ArgumentNullException.ThrowIfNull(index);
        var shape = Shape;
        return Record("IndexSelect", Data.IndexSelect(axis, index), [this], $"dX = index_add(0, axis {axis}, index, dY)", dY =>
            [Tensor.Zeros(shape, dY.Device).IndexAddInPlace(axis, index, dY)]);
    }

    /// <summary>
    /// Pads the last axes, PyTorch's F.pad order: <c>(left, right)</c> for the last axis, then <c>(top, bottom)</c>, and so on.
    /// Shape: each padded axis grows by before + after.
    /// </summary>
    public Variable Pad(int[] pads, PadMode mode = PadMode.Constant, float value = 0f)
    {
        ArgumentNullException.ThrowIfNull(pads);
        var shape = Shape;
        var saved = (int[])pads.Clone();
        string rule = mode == PadMode.Constant
            ? "dX = dY with the padding cropped off"
            : $"dX = dY cropped, plus each {mode.ToString().ToLowerInvariant()}ed border element's gradient added to its source";
        return Record("Pad", Data.Pad(saved, mode, value), [this], rule, dY => [Tensor.PadBackward(dY, shape, saved, mode)]);
    }
}
