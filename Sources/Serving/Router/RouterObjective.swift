/// The function ``RouterModel/fit(samples:labels:l2:iterations:)`` minimises: the mean
/// logistic log-loss plus an L2 penalty on the weights (not on the bias), over standardised
/// features:
///
///     J(w, b) = (1/n) Σᵢ [softplus(zᵢ) − yᵢ·zᵢ] + (λ/2)·‖w‖²,   zᵢ = b + w·x̃ᵢ
///     ∂J/∂w  = (1/n) Σᵢ (pᵢ − yᵢ)·x̃ᵢ + λ·w,   ∂J/∂b = (1/n) Σᵢ (pᵢ − yᵢ),   pᵢ = σ(zᵢ)
///
/// with yᵢ = 1 for a true label. scikit-learn's `C` corresponds to λ = 1 / (n·C).
/// Exposed so that tests can check the gradient and the optimum independently.
public struct RouterObjective: Sendable {
    /// Standardised features, then a constant 1 that multiplies the bias. (n, d + 1), row-major
    let design: [Double]
    /// 1 for a true label, 0 for a false one. (n)
    let targets: [Double]
    /// Samples, n.
    public let sampleCount: Int
    /// Features per sample, d.
    public let dimension: Int
    /// The L2 coefficient λ ≥ 0.
    public let l2: Double

    /// The objective over `samples` (n, d) standardised by `scaling`, with `labels` (n).
    public init(samples: [[Float]], labels: [Bool], scaling: FeatureScaling, l2: Double) {
        precondition(samples.count == labels.count, "RouterObjective: \(samples.count) samples but \(labels.count) labels")
        precondition(l2 >= 0 && l2.isFinite, "RouterObjective: l2 must be finite and ≥ 0, got \(l2)")
        var design: [Double] = []
        design.reserveCapacity(samples.count * (scaling.dimension + 1))
        for sample in samples {
            design += scaling.standardized(sample)
            design.append(1)
        }
        self.design = design
        self.targets = labels.map { $0 ? 1 : 0 }
        self.sampleCount = samples.count
        self.dimension = scaling.dimension
        self.l2 = l2
    }

    /// Parameters per model, d + 1: the weights, then the bias.
    var width: Int { dimension + 1 }

    /// J(w, b) for `weights` (d) and `bias`.
    public func loss(weights: [Double], bias: Double) -> Double {
        let parameters = weights + [bias]
        return loss(parameters: parameters, logits: logits(parameters: parameters))
    }

    /// ∂J/∂w (d) and ∂J/∂b at `weights` (d) and `bias`.
    public func gradient(weights: [Double], bias: Double) -> (weights: [Double], bias: Double) {
        let parameters = weights + [bias]
        var gradient = gradient(parameters: parameters, logits: logits(parameters: parameters))
        let bias = gradient.removeLast()
        return (gradient, bias)
    }

    /// zᵢ = θ·[x̃ᵢ, 1] for `parameters` θ (d + 1). (n)
    func logits(parameters: [Double]) -> [Double] {
        precondition(parameters.count == width, "RouterObjective: \(parameters.count) parameters, expected \(width)")
        return design.withUnsafeBufferPointer { design in
            (0..<sampleCount).map { sample in
                let row = design.baseAddress! + sample * width
                var logit = 0.0
                for column in 0..<width { logit += row[column] * parameters[column] }
                return logit
            }
        }
    }

    /// J at `parameters` (d + 1), given their `logits` (n).
    func loss(parameters: [Double], logits: [Double]) -> Double {
        var total = 0.0
        for (logit, target) in zip(logits, targets) { total += softplus(logit) - target * logit }
        var squares = 0.0
        for weight in parameters.dropLast() { squares += weight * weight }
        return total / Double(sampleCount) + 0.5 * l2 * squares
    }

    /// ∇J at `parameters` (d + 1), given their `logits` (n). (d + 1)
    func gradient(parameters: [Double], logits: [Double]) -> [Double] {
        var gradient = [Double](repeating: 0, count: width)
        design.withUnsafeBufferPointer { design in
            gradient.withUnsafeMutableBufferPointer { gradient in
                for sample in 0..<sampleCount {
                    let residual = (logistic(logits[sample]) - targets[sample]) / Double(sampleCount)
                    let row = design.baseAddress! + sample * width
                    for column in 0..<width { gradient[column] += residual * row[column] }
                }
            }
        }
        for feature in 0..<dimension { gradient[feature] += l2 * parameters[feature] }
        return gradient
    }
}
