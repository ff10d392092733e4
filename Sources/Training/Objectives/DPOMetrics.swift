/// DPO hyper-parameters. Keys: `beta` (Float, default 0.1, TRL's), `sftWeight` (Float,
/// default 0: the weight of an NLL term on the chosen answers, TRL
/// `loss_type=["sigmoid","sft"]`, which keeps the chosen log-prob from falling).
public struct DPOSettings: Sendable, Equatable, Codable {
    /// β of the DPO loss.
    public var beta: Float
    /// Weight of the mean token NLL of the chosen answers added to the loss.
    public var sftWeight: Float

    /// Settings; the default is β = 0.1 and no SFT term.
    public init(beta: Float = 0.1, sftWeight: Float = 0) {
        self.beta = beta
        self.sftWeight = sftWeight
    }

    /// Throws when β or the SFT weight cannot work.
    public func validate() throws {
        guard beta > 0, beta.isFinite, sftWeight >= 0, sftWeight.isFinite else {
            throw TrainingError.invalidConfiguration("DPO needs beta > 0 and sftWeight ≥ 0 (got \(beta), \(sftWeight))")
        }
    }
}

/// What DPO measured over a batch of pairs (means over pairs unless said otherwise);
/// watch the chosen log-prob as well as the accuracy (facts/distillation.md §11.2).
public struct DPOMetrics: Sendable, Equatable {
    /// The objective: mean DPO loss plus `sftWeight` · `sftLoss`.
    public var loss: Float = 0
    /// Mean DPO loss −log σ(margin) alone.
    public var preferenceLoss: Float = 0
    /// Token-mean NLL of the chosen answers (reported whatever the SFT weight).
    public var sftLoss: Float = 0
    /// Share of pairs whose chosen reward exceeds the rejected one (ties count as wrong).
    public var rewardAccuracy: Float = 0
    /// Mean margin β[(lp_w − ref_w) − (lp_l − ref_l)].
    public var meanMargin: Float = 0
    /// Mean β(lp_w − ref_w).
    public var chosenReward: Float = 0
    /// Mean β(lp_l − ref_l).
    public var rejectedReward: Float = 0
    /// Mean log π(y_w | x).
    public var chosenLogProb: Float = 0
    /// Mean log π(y_l | x).
    public var rejectedLogProb: Float = 0
    /// Pairs in the batch.
    public var pairs = 0
    /// Tokens run through the model (both sequences of every pair).
    public var tokens = 0

    /// Adds one pair's figures (sums; `finish` turns them into means).
    mutating func add(_ outcome: DPOLoss.Outcome, chosen: Float, rejected: Float) {
        preferenceLoss += outcome.loss
        rewardAccuracy += outcome.margin > 0 ? 1 : 0
        meanMargin += outcome.margin
        chosenReward += outcome.chosenReward
        rejectedReward += outcome.rejectedReward
        chosenLogProb += chosen
        rejectedLogProb += rejected
        pairs += 1
    }

    /// Divides the sums by the pair count and forms the objective.
    mutating func finish(chosenTargetTokens: Int, sftWeight: Float) {
        let n = Float(max(pairs, 1))
        preferenceLoss /= n; rewardAccuracy /= n; meanMargin /= n
        chosenReward /= n; rejectedReward /= n; chosenLogProb /= n; rejectedLogProb /= n
        sftLoss = -chosenLogProb * n / Float(max(chosenTargetTokens, 1))
        loss = preferenceLoss + sftWeight * sftLoss
    }
}

/// What one DPO optimizer step did.
public struct DPOStepReport: Sendable, Equatable {
    /// The batch's metrics, measured before the update.
    public var metrics: DPOMetrics
    /// Global gradient norm before clipping.
    public var gradientNorm: Float
    /// The learning rate used.
    public var learningRate: Float
}
