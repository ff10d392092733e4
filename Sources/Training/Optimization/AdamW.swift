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

    /// One update of `parameters` from `gradients` at `learningRate`.
    /// - Parameters:
    ///   - parameters: (count), updated in place
    ///   - gradients: (count)
    public func step(parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>, learningRate: Float) {
        stepCount += 1
        let s = settings, first = moments, second = moments + count
        for range in decayedRanges {
            let shrink = 1 - learningRate * s.weightDecay
            for i in range { parameters[i] *= shrink }
        }
        let correction1 = 1 - pow(s.beta1, Float(stepCount)), correction2 = 1 - pow(s.beta2, Float(stepCount))
        for i in 0..<count {
            let g = gradients[i]
            first[i] = s.beta1 * first[i] + (1 - s.beta1) * g
            second[i] = s.beta2 * second[i] + (1 - s.beta2) * g * g
            let mHat = first[i] / correction1, vHat = second[i] / correction2
            parameters[i] -= learningRate * mHat / (vHat.squareRoot() + s.epsilon)
        }
    }
}
