import Engine
import Foundation

/// The arenas an optimizer updates: the whole model for full fine-tuning, or the LoRA
/// adapters alone.
public struct TrainableParameters: @unchecked Sendable {
    /// (count) the parameters, updated in place.
    public let parameters: UnsafeMutablePointer<Float>
    /// (count) their accumulated gradients.
    public let gradients: UnsafeMutablePointer<Float>
    /// Floats in each.
    public let count: Int
    /// Index ranges that get weight decay: the matrices, not the RMSNorm weights.
    public let decayedRanges: [Range<Int>]
}

/// A Llama model in f32 with parameter and gradient arenas, for training on one
/// sequence at a time: `forward` returns the masked cross-entropy loss and keeps the
/// activations; `backward` accumulates into the gradients (call `zeroGradients` between
/// optimizer steps, not between accumulated micro-batches).
///
/// Two modes: full fine-tuning (every weight has a gradient), or LoRA (`adapters` set):
/// the base weights are frozen (backward computes only input gradients through them, no
/// weight-gradient GEMMs) and only the adapters train.
public final class TrainableLlama: @unchecked Sendable {
    /// The sizes (C, L, NH, kvHeads, F, V, RoPE base, RMSNorm ε).
    public let config: LlamaConfig
    /// How the parameter (and gradient) arena is carved, with Hugging Face names.
    public let layout: ParameterLayout
    /// The parameter arena, `layout.count` floats.
    public let parameters: UnsafeMutablePointer<Float>
    /// The gradient arena (same layout); `nil` when the base is frozen (LoRA).
    public let gradients: UnsafeMutablePointer<Float>?
    /// Named views of the parameter arena.
    public let weights: ModelTensors
    /// Named views of the gradient arena; `nil` when the base is frozen.
    public let weightGradients: ModelTensors?
    /// The LoRA adapters; `nil` for full fine-tuning.
    public let adapters: LoRAAdapters?
    /// Whether `forward` adds the adapters' outputs (default true). Switch off to run the
    /// base model, e.g. for DPO reference log-probs (facts/engine.md §5.4).
    public var adaptersEnabled = true
    /// Activations of the default sequence slot, for up to `activations.rows` tokens.
    public let activations: ActivationBuffers
    /// The loss mix at positions with a teacher distribution (logprob distillation).
    public var distillationWeights = SparseDistillation.Weights()
    /// Threads for the non-GEMM kernels (softmax over the vocabulary, the optimizer);
    /// default 2, like the engine's OpenBLAS setting.
    public var threads = 2
    /// Backward scratch shared by every activation slot.
    let scratch: BackwardScratch

    /// A zero-initialised model for full fine-tuning on sequences of at most `maxRows` tokens.
    public convenience init(config: LlamaConfig, maxRows: Int) {
        // Without adapters there is nothing to validate.
        try! self.init(config: config, maxRows: maxRows, lora: nil)
    }

    /// A zero-initialised model; with `lora`, the base is frozen and adapters train.
    public init(config: LlamaConfig, maxRows: Int, lora: LoRAConfiguration?) throws {
        guard maxRows > 0 else { throw TrainingError.invalidConfiguration("maxRows must be > 0") }
        self.config = config
        layout = ParameterLayout(config: config)
        parameters = .allocate(capacity: layout.count)
        parameters.initialize(repeating: 0, count: layout.count)
        weights = layout.tensors(base: parameters, layers: config.layers)
        adapters = try lora.map { try LoRAAdapters(config: config, configuration: $0) }
        if adapters == nil {
            let gradients = UnsafeMutablePointer<Float>.allocate(capacity: layout.count)
            gradients.initialize(repeating: 0, count: layout.count)
            self.gradients = gradients
            weightGradients = layout.tensors(base: gradients, layers: config.layers)
        } else {
            gradients = nil
            weightGradients = nil
        }
        let adapterWidth = adapters?.hiddenWidth ?? 0
        activations = ActivationBuffers(config: config, rows: maxRows, adapterWidth: adapterWidth)
        scratch = BackwardScratch(config: config, rows: maxRows, adapterWidth: adapterWidth)
    }

    deinit {
        parameters.deallocate()
        gradients?.deallocate()
    }

    /// A further activation slot (for DPO's second sequence) of at most `rows` ≤
    /// `activations.rows` tokens.
    public func makeActivations(rows: Int) -> ActivationBuffers {
        precondition(rows > 0 && rows <= activations.rows, "a slot cannot outgrow the backward scratch")
        return ActivationBuffers(config: config, rows: rows, adapterWidth: adapters?.hiddenWidth ?? 0)
    }

    /// True for full fine-tuning, false when the base is frozen under LoRA adapters.
    public var trainsBaseWeights: Bool { adapters == nil }

    /// What the optimizer updates: the adapters under LoRA, otherwise every weight.
    public var trainable: TrainableParameters {
        if let adapters {
            return TrainableParameters(parameters: adapters.parameters, gradients: adapters.gradients,
                                       count: adapters.count, decayedRanges: [0..<adapters.count])
        }
        let decayed = layout.entries.filter { $0.shape[0] > 1 }.map { $0.offset..<($0.offset + $0.count) }
        // Full fine-tuning always has a gradient arena.
        return TrainableParameters(parameters: parameters, gradients: gradients ?? parameters, count: layout.count,
                                   decayedRanges: decayed)
    }

    /// Norm weights to 1, matrices uniform in ±`scale` (seeded).
    public func initializeRandomly(seed: UInt64, scale: Float = 0.1) {
        var generator = SeededGenerator(seed: seed)
        for entry in layout.entries {
            let tensor = parameters + entry.offset
            let isNorm = entry.name.hasSuffix("norm.weight")
            for i in 0..<entry.count { tensor[i] = isNorm ? 1 : Float.random(in: -scale...scale, using: &generator) }
        }
    }

    /// Sets every trainable gradient to zero, split over `threads`.
    public func zeroGradients() {
        let trainable = trainable, gradients = Disjoint(trainable.gradients)
        Parallel.forEach(trainable.count, threads: threads, minimumPerThread: 1 << 16) { range in
            (gradients.value + range.lowerBound).update(repeating: 0, count: range.count)
        }
    }
}
