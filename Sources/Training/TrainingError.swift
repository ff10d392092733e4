/// Errors from training: bad configuration or data, with what was wrong.
public enum TrainingError: Error, Sendable, Equatable {
    /// A hyper-parameter or shape that cannot work, naming it.
    case invalidConfiguration(String)
    /// A file that cannot be read or written as needed (checkpoint, export): its path and why.
    case invalidFile(path: String, reason: String)
    /// A model file the trainer cannot start from: the tensor and what is wrong with it.
    case unsupportedModel(tensor: String, reason: String)
}
