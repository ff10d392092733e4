import Serving

/// The `serving` section of the configuration: how the student is checked, shadowed,
/// gated, rolled back and promoted. Every key is optional.
///
/// | key | type | default | meaning |
/// |---|---|---|---|
/// | `poll_interval_ms` | int | 1000 | how often the gateway re-reads serving states (changes made by `retort serving set`) and runs rollback/promotion |
/// | `student_timeout_ms` | int | 30000 | a student answer not complete by then falls back to the teacher |
/// | `student_queue_limit` | int | 8 | a student-bound request goes to the teacher when this many served generations wait or run (shadow runs wait behind them and do not count) |
/// | `stream_check_tokens` | int or null | null | for a stream, check only the first N tokens before the response head (then stream the rest live; a later failure can no longer fall back); null: generate and check the whole answer first |
/// | `exploration_rate` | number 0…1 | 0 | share of student-bound requests kept on the teacher for fresh labels |
/// | `shadow_sample_rate` | number 0…1 | 0.1 | share of shadow-mode requests the student also answers |
/// | `shadow_queue_limit` | int | 4 | shadow work is dropped (and counted) at this student queue depth, served and shadow together |
/// | `confidence_quantile` | number 0…1 | 0.1 | the low quantile of token probabilities used as confidence |
/// | `minimum_confidence` | number 0…1 or null | 0.1 | fall back when the confidence is below; null: off |
/// | `shadow_agreement_f1` | number 0…1 | 0.8 | a shadow answer with token F1 ≥ this against the teacher's is judged a tie, else a loss |
/// | `auto_promote` | bool | false | admit gate-passing versions into shadow and promote shadow → canary → student on evidence |
/// | `evaluate_after_training` | bool | true | every successful training run scores its version on each teacher route's held-out rows at once (in the training process), so the gate result is there for `auto_promote` with no command typed |
/// | `gate` | object | see ``QualityGateThresholds`` (snake_case keys), plus `minimum_coverage` (0.2) and `minimum_router_samples` (20) of the selective gate | the quality gate |
/// | `router_exploration_rate` | number 0…1 | 0.05 | share of the prompts a learned router turns away that the student still answers in the background (judged, stored as `router_exploration`, never served) so the router's labels cover where it was too cautious |
/// | `max_quality_loss` | number 0…1 | 0.01 | how much the served mix (student where the learned router sends it, teacher elsewhere) may lose against the teacher alone, on held-out rows: the router's threshold is calibrated to it |
/// | `rollback` | object | see ``RollbackConfiguration`` (snake_case keys) | automatic rollback |
/// | `rollout` | object | see ``RolloutConfiguration`` (snake_case keys) | automatic promotion |
public struct ServingSettings: Sendable, Decodable {
    /// Re-read interval for serving states, in milliseconds.
    public var pollIntervalMs = 1000
    /// Student answer deadline, in milliseconds.
    public var studentTimeoutMs = 30_000
    /// Student queue depth at which student-bound requests go to the teacher.
    public var studentQueueLimit = 8
    /// Tokens of a stream checked before the head; nil: the whole answer.
    public var streamCheckTokens: Int?
    /// Share of student-bound requests kept on the teacher.
    public var explorationRate = 0.0
    /// Share of shadow-mode requests shadowed.
    public var shadowSampleRate = 0.1
    /// Queue depth at which shadow work is dropped.
    public var shadowQueueLimit = 4
    /// Confidence quantile.
    public var confidenceQuantile = 0.1
    /// Confidence threshold; nil: off.
    public var minimumConfidence: Double? = 0.1
    /// Token F1 for a shadow answer to count as agreeing with the teacher.
    public var shadowAgreementF1 = 0.8
    /// Whether promotion is automatic.
    public var autoPromote = false
    /// Share of router-declined prompts the student answers in the background anyway.
    public var routerExplorationRate = 0.05
    /// Whether a successful training run is evaluated on each teacher route at once.
    public var evaluateAfterTraining = true
    /// Quality-gate thresholds.
    public var gate = QualityGateThresholds()
    /// The selective gate: the quality target of routed traffic and the coverage it must reach.
    public var selectiveGate = SelectiveGateThresholds()
    /// Rollback settings.
    public var rollback = RollbackConfiguration()
    /// Promotion settings.
    public var rollout = RolloutConfiguration()

    /// The defaults.
    public init() {}

