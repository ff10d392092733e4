/// The one error type of the `Serving` module: a rejected state change or configuration.
public enum ServingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A canary percentage outside `0 < percent ≤ 100` (or not finite).
    case invalidPercent(Double)
    /// A percentage was given for a mode other than `canary`.
    case percentNotApplicable(ServingMode)
    /// The mode serves or shadows a student, but the route has no student version.
    case missingStudent(ServingMode)
    /// A student version that is empty or only whitespace.
    case emptyStudentVersion
    /// A rollback asked for the previous student, but the route has none.
    case noPreviousStudent
    /// A configuration value out of its documented range; names the key.
    case invalidConfiguration(key: String, reason: String)

    /// A one-line message for logs and the CLI.
    public var description: String {
        switch self {
        case .invalidPercent(let percent):
            return "canary percent must be in (0, 100], got \(percent)"
        case .percentNotApplicable(let mode):
            return "a percent applies only to canary mode, not \(mode.rawValue)"
        case .missingStudent(let mode):
            return "mode \(mode.rawValue) needs a student version"
        case .emptyStudentVersion:
            return "student version must not be empty"
        case .noPreviousStudent:
            return "the route has no previous student to roll back to"
        case .invalidConfiguration(let key, let reason):
            return "invalid configuration \(key): \(reason)"
        }
    }
}
