import Logging

/// Failures of decisions an operator relies on (a rollback or promotion that could not be
/// stored, an automatic training run that could not start): logged with their context and
/// counted in `retort_distill_errors_total{operation}`, never swallowed.
public struct OperatorErrors: Sendable {
    let logger: Logger
    let metrics: any MetricsRecorder

    /// Reports through `logger` and counts in `metrics`.
    public init(logger: Logger = Logger(label: "retort.distill"), metrics: any MetricsRecorder) {
        self.logger = logger
        self.metrics = metrics
    }

    /// Logs `error` from `operation` (e.g. `rollback`) with `context` and counts it.
    public func report(_ error: any Error, operation: String, context: String) {
        logger.error("\(operation) failed: \(context): \(error)")
        metrics.increment("retort_distill_errors_total", [("operation", operation)],
                          help: "Failed serving and training operations (rollback, promotion, admission, training start), by operation.")
    }

    /// Runs `body`; an error is reported as `operation` with `context` and nil returned.
    @discardableResult
    public func attempt<T>(_ operation: String, _ context: @autoclosure () -> String, _ body: () throws -> T) -> T? {
        do { return try body() } catch {
            report(error, operation: operation, context: context())
            return nil
        }
    }
}
