import ChatAPI
import Corpus
import Foundation
import Training

/// Final figures of a run, stored with the run and its student version.
struct RunSummary {
    /// Optimizer steps of the run.
    var steps: Int
    /// Tokens trained on by this process (a resumed run counts from its resume).
    var tokens: Int
    /// `tokens` over `wallSeconds`.
    var tokensPerSecond: Double
    /// Seconds this process spent in the loop.
    var wallSeconds: Double
    /// Mean loss over the last (up to) ten steps.
    var finalLoss: Double
    /// The last step's other figures (reward accuracy, margins for DPO).
    var last: [(key: String, value: JSONValue)]
    /// Examples (sequences or pairs) in the frozen dataset.
    var examples = 0
    /// The epoch choice of a run that validates its epochs (``EpochValidation/json``).
    var validation: JSONValue?
    /// The exported GGUF's loss beside the trained weights' (``TrainingJob/exportCheck``).
    var exportCheck: JSONValue?

    /// These figures plus the dataset's size.
    func merging(dataset: FrozenDataset) -> RunSummary {
        var copy = self
        copy.examples = dataset.lengths.count
        return copy
    }

    /// The figures as stored with the run and the version.
    var json: JSONValue {
        let extra = last.filter { !["loss", "learning_rate", "gradient_norm", "target_tokens"].contains($0.key) }
        return .object([("final_loss", .double(finalLoss)), ("steps", .int(steps)), ("tokens", .int(tokens)),
                        ("tokens_per_second", .double(tokensPerSecond)), ("wall_seconds", .double(wallSeconds)),
                        ("examples", .int(examples))] + extra + (validation?.objectValue ?? [])
                       + (exportCheck.map { [("export_check", $0)] } ?? []))
    }
}

extension TrainingJob {
    /// Steps until `total`, resuming from the checkpoint if there is one; records a metric
    /// point per step and writes a checkpoint every `checkpoint_every` steps. With a
    /// `validation`, each epoch's end (and the last step) is validated and the loop stops at
    /// the first epoch that does not improve.
    func trainLoop(_ objective: RunObjective, model: TrainableLlama, plan: BatchPlan, total: Int,
                   validation: EpochValidation?) throws -> RunSummary {
        var cursor = DataCursor()
        if FileManager.default.fileExists(atPath: workspace.checkpoint) {
            let state = try Checkpoint.restore(workspace.checkpoint, parameters: model.trainable.parameters,
                                               optimizer: objective.optimizer)
            objective.fastForward(to: state.step)
            cursor = state.cursor
        }
        var progress = TrainingProgress(total: total, firstStep: objective.step)
        if objective.step > 0 { progress.note("resuming run \(run.id) at step \(objective.step)/\(total)") }
        let started = Date()
        var tokens = 0, recentLosses: [Float] = [], last: [(key: String, value: JSONValue)] = []
        while objective.step < total {
            let (indices, next) = plan.batch(at: cursor)
            let figures = objective.train(indices)
            cursor = next
            tokens += figures.tokens
            recentLosses = Array((recentLosses + [figures.loss]).suffix(10))
            last = figures.values
            progress.update(step: objective.step, tokens: figures.tokens, loss: figures.loss)
            if objective.step % 10 == 1 { Self.lowerPriority() }
            var values = figures.values + [("tokens", .int(figures.tokens)), ("tokens_per_second", .double(progress.tokensPerSecond)),
                                           ("epoch", .int(cursor.epoch))]
            var improved = true
            if let validation, next.position >= plan.lengths.count || objective.step == total {
                let epoch = cursor.epoch + 1, measured = try validation.endOfEpoch(epoch, step: objective.step)
                improved = measured.improved
                values.append(("validation_loss", .double(measured.loss)))
                progress.note(String(format: "epoch %d: validation loss %.4f", epoch, measured.loss)
                    + (improved ? "" : "; epoch \(validation.best?.epoch ?? 0) stays the best, stopping"))
            }
            try store.recordMetric(runID: run.id, step: objective.step, values: .object(values))
            if !improved { break }
            if objective.step % settings.checkpointEvery == 0, objective.step < total {
                try saveCheckpoint(objective, model: model, cursor: cursor)
            }
        }
        let wall = Date().timeIntervalSince(started)
        let meanLoss = recentLosses.isEmpty ? 0 : Double(recentLosses.reduce(0, +)) / Double(recentLosses.count)
        return RunSummary(steps: objective.step, tokens: tokens, tokensPerSecond: Double(tokens) / max(wall, 1e-3),
                          wallSeconds: wall, finalLoss: meanLoss, last: last)
    }

    private func saveCheckpoint(_ objective: RunObjective, model: TrainableLlama, cursor: DataCursor) throws {
        let trainable = model.trainable
        let state = CheckpointState(step: objective.step, cursor: cursor, optimizerSteps: objective.optimizer.stepCount,
                                    parameterCount: trainable.count, notes: ["run_id": run.id, "kind": settings.kind.rawValue])
        try Checkpoint.write(state, parameters: trainable.parameters, optimizer: objective.optimizer, to: workspace.checkpoint)
    }
}
