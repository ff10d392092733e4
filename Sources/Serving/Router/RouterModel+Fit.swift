extension RouterModel {
    /// Fits the router to `samples` (n, d) and `labels` (n; true: the student's answer was
    /// good enough) by minimising ``RouterObjective`` with coefficient `l2` (λ ≥ 0) in at most
    /// `iterations` Newton steps. Deterministic.
    ///
    /// Newton's method (IRLS) with a backtracking line search, not gradient descent: the
    /// standardised features of a hidden state are strongly correlated, so the problem is
    /// ill-conditioned for small λ and first-order methods need thousands of steps, while
    /// Newton converges quadratically, typically in 5–10 steps, to the optimum the reference
    /// values were computed at. A step costs n·(d + 1)²/2 multiply-adds for the Hessian and
    /// (d + 1)³/6 for its Cholesky factorisation. The loop stops early once every component of
    /// the gradient is within 1e-10 of 0, or when no step lowers the objective any more.
    ///
    /// Degenerate inputs: no samples give ``constant(_:)`` of 0.5; labels all equal give a
    /// constant model of the base rate (0 or 1); NaN or infinite features count as the mean.
    public static func fit(samples: [[Float]], labels: [Bool], l2: Double, iterations: Int) -> RouterModel {
        precondition(samples.count == labels.count, "RouterModel.fit: \(samples.count) samples but \(labels.count) labels")
        precondition(iterations >= 0, "RouterModel.fit: iterations must be ≥ 0")
        guard !samples.isEmpty else { return .constant(0.5) }
        let positives = labels.count(where: { $0 })
        guard positives > 0 else { return .constant(0) }
        guard positives < labels.count else { return .constant(1) }
        let scaling = FeatureScaling(fittedTo: samples)
        let objective = RouterObjective(samples: samples, labels: labels, scaling: scaling, l2: l2)
        let baseRate = Double(positives) / Double(labels.count)
        var minimizer = NewtonMinimizer(objective: objective, initialBias: logOdds(baseRate))
        for _ in 0..<iterations {
            guard minimizer.step() else { break }
        }
        var weights = minimizer.parameters
        let bias = weights.removeLast()
        return RouterModel(scaling: scaling, weights: weights, bias: bias)
    }
}

/// Newton's method with a backtracking (Armijo) line search on a ``RouterObjective``.
struct NewtonMinimizer {
    /// Stop once every gradient component is within this of 0.
    static let gradientTolerance = 1e-10
    /// Armijo's sufficient-decrease fraction (Nocedal & Wright, "Numerical Optimization", §3.1).
    static let sufficientDecrease = 1e-4
    /// Step halvings tried before giving up.
    static let maximumHalvings = 40

    let objective: RouterObjective
    /// The weights, then the bias. (d + 1)
    private(set) var parameters: [Double]
    /// The logits at `parameters`. (n)
    private var logits: [Double]
    /// J at `parameters`.
    private(set) var loss: Double

    /// Starts at zero weights and `initialBias` (the base rate's logit: the optimum when λ → ∞).
    init(objective: RouterObjective, initialBias: Double) {
        self.objective = objective
        parameters = [Double](repeating: 0, count: objective.width)
        parameters[objective.dimension] = initialBias
        logits = objective.logits(parameters: parameters)
        loss = objective.loss(parameters: parameters, logits: logits)
    }

    /// Takes one damped Newton step; false when converged or stuck.
    mutating func step() -> Bool {
        let gradient = objective.gradient(parameters: parameters, logits: logits)  // (d + 1)
        guard let largest = gradient.map(abs).max(), largest > Self.gradientTolerance else { return false }
        var hessian = objective.hessian(logits: logits)  // (d + 1, d + 1)
        let descent = gradient.map { -$0 }
        var direction = CholeskySolver.solve(&hessian, size: objective.width, descent) ?? descent
        var slope = dot(gradient, direction)
        if !(slope < 0) {
            direction = descent
            slope = dot(gradient, direction)
        }
        return lineSearch(direction: direction, slope: slope)
    }

    /// Moves along `direction` by the largest step 1, ½, ¼, … that lowers J enough.
    private mutating func lineSearch(direction: [Double], slope: Double) -> Bool {
        var length = 1.0
        for _ in 0..<Self.maximumHalvings {
            let candidate = zip(parameters, direction).map { $0 + length * $1 }
            let candidateLogits = objective.logits(parameters: candidate)
            let candidateLoss = objective.loss(parameters: candidate, logits: candidateLogits)
            if candidateLoss <= loss + Self.sufficientDecrease * length * slope {
                (parameters, logits, loss) = (candidate, candidateLogits, candidateLoss)
                return true
            }
            length /= 2
        }
        return false
    }

    private func dot(_ left: [Double], _ right: [Double]) -> Double {
        zip(left, right).reduce(0) { $0 + $1.0 * $1.1 }
    }
}
