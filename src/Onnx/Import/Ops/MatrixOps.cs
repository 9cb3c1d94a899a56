namespace NetFromScratch.Onnx.Import.Ops;

/// <summary>Gemm and MatMul. Transposes are views that the matrix product reads in place.</summary>
internal static class MatrixOps
{
    public static IEnumerable<OpInfo> All()
    {
        yield return OpInfo.Of("MatMul", _ => f => f.Out(f.Var(0).MatMul(f.Var(1))));
        yield return OpInfo.Of("Gemm", c =>
        {
            // Y = alpha * A' B' + beta * C, with A' = A^T when transA and B' = B^T when transB.
            bool transA = c.Int("transA", 0) != 0, transB = c.Int("transB", 0) != 0;
            float alpha = c.Float("alpha", 1f), beta = c.Float("beta", 1f);
            return f =>
            {
                var a = f.Var(0);
                var b = f.Var(1);
                if (a.Rank != 2 || b.Rank != 2)
                    throw new ArgumentException($"Gemm takes matrices, got A {a.Shape} and B {b.Shape}.");
                var y = (transA ? a.T : a).MatMul(transB ? b.T : b);
                if (alpha != 1f) y *= alpha;
                if (f.Has(2) && beta != 0f)
                {
                    var bias = f.Var(2);
                    y += beta == 1f ? bias : bias * beta;
                }
                f.Out(y);
            };
        });
    }
}
