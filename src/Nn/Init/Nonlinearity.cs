namespace NetFromScratch.Nn.Init;

/// <summary>The activation that follows a layer, which sets the gain of Xavier and He initialisation.</summary>
public enum Nonlinearity
{
    /// <summary>No activation (gain 1).</summary>
    Linear,
    /// <summary>Logistic sigmoid (gain 1).</summary>
    Sigmoid,
    /// <summary>tanh (gain 5/3).</summary>
    Tanh,
    /// <summary>ReLU (gain sqrt(2)).</summary>
    Relu,
    /// <summary>Leaky ReLU with slope a (gain sqrt(2 / (1 + a^2))).</summary>
    LeakyRelu,
    /// <summary>SELU (gain 3/4).</summary>
    Selu,
}
