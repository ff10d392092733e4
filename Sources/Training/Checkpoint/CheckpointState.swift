/// Where a run stands when a checkpoint is written: enough, with the saved parameters and
/// optimizer moments, to continue exactly as if it had never stopped.
public struct CheckpointState: Sendable, Equatable, Codable {
    /// Optimizer steps completed (the next step's schedule index).
    public var step: Int
    /// The next batch's position in the data.
    public var cursor: DataCursor
    /// AdamW's step count (t in its bias corrections).
    public var optimizerSteps: Int
    /// Floats of trainable parameters saved (the whole model, or the LoRA adapters).
    public var parameterCount: Int
    /// Free-form facts the run wants back (its id, kind, settings hash, running sums).
    public var notes: [String: String]

    /// A state.
    public init(step: Int, cursor: DataCursor, optimizerSteps: Int, parameterCount: Int, notes: [String: String] = [:]) {
        self.step = step
        self.cursor = cursor
        self.optimizerSteps = optimizerSteps
        self.parameterCount = parameterCount
        self.notes = notes
    }
}