    /// Decodes the section; missing keys keep their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: SettingKey.self)
        pollIntervalMs = try c.value("poll_interval_ms", pollIntervalMs)
        studentTimeoutMs = try c.value("student_timeout_ms", studentTimeoutMs)
        studentQueueLimit = try c.value("student_queue_limit", studentQueueLimit)
        streamCheckTokens = try c.optionalValue("stream_check_tokens", streamCheckTokens)
        explorationRate = try c.value("exploration_rate", explorationRate)
        shadowSampleRate = try c.value("shadow_sample_rate", shadowSampleRate)
        shadowQueueLimit = try c.value("shadow_queue_limit", shadowQueueLimit)
        confidenceQuantile = try c.value("confidence_quantile", confidenceQuantile)
        minimumConfidence = try c.optionalValue("minimum_confidence", minimumConfidence)
        shadowAgreementF1 = try c.value("shadow_agreement_f1", shadowAgreementF1)
        autoPromote = try c.value("auto_promote", autoPromote)
        evaluateAfterTraining = try c.value("evaluate_after_training", evaluateAfterTraining)
        routerExplorationRate = try c.value("router_exploration_rate", routerExplorationRate)
        let gateSection = try c.decodeIfPresent(GateSettings.self, forKey: SettingKey("gate"))
        gate = gateSection?.value ?? gate
        selectiveGate = gateSection?.selective ?? selectiveGate
        selectiveGate.maxQualityLoss = try c.value("max_quality_loss", selectiveGate.maxQualityLoss)
        guard (0...1).contains(routerExplorationRate), (0...1).contains(selectiveGate.maxQualityLoss),
              (0...1).contains(selectiveGate.minimumCoverage) else {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription:
                "router_exploration_rate, max_quality_loss and gate.minimum_coverage must be in 0...1"))
        }
        rollback = try c.decodeIfPresent(RollbackSettings.self, forKey: SettingKey("rollback")).map(\.value) ?? rollback
        rollout = try c.decodeIfPresent(RolloutSettings.self, forKey: SettingKey("rollout")).map(\.value) ?? rollout
        do {
            _ = try routerConfiguration()
            _ = try answerCheckConfiguration()
            _ = try agreementJudge()
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: error.description))
        }
    }

    /// The router's configuration.
    public func routerConfiguration() throws(ServingError) -> RouterConfiguration {
        try RouterConfiguration(explorationRate: explorationRate, streamCheckTokens: streamCheckTokens,
                                shadow: ShadowSampler(sampleRate: shadowSampleRate, queueLimit: shadowQueueLimit))
    }

    /// The answer checks' configuration.
    public func answerCheckConfiguration() throws(ServingError) -> AnswerCheckConfiguration {
        try AnswerCheckConfiguration(confidenceQuantile: confidenceQuantile, minimumConfidence: minimumConfidence)
    }
}

extension ServingSettings {
    /// The judge of shadow answers against the teacher's (`shadow_agreement_f1`).
    public func agreementJudge() throws(ServingError) -> AgreementJudge {
        do {
            return try AgreementJudge(minimumF1: shadowAgreementF1)
        } catch {
            throw .invalidConfiguration(key: "shadow_agreement_f1", reason: "must be in 0...1, got \(shadowAgreementF1)")
        }
    }
}

/// A configuration key by name.
struct SettingKey: CodingKey {
    /// The key's name.
    let stringValue: String
    /// Keys are never integers.
    var intValue: Int? { nil }
    /// The key named `name`.
    init(_ name: String) { stringValue = name }
    /// The key named `stringValue`.
    init?(stringValue: String) { self.stringValue = stringValue }
    /// Never: keys are names.
    init?(intValue: Int) { nil }
}

extension KeyedDecodingContainer where Key == SettingKey {
    /// The value at `key`, or `fallback` when absent.
    func value<T: Decodable>(_ key: String, _ fallback: T) throws -> T {
        try decodeIfPresent(T.self, forKey: SettingKey(key)) ?? fallback
    }

    /// Throws a configuration error naming `key` unless `ok`: the value must be `rule`.
    func require(_ ok: Bool, _ key: String, _ rule: String, got value: Any) throws {
        guard !ok else { return }
        throw DecodingError.dataCorruptedError(forKey: SettingKey(key), in: self, debugDescription: "must be \(rule), got \(value)")
    }

    /// The value at `key`; `null` gives nil, absence gives `fallback`.
    func optionalValue<T: Decodable>(_ key: String, _ fallback: T?) throws -> T? {
        guard contains(SettingKey(key)) else { return fallback }
        return try decodeIfPresent(T.self, forKey: SettingKey(key))
    }
}
