/// Decides whether the student also answers a request in the background (shadow mode).
///
/// A request is sampled with probability `sampleRate`; a sampled request is dropped (and
/// counted) when the student's queue already holds `queueLimit` or more jobs, so shadow work
/// never competes with requests the student serves.
public struct ShadowSampler: Sendable, Hashable, Codable {
    /// | key | type | default | meaning |
    /// |---|---|---|---|
    /// | `sampleRate` | `Double` | `0.1` | share of eligible requests shadowed, 0…1 |
    /// | `queueLimit` | `Int` | `4` | shadow work is dropped at this student queue depth |
    public var sampleRate: Double
    /// The student queue depth at which shadow work is dropped.
    public var queueLimit: Int

    /// Creates a sampler; throws when `sampleRate` is outside 0…1 or `queueLimit` < 0.
    public init(sampleRate: Double = 0.1, queueLimit: Int = 4) throws(ServingError) {
        guard sampleRate.isFinite, (0...1).contains(sampleRate) else {
            throw .invalidConfiguration(key: "sampleRate", reason: "must be in 0...1, got \(sampleRate)")
        }
        guard queueLimit >= 0 else {
            throw .invalidConfiguration(key: "queueLimit", reason: "must be ≥ 0, got \(queueLimit)")
        }
        self.sampleRate = sampleRate
        self.queueLimit = queueLimit
    }

    /// What to do with one request.
    public enum Decision: String, Sendable, Hashable, Codable {
        /// Run the student in the background after the teacher has answered.
        case run
        /// Not in the sample.
        case notSampled = "not_sampled"
        /// Sampled, but dropped because the student is busy: count it.
        case droppedOverloaded = "dropped_overloaded"
    }

    /// Decides for one request from a uniform draw in `0..<1` and the student's queue depth.
    public func decide(unitRandom: Double, queueDepth: Int) -> Decision {
        guard unitRandom < sampleRate else { return .notSampled }
        return queueDepth >= queueLimit ? .droppedOverloaded : .run
    }

    /// Decides for one request, drawing from `generator`.
    public func decide<G: RandomNumberGenerator>(queueDepth: Int, using generator: inout G) -> Decision {
        decide(unitRandom: generator.nextUnit(), queueDepth: queueDepth)
    }
}

/// Running counts of shadow decisions, for `/metrics` ("log drops").
public struct ShadowStatistics: Sendable, Hashable, Codable {
    /// Requests shadowed.
    public private(set) var run = 0
    /// Requests not sampled.
    public private(set) var notSampled = 0
    /// Sampled requests dropped because the student was busy.
    public private(set) var dropped = 0

    /// Empty counts.
    public init() {}

    /// Counts one decision.
    public mutating func record(_ decision: ShadowSampler.Decision) {
        switch decision {
        case .run: run += 1
        case .notSampled: notSampled += 1
        case .droppedOverloaded: dropped += 1
        }
    }
}
