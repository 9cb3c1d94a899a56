using System.Numerics;
using NetFromScratch.Tensors;
using NetFromScratch.Tensors.Cpu;

namespace NetFromScratch.Training.Optimizers;

/// <summary>
/// The optimizers' update rules as single passes over the parameter, its gradient and its state buffers, written in
/// place. On contiguous CPU tensors each rule is one SIMD loop (<see cref="Vector{T}"/> with a scalar tail computing
/// the same expression), so a step allocates nothing and reads each array once; on other devices the same formula is
/// composed from Tensor ops (temporaries go back to the pool).
/// Shape: every tensor passed to one rule has the same shape.
/// </summary>
/// <remarks>
/// Scalars arrive as doubles, computed as PyTorch computes them in Python, and are rounded to float once, as PyTorch
/// does when it hands them to its float32 kernels.
/// </remarks>
internal static class FusedUpdates
{
    /// <summary>The CPU elements of a contiguous CPU tensor, or false.</summary>
    private static bool TrySpan(Tensor t, out Span<float> span)
    {
        if (t.Storage is CpuStorage cpu && t.IsContiguous)
        {
            span = cpu.Data.AsSpan(t.Offset, t.Numel);
            return true;
        }
        span = default;
        return false;
    }

    // ---- SGD ---------------------------------------------------------------------------------------------------

    /// <summary>
    /// <c>d = g + wd p</c>; with momentum: <c>buf = d</c> on the first step, else <c>buf = mu buf + (1 - dampening) d</c>,
    /// then <c>d = d + mu buf</c> (Nesterov) or <c>d = buf</c>; finally <c>p -= lr d</c>.
    /// </summary>
    public static void Sgd(Tensor p, Tensor g, Tensor? buf, bool firstStep, double lr, double momentum, double dampening,
        double weightDecay, bool nesterov)
    {
        float flr = (float)lr, fmu = (float)momentum, fdamp = (float)(1 - dampening), fwd = (float)weightDecay;
        if (TrySpan(p, out var ps) && TrySpan(g, out var gs) && (buf is null || TrySpan(buf, out _)))
        {
            Span<float> bs = default;
            if (buf is not null) TrySpan(buf, out bs);
            SgdSpan(ps, gs, bs, buf is not null, firstStep, flr, fmu, fdamp, fwd, nesterov);
            return;
        }

        using var d = weightDecay != 0 ? g + p * fwd : g.Clone();
        if (buf is not null)
        {
            if (firstStep) buf.CopyFrom(d);
            else
            {
                buf.MulInPlace(fmu);
                using var scaled = d * fdamp;
                buf.AddInPlace(scaled);
            }
            if (nesterov)
            {
                using var look = buf * fmu;
                d.AddInPlace(look);
            }
            else d.CopyFrom(buf);
        }
        using var step = d * flr;
        p.SubInPlace(step);
    }

