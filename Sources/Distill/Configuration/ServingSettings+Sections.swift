import Serving

/// `serving.gate`: ``QualityGateThresholds`` with snake_case keys
/// (`minimum_samples`, `minimum_exact_match`, `minimum_token_f1`, `minimum_json_validity`,
/// `maximum_json_regression`, `require_judge`, `minimum_judged`, `judge_margin`), and the
/// selective gate's `minimum_coverage` and `minimum_router_samples`.
struct GateSettings: Decodable {
    /// The thresholds read.
    var value = QualityGateThresholds()
    /// The selective gate's coverage and sample thresholds read (its quality target is
    /// `serving.max_quality_loss`).
    var selective = SelectiveGateThresholds()

    /// Reads the section; missing keys keep their defaults.
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: SettingKey.self)
        value.minimumSamples = try c.value("minimum_samples", value.minimumSamples)
        value.minimumExactMatch = try c.optionalValue("minimum_exact_match", value.minimumExactMatch)
        value.minimumTokenF1 = try c.optionalValue("minimum_token_f1", value.minimumTokenF1)
        value.minimumJSONValidity = try c.value("minimum_json_validity", value.minimumJSONValidity)
        value.maximumJSONRegression = try c.value("maximum_json_regression", value.maximumJSONRegression)
        value.requireJudge = try c.value("require_judge", value.requireJudge)
        value.minimumJudged = try c.value("minimum_judged", value.minimumJudged)
        value.judgeMargin = try c.value("judge_margin", value.judgeMargin)
        selective.minimumCoverage = try c.value("minimum_coverage", selective.minimumCoverage)
        selective.minimumSamples = try c.value("minimum_router_samples", selective.minimumSamples)
    }
}

/// `serving.rollback`: ``RollbackConfiguration`` with snake_case keys.
struct RollbackSettings: Decodable {
    /// The settings read.
    var value = RollbackConfiguration()

    /// Reads the section; missing keys keep their defaults.
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: SettingKey.self)
        value.windowSize = try c.value("window_size", value.windowSize)
        value.windowSeconds = try c.optionalValue("window_seconds", value.windowSeconds)
        value.minimumRatings = try c.value("minimum_ratings", value.minimumRatings)
        value.maximumDownRate = try c.value("maximum_down_rate", value.maximumDownRate)
        value.minimumJudged = try c.value("minimum_judged", value.minimumJudged)
        value.minimumJudgedWinRate = try c.optionalValue("minimum_judged_win_rate", value.minimumJudgedWinRate)
        value.minimumRequests = try c.value("minimum_requests", value.minimumRequests)
        value.maximumFallbackRate = try c.value("maximum_fallback_rate", value.maximumFallbackRate)
        value.cooldownSeconds = try c.value("cooldown_seconds", value.cooldownSeconds)
    }
}

/// `serving.rollout`: ``RolloutConfiguration`` with snake_case keys.
struct RolloutSettings: Decodable {
    /// The settings read.
    var value = RolloutConfiguration()

    /// Reads the section; missing keys keep their defaults.
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: SettingKey.self)
        value.canaryPercent = try c.value("canary_percent", value.canaryPercent)
        value.minimumShadowSeconds = try c.value("minimum_shadow_seconds", value.minimumShadowSeconds)
        value.minimumShadowJudged = try c.value("minimum_shadow_judged", value.minimumShadowJudged)
        value.minimumCanarySeconds = try c.value("minimum_canary_seconds", value.minimumCanarySeconds)
        value.minimumCanaryRatings = try c.value("minimum_canary_ratings", value.minimumCanaryRatings)
        value.ratingMargin = try c.value("rating_margin", value.ratingMargin)
        value.minimumCanaryJudged = try c.value("minimum_canary_judged", value.minimumCanaryJudged)
        value.judgeMargin = try c.value("judge_margin", value.judgeMargin)
    }
}
