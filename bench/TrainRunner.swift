import Engine
import Foundation
import Training

/// Builds the model for one `TrainMode` and times its steps.
struct TrainRunner {
    /// The GGUF path; the file is mapped only while the model loads, so its pages do not
    /// count in the training peak RSS.
    let path: String
    /// The model's sizes.
    let config: LlamaConfig
    /// Tokens per step (DPO: two sequences of half this).
    let tokens: Int
    /// LoRA rank.
    let rank: Int
    /// Masked-out prompt tokens at the start of each SFT sequence (no logits there).
    let prompt: Int

    /// Tokens with a target in an SFT sequence, and in each DPO sequence (a quarter is prompt).
    var sftTargets: Int { tokens - prompt }
    /// Tokens with a target in each DPO sequence.
    var dpoTargets: Int { tokens / 2 - tokens / 8 }

    /// Median wall and process-CPU seconds of one step of `mode` over `steps` steps after
    /// `warmup`, and the peak RSS (MB) while the model was alive.
    func measure(_ mode: TrainMode, steps: Int, warmup: Int) throws -> (wall: Double, cpu: Double, peakMB: Int) {
        let step = try makeStep(mode)
        for _ in 0..<warmup { step() }
        let times = (0..<steps).map { _ in EngineBench.time(step) }
        let wall = times.map(\.wall).sorted()[times.count / 2], cpu = times.map(\.cpu).sorted()[times.count / 2]
        return (wall, cpu, EngineBench.peakResidentMegabytes() ?? 0)
    }

    /// FLOPs per token of `mode` (facts/engine.md §5.1).
    func flopsPerToken(_ mode: TrainMode) -> Double {
        let flops = TrainFlops(config: config)
        let sftShare = Double(sftTargets) / Double(tokens), dpoShare = Double(dpoTargets) / Double(tokens / 2)
        switch mode {
        case .full: return flops.full(rows: tokens, targetShare: sftShare)
        case .lora: return flops.lora(rows: tokens, targetShare: sftShare, rank: rank)
        case .dpo: return flops.lora(rows: tokens / 2, targetShare: dpoShare, rank: rank)
        case .reference: return flops.forward(rows: tokens, targetShare: 1)
        }
    }

    /// Natural-text token ids, `count` of them.
    func text(_ count: Int, offset: Int = 0) -> [Int32] {
        let words = "the quick brown fox jumps over the lazy dog while a trainer measures how fast it learns"
            .split(separator: " ")
        var ids: [Int32] = []
        var i = offset
        while ids.count < count {
            // Token ids from the words' bytes: any valid ids do for timing.
            for byte in words[i % words.count].utf8 where ids.count < count {
                ids.append(Int32((Int(byte) * 131 + i) % config.vocabularySize))
            }
            i += 1
        }
        return ids
    }

    /// A sequence of `count` tokens whose targets are the next tokens after `prompt` positions.
    func sequence(_ count: Int, prompt: Int = 0, offset: Int = 0) -> TrainingSequence {
        let ids = text(count + 1, offset: offset)
        let targets = (0..<count).map { $0 < prompt ? CrossEntropy.ignored : ids[$0 + 1] }
        return TrainingSequence(tokens: Array(ids.prefix(count)), targets: targets)
    }

    private func makeStep(_ mode: TrainMode) throws -> () -> Void {
        let lora = mode == .full ? nil : LoRAConfiguration(rank: rank, alpha: Float(2 * rank))
        let rows = mode == .dpo ? tokens / 2 : tokens
        let model = try TrainableLlama(file: GGUFFile(path: path), maxRows: rows, lora: lora)
        let schedule = try LearningRateSchedule(peak: 1e-5, warmupSteps: 0, totalSteps: 1_000)
        switch mode {
        case .full, .lora:
            let trainer = try Trainer(model: model, schedule: schedule)
            let batch = [sequence(tokens, prompt: prompt)]
            return { _ = trainer.step(batch: batch) }
        case .dpo:
            let trainer = try DPOTrainer(model: model, schedule: schedule)
            let prompt = rows - dpoTargets
            let pair = PreferencePair(chosen: sequence(rows, prompt: prompt), rejected: sequence(rows, prompt: prompt, offset: 3))
            let reference = try trainer.referenceLogProbs(for: pair)
            return { _ = trainer.step(batch: [pair], references: [reference]) }
        case .reference:
            model.adaptersEnabled = false
            let sequence = sequence(tokens)
            return { model.forward(tokens: sequence.tokens, targets: sequence.targets) }
        }
    }
}
