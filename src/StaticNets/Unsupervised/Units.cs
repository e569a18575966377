namespace StaticNets.Unsupervised;

/// <summary>The kind of an RBM's visible units: what <c>p(v | h)</c> is and which data the RBM models.</summary>
public enum VisibleUnits
{
    /// <summary>Binary units: <c>p(v_i = 1 | h) = σ(a_i + Σ_j h_j w_ji)</c>. For data in [0, 1] (pixel intensities read as probabilities).</summary>
    Bernoulli = 0,

    /// <summary>
    /// Linear units with unit-variance Gaussian noise: <c>v_i | h ~ N(a_i + Σ_j h_j w_ji, 1)</c>. For real-valued data,
    /// which should be standardised (zero mean, unit variance per component) because the variance is not learned.
    /// </summary>
    Gaussian = 1,
}

/// <summary>The kind of an RBM's hidden units: what <c>p(h | v)</c> is and the activation of the unrolled layer.</summary>
public enum HiddenUnits
{
    /// <summary>Binary units: <c>p(h_j = 1 | v) = σ(b_j + Σ_i w_ji v_i)</c>; unrolls into a sigmoid layer.</summary>
    Bernoulli = 0,

    /// <summary>
    /// Linear units with unit-variance Gaussian noise: <c>h_j | v ~ N(b_j + Σ_i w_ji v_i, 1)</c>; unrolls into an identity
    /// layer. The code layer of Hinton and Salakhutdinov's (2006) deep autoencoder. Needs Bernoulli visible units (with
    /// both sides Gaussian the energy is unbounded below).
    /// </summary>
    Gaussian = 1,
}
