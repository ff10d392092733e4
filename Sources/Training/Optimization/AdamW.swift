import Engine
import Foundation

/// Adam with decoupled weight decay (Loshchilov & Hutter; PyTorch `torch.optim.AdamW`):
/// `p −= lr·λ·p`, then `p −= lr · m̂ / (√v̂ + ε)` with bias-corrected moments.
/// The moments live in one arena the size of the parameters, allocated once.
public final class AdamW: @unchecked Sendable {
    /// Hyper-parameters other than the learning rate (which the schedule gives per step).
    public struct Settings: Sendable, Equatable {
        /// β₁, first-moment decay (default 0.9, PyTorch's).
        public var beta1: Float = 0.9
        /// β₂, second-moment decay (default 0.999, PyTorch's).
        public var beta2: Float = 0.999
        /// ε added to √v̂ (default 1e-8).
        public var epsilon: Float = 1e-8
        /// λ, decoupled weight decay (default 0.01, PyTorch's).
        public var weightDecay: Float = 0.01

        /// Settings with PyTorch's defaults unless given.
        public init(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0.01) {
            self.beta1 = beta1
            self.beta2 = beta2
            self.epsilon = epsilon
            self.weightDecay = weightDecay
        }
    }

    /// The hyper-parameters.
    public let settings: Settings
    /// Parameters updated per step.
    public let count: Int
    /// Index ranges that get weight decay (usually the matrices, not norms; default all).
    public let decayedRanges: [Range<Int>]
    /// Steps taken so far (t in the bias corrections); set when a checkpoint is restored.
    public internal(set) var stepCount = 0
    /// (2, count): m then v; read and written by checkpoints.
    let moments: UnsafeMutablePointer<Float>

    /// An optimizer for `count` parameters with zero moments.
    public init(count: Int, settings: Settings = Settings(), decayedRanges: [Range<Int>]? = nil) throws {
        guard count > 0, settings.beta1 >= 0, settings.beta1 < 1, settings.beta2 >= 0, settings.beta2 < 1,
              settings.epsilon > 0, settings.weightDecay >= 0 else {
            throw TrainingError.invalidConfiguration("AdamW needs count > 0, β in [0, 1), ε > 0, λ ≥ 0")
        }
        self.count = count
        self.settings = settings
        self.decayedRanges = decayedRanges ?? [0..<count]
        moments = .allocate(capacity: 2 * count)
        moments.initialize(repeating: 0, count: 2 * count)
    }

    deinit { moments.deallocate() }

    /// One update of `parameters` from `gradients · gradientScale` at `learningRate`
    /// (the scale carries gradient clipping, so the gradients are read once), vectorized
    /// and split over `threads`.
    /// - Parameters:
    ///   - parameters: (count), updated in place
    ///   - gradients: (count)
    public func step(parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>, learningRate: Float,
                     gradientScale: Float = 1, threads: Int = 1) {
        stepCount += 1
        let s = settings
        let update = Update(learningRate: learningRate, gradientScale: gradientScale, beta1: s.beta1, beta2: s.beta2,
                            epsilon: s.epsilon, correction1: 1 - pow(s.beta1, Float(stepCount)),
                            correction2: 1 - pow(s.beta2, Float(stepCount)))
        let shrink = 1 - learningRate * s.weightDecay
        let segments = segments
        let (p, g, m) = (Disjoint(parameters), Disjoint(gradients), Disjoint(moments))
        let count = count
        Parallel.forEach(count, threads: threads, minimumPerThread: 1 << 16) { part in
            for segment in segments where segment.range.overlaps(part) {
                let range = segment.range.clamped(to: part)
                update.apply(parameters: p.value, gradients: g.value, first: m.value, second: m.value + count,
                             range: range, shrink: segment.decayed ? shrink : 1)
            }
        }
    }

    /// `0 ..< count` cut where weight decay starts or stops, in order.
    private var segments: [(range: Range<Int>, decayed: Bool)] {
        var result: [(range: Range<Int>, decayed: Bool)] = [], position = 0
        for range in decayedRanges.sorted(by: { $0.lowerBound < $1.lowerBound }) where range.lowerBound >= position {
            if range.lowerBound > position { result.append((position..<range.lowerBound, false)) }
            result.append((range, true))
            position = range.upperBound
        }
        if position < count { result.append((position..<count, false)) }
        return result
    }
}

/// The per-element AdamW update with one step's constants.
private struct Update: Sendable {
    let learningRate, gradientScale, beta1, beta2, epsilon, correction1, correction2: Float

    /// `p ← p·shrink − lr · m̂ / (√v̂ + ε)` after updating m and v, over `range`, eight lanes at a time.
    func apply(parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>,
               first: UnsafeMutablePointer<Float>, second: UnsafeMutablePointer<Float>, range: Range<Int>, shrink: Float) {
        var i = range.lowerBound
        while i + 8 <= range.upperBound {
            let g = VectorMath.load(gradients + i) * gradientScale
            let m = beta1 * VectorMath.load(first + i) + (1 - beta1) * g
            let v = beta2 * VectorMath.load(second + i) + (1 - beta2) * g * g
            let step = learningRate * (m / correction1) / ((v / correction2).squareRoot() + epsilon)
            VectorMath.store(m, first + i)
            VectorMath.store(v, second + i)
            VectorMath.store(VectorMath.load(parameters + i) * shrink - step, parameters + i)
            i += 8
        }
        while i < range.upperBound {
            let g = gradients[i] * gradientScale
            first[i] = beta1 * first[i] + (1 - beta1) * g
            second[i] = beta2 * second[i] + (1 - beta2) * g * g
            parameters[i] = parameters[i] * shrink
                - learningRate * (first[i] / correction1) / ((second[i] / correction2).squareRoot() + epsilon)
            i += 1
        }
    }
}
