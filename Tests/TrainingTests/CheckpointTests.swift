import Engine
import Foundation
import Testing
@testable import Training

@Suite struct CheckpointTests {
    private func tinyConfig() -> LlamaConfig {
        LlamaConfig(channels: 32, layers: 1, heads: 2, kvHeads: 1, feedForward: 64, vocabularySize: 40, contextLength: 64)
    }

    private func batches() -> [[TrainingSequence]] {
        (0..<6).map { (step: Int) -> [TrainingSequence] in
            let tokens: [Int32] = (0..<10).map { Int32(($0 * 7 + step) % 40) }
            let targets: [Int32] = (0..<10).map { (t: Int) -> Int32 in t < 4 ? CrossEntropy.ignored : Int32((t * 3 + step) % 40) }
            return [TrainingSequence(tokens: tokens, targets: targets)]
        }
    }

    private func trainer() throws -> Trainer {
        let model = TrainableLlama(config: tinyConfig(), maxRows: 16)
        model.initializeRandomly(seed: 5)
        return try Trainer(model: model, schedule: try LearningRateSchedule(peak: 1e-2, warmupSteps: 2, totalSteps: 6))
    }

    @Test func aResumedRunMatchesAnUninterruptedOneExactly() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ckpt-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let straight = try trainer()
        let straightLosses = batches().map { straight.step(batch: $0).loss }

        let first = try trainer()
        for batch in batches().prefix(3) { _ = first.step(batch: batch) }
        let trainable = first.model.trainable
        let state = CheckpointState(step: first.step, cursor: DataCursor(epoch: 0, position: 3),
                                    optimizerSteps: first.optimizer.stepCount, parameterCount: trainable.count,
                                    notes: ["run": "r1"])
        try Checkpoint.write(state, parameters: trainable.parameters, optimizer: first.optimizer, to: path)

        let resumed = try trainer()
        let restored = try Checkpoint.restore(path, parameters: resumed.model.trainable.parameters, optimizer: resumed.optimizer)
        let header = try Checkpoint.readState(path)
        #expect(restored == state && header == state)
        resumed.fastForward(to: restored.step)
        let resumedLosses = batches().suffix(3).map { resumed.step(batch: $0).loss }
        #expect(resumedLosses == Array(straightLosses.suffix(3)))
        #expect((0..<trainable.count).allSatisfy { resumed.model.parameters[$0] == straight.model.parameters[$0] })
    }

    @Test func corruptOrMismatchedCheckpointsAreRefused() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ckpt-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let source = try trainer()
        let trainable = source.model.trainable
        let state = CheckpointState(step: 0, cursor: DataCursor(), optimizerSteps: 0, parameterCount: trainable.count)
        try Checkpoint.write(state, parameters: trainable.parameters, optimizer: source.optimizer, to: path)
        // A model of another size: refused before anything is copied.
        let other = try AdamW(count: trainable.count + 1)
        let otherParameters = [Float](repeating: 0, count: trainable.count + 1)
        #expect(throws: TrainingError.self) {
            try otherParameters.withUnsafeBufferPointer {
                try Checkpoint.restore(path, parameters: UnsafeMutablePointer(mutating: $0.baseAddress!), optimizer: other)
            }
        }
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        bytes.removeLast(4)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let target = try trainer()
        #expect(throws: TrainingError.self) {
            try Checkpoint.restore(path, parameters: target.model.trainable.parameters, optimizer: target.optimizer)
        }
        try Data("not a checkpoint at all".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: TrainingError.self) { try Checkpoint.readState(path) }
    }
}