    private static void SgdSpan(Span<float> p, ReadOnlySpan<float> g, Span<float> buf, bool momentum, bool first,
        float lr, float mu, float damp, float wd, bool nesterov)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int w = Vector<float>.Count;
            for (; i <= p.Length - w; i += w)
            {
                var pv = new Vector<float>(p[i..]);
                var d = new Vector<float>(g[i..]) + pv * wd;
                if (momentum)
                {
                    var b = first ? d : new Vector<float>(buf[i..]) * mu + d * damp;
                    b.CopyTo(buf[i..]);
                    d = nesterov ? d + b * mu : b;
                }
                (pv - d * lr).CopyTo(p[i..]);
            }
        }
        for (; i < p.Length; i++)
        {
            float d = g[i] + p[i] * wd;
            if (momentum)
            {
                float b = first ? d : buf[i] * mu + d * damp;
                buf[i] = b;
                d = nesterov ? d + b * mu : b;
            }
            p[i] -= d * lr;
        }
    }

    // ---- Adam and AdamW ----------------------------------------------------------------------------------------

    /// <summary>
    /// AdamW's decoupled decay <c>p *= 1 - lr wd</c> (when <paramref name="decoupled"/>) or Adam's <c>g += wd p</c>; then
    /// <c>m += (g - m)(1 - b1)</c>, <c>v = b2 v + (1 - b2) g^2</c>, with AMSGrad <c>vmax = max(vmax, v)</c>;
    /// <c>p -= stepSize m / (sqrt(v) / sqrt(bc2) + eps)</c> where <c>stepSize = lr / (1 - b1^t)</c> and <c>bc2 = 1 - b2^t</c>.
    /// </summary>
    public static void Adam(Tensor p, Tensor g, Tensor m, Tensor v, Tensor? vmax, long step, double lr, double beta1,
        double beta2, double eps, double weightDecay, bool decoupled)
    {
        double bc1 = 1 - Math.Pow(beta1, step);
        double bc2Sqrt = Math.Sqrt(1 - Math.Pow(beta2, step));
        float stepSize = (float)(lr / bc1), fbc2 = (float)bc2Sqrt, feps = (float)eps;
        float w1 = (float)(1 - beta1), fb2 = (float)beta2, w2 = (float)(1 - beta2);
        float shrink = decoupled ? (float)(1 - lr * weightDecay) : 1f;
        float l2 = decoupled ? 0f : (float)weightDecay;
        if (TrySpan(p, out var ps) && TrySpan(g, out var gs) && TrySpan(m, out var ms) && TrySpan(v, out var vs)
            && (vmax is null || TrySpan(vmax, out _)))
        {
            Span<float> xs = default;
            if (vmax is not null) TrySpan(vmax, out xs);
            AdamSpan(ps, gs, ms, vs, xs, vmax is not null, stepSize, fbc2, feps, w1, fb2, w2, shrink, l2);
            return;
        }

        if (decoupled && weightDecay != 0) p.MulInPlace(shrink);
        using var grad = l2 != 0 ? g + p * l2 : g.Clone();
        using (var diff = grad - m)
        {
            diff.MulInPlace(w1);
            m.AddInPlace(diff);
        }
        v.MulInPlace(fb2);
        using (var sq = grad.Square())
        {
            sq.MulInPlace(w2);
            v.AddInPlace(sq);
        }
        var second = v;
        if (vmax is not null)
        {
            using var larger = vmax.Maximum(v);
            vmax.CopyFrom(larger);
            second = vmax;
        }
        using var denom = second.Sqrt();
        denom.MulInPlace(1f / fbc2);
        denom.AddInPlace(feps);
        using var ratio = m / denom;
        ratio.MulInPlace(stepSize);
        p.SubInPlace(ratio);
    }

    private static void AdamSpan(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, Span<float> vmax, bool amsgrad,
        float stepSize, float bc2Sqrt, float eps, float w1, float b2, float w2, float shrink, float l2)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int w = Vector<float>.Count;
            var vEps = new Vector<float>(eps);
            for (; i <= p.Length - w; i += w)
            {
                var pv = new Vector<float>(p[i..]) * shrink;
                var gv = new Vector<float>(g[i..]) + pv * l2;
                var mv = new Vector<float>(m[i..]);
                mv += (gv - mv) * w1;
                var vv = new Vector<float>(v[i..]) * b2 + gv * gv * w2;
                mv.CopyTo(m[i..]);
                vv.CopyTo(v[i..]);
                if (amsgrad)
                {
                    vv = Vector.Max(new Vector<float>(vmax[i..]), vv);
                    vv.CopyTo(vmax[i..]);
                }
                var denom = Vector.SquareRoot(vv) / bc2Sqrt + vEps;
                (pv - mv / denom * stepSize).CopyTo(p[i..]);
            }
        }
        for (; i < p.Length; i++)
        {
            float pv = p[i] * shrink;
            float gv = g[i] + pv * l2;
            float mv = m[i] + (gv - m[i]) * w1;
            float vv = v[i] * b2 + gv * gv * w2;
            m[i] = mv;
            v[i] = vv;
            if (amsgrad)
            {
                vv = MathF.Max(vmax[i], vv);
                vmax[i] = vv;
            }
            float denom = MathF.Sqrt(vv) / bc2Sqrt + eps;
            p[i] = pv - mv / denom * stepSize;
        }
    }

    // ---- RMSprop -----------------------------------------------------------------------------------------------

    /// <summary>
    /// <c>g += wd p</c>; <c>sq = a sq + (1 - a) g^2</c>; centered: <c>ga += (g - ga)(1 - a)</c> and <c>avg = sqrt(sq - ga^2) + eps</c>,
    /// else <c>avg = sqrt(sq) + eps</c>; with momentum <c>buf = mu buf + g / avg</c>, <c>p -= lr buf</c>, else <c>p -= lr g / avg</c>.
    /// </summary>
    public static void RmsProp(Tensor p, Tensor g, Tensor sq, Tensor? gradAvg, Tensor? buf, double lr, double alpha, double eps,
        double weightDecay, double momentum)
    {
        float flr = (float)lr, fa = (float)alpha, wa = (float)(1 - alpha), feps = (float)eps, fwd = (float)weightDecay, fmu = (float)momentum;
        if (TrySpan(p, out var ps) && TrySpan(g, out var gs) && TrySpan(sq, out var ss)
            && (gradAvg is null || TrySpan(gradAvg, out _)) && (buf is null || TrySpan(buf, out _)))
        {
            Span<float> gas = default, bs = default;
            if (gradAvg is not null) TrySpan(gradAvg, out gas);
            if (buf is not null) TrySpan(buf, out bs);
            RmsPropSpan(ps, gs, ss, gas, bs, gradAvg is not null, buf is not null, flr, fa, wa, feps, fwd, fmu);
            return;
        }

        using var grad = weightDecay != 0 ? g + p * fwd : g.Clone();
        sq.MulInPlace(fa);
        using (var g2 = grad.Square())
        {
            g2.MulInPlace(wa);
            sq.AddInPlace(g2);
        }
        Tensor avg;
        if (gradAvg is not null)
        {
            using (var diff = grad - gradAvg)
            {
                diff.MulInPlace(wa);
                gradAvg.AddInPlace(diff);
            }
            using var ga2 = gradAvg.Square();
            using var centered = sq - ga2;
            avg = centered.Sqrt();
        }
        else avg = sq.Sqrt();
        avg.AddInPlace(feps);
        using var ratio = grad / avg;
        avg.Dispose();
        if (buf is not null)
        {
            buf.MulInPlace(fmu);
            buf.AddInPlace(ratio);
            using var update = buf * flr;
            p.SubInPlace(update);
        }
        else
        {
            ratio.MulInPlace(flr);
            p.SubInPlace(ratio);
        }
    }

    private static void RmsPropSpan(Span<float> p, ReadOnlySpan<float> g, Span<float> sq, Span<float> ga, Span<float> buf,
        bool centered, bool momentum, float lr, float a, float wa, float eps, float wd, float mu)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int w = Vector<float>.Count;
            var vEps = new Vector<float>(eps);
            for (; i <= p.Length - w; i += w)
            {
                var pv = new Vector<float>(p[i..]);
                var gv = new Vector<float>(g[i..]) + pv * wd;
                var sv = new Vector<float>(sq[i..]) * a + gv * gv * wa;
                sv.CopyTo(sq[i..]);
                Vector<float> avg;
                if (centered)
                {
                    var av = new Vector<float>(ga[i..]);
                    av += (gv - av) * wa;
                    av.CopyTo(ga[i..]);
                    avg = Vector.SquareRoot(sv - av * av) + vEps;
                }
                else avg = Vector.SquareRoot(sv) + vEps;
                if (momentum)
                {
                    var b = new Vector<float>(buf[i..]) * mu + gv / avg;
                    b.CopyTo(buf[i..]);
                    (pv - b * lr).CopyTo(p[i..]);
                }
                else (pv - gv / avg * lr).CopyTo(p[i..]);
            }
        }
        for (; i < p.Length; i++)
        {
            float gv = g[i] + p[i] * wd;
            float sv = sq[i] * a + gv * gv * wa;
            sq[i] = sv;
            float avg;
            if (centered)
            {
                float av = ga[i] + (gv - ga[i]) * wa;
                ga[i] = av;
                avg = MathF.Sqrt(sv - av * av) + eps;
            }
            else avg = MathF.Sqrt(sv) + eps;
            if (momentum)
            {
                float b = buf[i] * mu + gv / avg;
                buf[i] = b;
                p[i] -= b * lr;
            }
            else p[i] -= gv / avg * lr;
        }
    }

    // ---- Adagrad -----------------------------------------------------------------------------------------------

    /// <summary><c>g += wd p</c>; <c>sum += g^2</c>; <c>p -= clr g / (sqrt(sum) + eps)</c>.</summary>
    public static void Adagrad(Tensor p, Tensor g, Tensor sum, double clr, double eps, double weightDecay)
    {
        float flr = (float)clr, feps = (float)eps, fwd = (float)weightDecay;
        if (TrySpan(p, out var ps) && TrySpan(g, out var gs) && TrySpan(sum, out var ss))
        {
            AdagradSpan(ps, gs, ss, flr, feps, fwd);
            return;
        }
        using var grad = weightDecay != 0 ? g + p * fwd : g.Clone();
        using (var g2 = grad.Square()) sum.AddInPlace(g2);
        using var std = sum.Sqrt();
        std.AddInPlace(feps);
        using var ratio = grad / std;
        ratio.MulInPlace(flr);
        p.SubInPlace(ratio);
    }

    private static void AdagradSpan(Span<float> p, ReadOnlySpan<float> g, Span<float> sum, float lr, float eps, float wd)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int w = Vector<float>.Count;
            var vEps = new Vector<float>(eps);
            for (; i <= p.Length - w; i += w)
            {
                var pv = new Vector<float>(p[i..]);
                var gv = new Vector<float>(g[i..]) + pv * wd;
                var sv = new Vector<float>(sum[i..]) + gv * gv;
                sv.CopyTo(sum[i..]);
                (pv - gv / (Vector.SquareRoot(sv) + vEps) * lr).CopyTo(p[i..]);
            }
        }
        for (; i < p.Length; i++)
        {
            float gv = g[i] + p[i] * wd;
            float sv = sum[i] + gv * gv;
            sum[i] = sv;
            p[i] -= gv / (MathF.Sqrt(sv) + eps) * lr;
        }
    }
}
