import Foundation

/// The DPO loss of one pair (Rafailov et al. 2023; TRL `loss_type="sigmoid"`):
/// `L = −log σ(β[(lp_w − ref_w) − (lp_l − ref_l)])`, with sequence log-probs summed over
/// answer tokens, and its derivatives with respect to the two policy log-probs.
public struct DPOLoss: Sendable, Equatable {
    /// What one pair gives.
    public struct Outcome: Sendable, Equatable {
        /// −log σ(margin).
        public var loss: Float
        /// β[(lp_w − ref_w) − (lp_l − ref_l)]: chosen reward minus rejected reward.
        public var margin: Float
        /// β(lp_w − ref_w), the implicit reward of the chosen answer.
        public var chosenReward: Float
        /// β(lp_l − ref_l).
        public var rejectedReward: Float
        /// dL/d lp_w = −β σ(−margin).
        public var chosenGradient: Float
        /// dL/d lp_l = +β σ(−margin).
        public var rejectedGradient: Float
    }

    /// β: how far the policy may move from the reference (default 0.1, TRL's).
    public var beta: Float

    /// A loss with temperature `beta`.
    public init(beta: Float = 0.1) { self.beta = beta }

    /// The loss and gradients for policy log-probs `chosen`, `rejected` against `reference`.
    public func evaluate(chosen: Float, rejected: Float, reference: ReferenceLogProbs) -> Outcome {
        let chosenReward = beta * (chosen - reference.chosen)
        let rejectedReward = beta * (rejected - reference.rejected)
        let margin = chosenReward - rejectedReward
        // −log σ(m) = softplus(−m), evaluated without overflow for large |m|.
        let loss = max(-margin, 0) + log1p(exp(-abs(margin)))
        let sigmoidOfNegative = 1 / (1 + exp(margin))
        return Outcome(loss: loss, margin: margin, chosenReward: chosenReward, rejectedReward: rejectedReward,
                       chosenGradient: -beta * sigmoidOfNegative, rejectedGradient: beta * sigmoidOfNegative)
    }
}
