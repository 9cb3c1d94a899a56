namespace NetFromScratch.Tensors;

public sealed partial class Tensor
{
    /// <summary>
    /// Matrix product with NumPy's rules: 1-D operands are promoted (and the added dimension removed afterwards),
    /// and batch dimensions broadcast.
    /// Shape: <c>[B..., M, K] @ [B..., K, N] -&gt; [B..., M, N]</c>. Transposed views (<see cref="T"/>) are read in place.
    /// </summary>
    public Tensor MatMul(Tensor other)
    {
        CheckSameDevice("MatMul", other);
        if (Rank == 0 || other.Rank == 0)
            throw new ArgumentException($"MatMul: both operands need at least one dimension, got {Shape} and {other.Shape}.");
        var a = Rank == 1 ? Unsqueeze(0) : this;
        var b = other.Rank == 1 ? other.Unsqueeze(1) : other;
        int m = a.Shape[-2], k = a.Shape[-1], k2 = b.Shape[-2], n = b.Shape[-1];
        if (k != k2)
            throw new ArgumentException($"MatMul: inner dimensions differ: {Shape} @ {other.Shape} ({k} vs {k2}).");
        var batchA = a.Shape.Dims[..^2].ToArray();
        var batchB = b.Shape.Dims[..^2].ToArray();
        var batch = Shape.Broadcast(new Shape(batchA), new Shape(batchB), "MatMul").ToArray();
        var outDims = batch.Concat(new[] { m, n }).ToArray();
        var c = Empty(new Shape(outDims), Device);
        if (c.Numel > 0)
        {
            if (k == 0) c.Backend.Fill(c, 0f);
            else
            {
                // Views made here hold references on the operands' buffers: release them, or the operands could
                // never return to the pool when their owners dispose them.
                var ae = a.Expand(batch.Concat(new[] { m, k }).ToArray());
                var be = b.Expand(batch.Concat(new[] { k, n }).ToArray());
                c.Backend.MatMul(ae, be, c);
                ae.Dispose();
                be.Dispose();
            }
        }
        if (!ReferenceEquals(a, this)) a.Dispose();
        if (!ReferenceEquals(b, other)) b.Dispose();
        if (Rank == 1 || other.Rank == 1)
        {
            var result = Rank == 1 && other.Rank == 1 ? c.Reshape() : Rank == 1 ? c.Squeeze(-2) : c.Squeeze(-1);
            c.Dispose();
            return result;
        }
        return c;
    }

    /// <summary>Matrix product.</summary>
    public static Tensor MatMul(Tensor a, Tensor b) => a.MatMul(b);
}
