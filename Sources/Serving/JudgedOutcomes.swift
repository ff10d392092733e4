/// One pairwise judgment of the student's answer against the teacher's.
public enum Judgment: String, Sendable, Hashable, Codable, CaseIterable {
    /// The student's answer is better.
    case win
    /// Neither is better (identical answers are ties).
    case tie
    /// The teacher's answer is better.
    case loss
}

/// Counts of pairwise judgments; a tie scores ½, as in the judge design of distillation.md §12.
public struct JudgedOutcomes: Sendable, Hashable, Codable {
    /// Student wins.
    public var wins: Int
    /// Ties.
    public var ties: Int
    /// Student losses.
    public var losses: Int

    /// Creates counts.
    public init(wins: Int = 0, ties: Int = 0, losses: Int = 0) {
        self.wins = wins
        self.ties = ties
        self.losses = losses
    }

    /// Counts one judgment.
    public mutating func record(_ judgment: Judgment) {
        switch judgment {
        case .win: wins += 1
        case .tie: ties += 1
        case .loss: losses += 1
        }
    }

    /// All judgments.
    public var count: Int { wins + ties + losses }

    /// `(wins + ties/2) / count`; nil when there are none.
    public var winRate: Double? {
        guard count > 0 else { return nil }
        return (Double(wins) + 0.5 * Double(ties)) / Double(count)
    }

    /// The lower end of the two-sided 95% normal-approximation interval of the mean score
    /// (scores 1, ½, 0; sample variance). Nil for no judgments; 0 for one, which says nothing.
    public var winRateLowerBound: Double? {
        guard let mean = winRate else { return nil }
        guard count > 1 else { return 0 }
        let squares = Double(wins) * (1 - mean) * (1 - mean)
            + Double(ties) * (0.5 - mean) * (0.5 - mean)
            + Double(losses) * mean * mean
        let variance = squares / Double(count - 1)
        return max(0, mean - 1.96 * (variance / Double(count)).squareRoot())
    }
}
