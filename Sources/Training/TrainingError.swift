/// Errors from training: bad configuration or data, with what was wrong.
public enum TrainingError: Error, Sendable, Equatable {
    /// A hyper-parameter or shape that cannot work, naming it.
    case invalidConfiguration(String)
}
