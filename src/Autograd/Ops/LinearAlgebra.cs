using NetFromScratch.Tensors;
using static NetFromScratch.Autograd.Graph;

namespace NetFromScratch.Autograd;

// Matrix product. For C = A @ B, each C[i, j] = sum_k A[i, k] B[k, j], so dA[i, k] = sum_j dC[i, j] B[k, j]
// (dA = dC @ B^T) and dB[k, j] = sum_i A[i, k] dC[i, j] (dB = A^T @ dC). Batch dimensions that were broadcast are
// summed back; 1-D operands are handled as the row or column NumPy promotes them to.
public sealed partial class Variable
{
    /// <summary>
    /// Matrix product with NumPy's rules (batched, broadcast batch dimensions, 1-D operands promoted).
    /// Shape: <c>[B..., M, K] @ [B..., K, N] -&gt; [B..., M, N]</c>.
    /// </summary>
    public Variable MatMul(Variable other)
    {
        Variable a = this, b = other;
        Tensor aData = a.Data, bData = b.Data;
        var c = aData.MatMul(bData);
        return Record("MatMul", c, [a, b], "dA = dC @ B^T;  dB = A^T @ dC", dC =>
        {
            // Work in the promoted (at least 2-D) shapes, where dC has both a row and a column axis. Every view made
            // here is disposed, so that the saved operands' buffers can return to the pool once the graph is gone.
            using var a2 = aData.Rank == 1 ? aData.Unsqueeze(0) : Graph.Alias(aData);
            using var b2 = bData.Rank == 1 ? bData.Unsqueeze(1) : Graph.Alias(bData);
            var batch = Shape.Broadcast(new Shape(a2.Shape.Dims[..^2].ToArray()), new Shape(b2.Shape.Dims[..^2].ToArray()), "MatMul");
            using var dC2 = dC.Reshape([.. batch.ToArray(), a2.Shape[-2], b2.Shape[-1]]);
            Tensor? dA = null, dB = null;
            if (a.RequiresGrad)
            {
                using var bT = b2.T;
                using var summed = SumToShape(dC2.MatMul(bT), a2.Shape, temporary: true);
                dA = summed.Reshape(a.Shape.ToArray());
            }
            if (b.RequiresGrad)
            {
                using var aT = a2.T;
                using var summed = SumToShape(aT.MatMul(dC2), b2.Shape, temporary: true);
                dB = summed.Reshape(b.Shape.ToArray());
            }
            return [dA, dB];
        });
    }

    /// <summary>Matrix product of two Variables.</summary>
    public static Variable MatMul(Variable a, Variable b) => a.MatMul(b);
}
