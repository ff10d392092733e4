import ChatAPI
import Foundation
import Training

/// How an SFT run without a fixed `epochs` chooses its epoch count: after each epoch the
/// loss on the validation slice of the train split is measured; the parameters of the best
/// epoch so far are kept on disk, and the run stops at the first epoch that does not
/// improve on it (or at `max_epochs`) and ends with the best epoch's parameters.
///
/// The history and the best parameters live in the run's directory, so a resumed run
/// continues the comparison where it stopped (an epoch validated twice, before and after a
/// crash, is recorded once).
final class EpochValidation {
    /// One validated epoch.
    struct Point: Codable, Equatable {
        /// 1-based epoch (a run cut short by `max_steps` validates its partial last epoch).
        var epoch: Int
        /// Optimizer steps taken when it was measured.
        var step: Int
        /// Mean loss per target token on the validation slice.
        var loss: Double
    }

    /// The validation sequences.
    let sequences: [TrainingSequence]
    /// The trainer whose model is measured (and whose parameters are kept).
    let trainer: Trainer
    /// Where the history and the best parameters are kept.
    let workspace: RunWorkspace
    /// Every validated epoch, in order.
    private(set) var points: [Point] = []

    /// Validation of `trainer`'s model on `sequences`, continuing the history stored in `workspace`.
    init(sequences: [TrainingSequence], trainer: Trainer, workspace: RunWorkspace) throws {
        self.sequences = sequences
        self.trainer = trainer
        self.workspace = workspace
        if let data = FileManager.default.contents(atPath: workspace.validation) {
            points = try JSONDecoder().decode([Point].self, from: data)
        }
    }

    /// The epoch with the lowest validation loss.
    var best: Point? { points.min { $0.loss < $1.loss } }

    /// Measures the validation loss at the end of `epoch`, keeps the parameters when it is
    /// the best so far, and says whether it improved on every earlier epoch (training stops
    /// at the first that did not).
    func endOfEpoch(_ epoch: Int, step: Int) throws -> (loss: Double, improved: Bool) {
        let loss = Double(trainer.validationLoss(sequences))
        points.removeAll { $0.epoch >= epoch }  // measured before a crash and a resume
        let improved = best.map { loss < $0.loss } ?? true
        if improved { try saveParameters(trainer.model.trainable) }
        points.append(Point(epoch: epoch, step: step, loss: loss))
        try AtomicFile.write(workspace.validation, bytes: Array(try JSONEncoder().encode(points)))
        return (loss, improved)
    }

    /// Puts the best epoch's parameters back into the model (nothing when the last
    /// validated epoch is the best: the model holds them already).
    func restoreBest() throws {
        let trainable = trainer.model.trainable
        guard let best, best != points.last else { return }
        guard let data = FileManager.default.contents(atPath: workspace.bestParameters),
              data.count == trainable.count * MemoryLayout<Float>.size
        else { throw TrainingRunError("the run's best parameters \(workspace.bestParameters) are missing or truncated") }
        data.withUnsafeBytes { raw in
            trainable.parameters.update(from: raw.bindMemory(to: Float.self).baseAddress!, count: trainable.count)
        }
    }

    /// The figures stored with the run: each epoch's loss and the one chosen.
    var json: JSONValue {
        .object([("chosen_epoch", best.map { .int($0.epoch) } ?? .null),
                 ("epochs_trained", .int(points.last?.epoch ?? 0)),
                 ("validation_examples", .int(sequences.count)),
                 ("validation_losses", .array(points.map { .double($0.loss) }))])
    }

    private func saveParameters(_ trainable: TrainableParameters) throws {
        let bytes = UnsafeRawBufferPointer(start: trainable.parameters, count: trainable.count * MemoryLayout<Float>.size)
        try AtomicFile.write(workspace.bestParameters, bytes: Array(bytes))
    }
}
