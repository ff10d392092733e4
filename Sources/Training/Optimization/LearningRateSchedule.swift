import Foundation

/// Linear warm-up then cosine decay, as Hugging Face `get_cosine_schedule_with_warmup`
/// (with an optional floor): the rate at 0-based `step` is
/// `peak · step / warmup` while `step < warmup`, then
/// `floor + (peak − floor) · ½(1 + cos(π · progress))`, progress = (step − warmup) / (total − warmup), clamped to 1.
public struct LearningRateSchedule: Sendable, Equatable {
    /// The rate reached at the end of warm-up.
    public var peak: Float
    /// Steps of linear warm-up (0 for none).
    public var warmupSteps: Int
    /// Steps in the whole run; the rate reaches `floor` here.
    public var totalSteps: Int
    /// The rate at the end of the cosine (default 0).
    public var floor: Float

    /// A schedule; throws when the step counts or rates cannot work.
    public init(peak: Float, warmupSteps: Int, totalSteps: Int, floor: Float = 0) throws {
        guard peak > 0, floor >= 0, floor <= peak, warmupSteps >= 0, totalSteps > warmupSteps else {
            throw TrainingError.invalidConfiguration(
                "schedule needs peak > 0, 0 ≤ floor ≤ peak, 0 ≤ warmup < total (got \(warmupSteps), \(totalSteps))")
        }
        self.peak = peak
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
        self.floor = floor
    }

    /// The learning rate for 0-based optimizer step `step`.
    public func rate(at step: Int) -> Float {
        if step < warmupSteps { return peak * Float(step) / Float(warmupSteps) }
        let progress = min(1, Double(step - warmupSteps) / Double(totalSteps - warmupSteps))
        return floor + (peak - floor) * Float(0.5 * (1 + cos(Double.pi * progress)))
    }
}
