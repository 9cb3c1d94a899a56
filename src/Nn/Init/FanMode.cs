namespace NetFromScratch.Nn.Init;

/// <summary>Whether He initialisation preserves the variance of activations (fan-in) or of gradients (fan-out).</summary>
public enum FanMode
{
    /// <summary>Inputs per output unit: weight <c>[out, in, *k]</c> gives <c>in * prod(k)</c>.</summary>
    FanIn,
    /// <summary>Outputs per input unit: <c>out * prod(k)</c>.</summary>
    FanOut,
}
