import Engine

/// The adapters of the matrices of one block that read the same input (q, k, v; o;
/// gate, up; down). Their A matrices are stacked into one (members · r, K) matrix, so the
/// down-projection of the shared input is one GEMM, not one skinny GEMM per matrix
/// (facts/engine.md §5.3).
public struct AdapterGroup: @unchecked Sendable {
    /// The adapted matrices, in stacking order.
    public let members: [LoRATarget]
    /// K: the width of the shared input.
    public let inputs: Int
    /// N of each member: the width of its output.
    public let outputs: [Int]
    /// (members · r, K) the stacked A matrices; member i's A is rows i·r ..< (i+1)·r.
    public let down: UnsafeMutablePointer<Float>
    /// Its gradient, same shape.
    public let downGradient: UnsafeMutablePointer<Float>
    /// Each member's B, (N_i, r).
    public let ups: [UnsafeMutablePointer<Float>]
    /// Their gradients.
    public let upGradients: [UnsafeMutablePointer<Float>]
    /// Where this group's hidden activations start among the block's, in units of r-wide columns · rows.
    let hiddenOffset: Int

    /// members · r: the width of the group's hidden activation.
    public func width(rank: Int) -> Int { members.count * rank }
}

/// LoRA adapters on every block of a model (Hu et al.; PEFT `lora.Linear`): for each
/// targeted matrix W (N, K), `y = x·Wᵀ + (α/r)·(x·Aᵀ)·Bᵀ` with A (r, K), B (N, r).
/// Parameters and gradients live in their own small arenas, so the optimizer touches
/// only them. Tensor names follow PEFT's saved adapters
/// (`base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight`).
public final class LoRAAdapters: @unchecked Sendable {
    /// Rank, α, targets.
    public let configuration: LoRAConfiguration
    /// Named tensors of both arenas.
    public let entries: [ParameterLayout.Entry]
    /// Floats in each arena.
    public let count: Int
    /// The adapter parameters.
    public let parameters: UnsafeMutablePointer<Float>
    /// Their gradients, same layout.
    public let gradients: UnsafeMutablePointer<Float>
    /// Per block, the non-empty groups in forward order: q|k|v, o, gate|up, down.
    public let blocks: [[AdapterGroup]]
    /// targets · r: hidden activation columns per block.
    public let hiddenWidth: Int

    /// Adapters for `config`, with A uniform in ±1/√K (PEFT's Kaiming-uniform with a = √5)
    /// and B zero, so the adapted model starts equal to its base.
    public init(config c: LlamaConfig, configuration: LoRAConfiguration) throws {
        try configuration.validate()
        self.configuration = configuration
        let r = configuration.rank
        let width: [LoRATarget: (outputs: Int, inputs: Int)] = [
            .query: (c.channels, c.channels), .key: (c.kvDim, c.channels), .value: (c.kvDim, c.channels),
            .output: (c.channels, c.channels), .gate: (c.feedForward, c.channels), .up: (c.feedForward, c.channels),
            .down: (c.channels, c.feedForward),
        ]
        let groupOrder: [[LoRATarget]] = [[.query, .key, .value], [.output], [.gate, .up], [.down]]
        var entries: [ParameterLayout.Entry] = [], offset = 0
        var plans: [[(members: [LoRATarget], down: Int, ups: [Int], hidden: Int)]] = []
        for l in 0..<c.layers {
            var groups: [(members: [LoRATarget], down: Int, ups: [Int], hidden: Int)] = [], hidden = 0
            for candidates in groupOrder {
                let members = candidates.filter(configuration.targets.contains)
                guard let first = members.first, let inputs = width[first]?.inputs else { continue }
                let down = offset
                for member in members {
                    entries.append(.init(name: Self.name(l, member, "lora_A"), offset: offset, shape: [r, inputs]))
                    offset += r * inputs
                }
                var ups: [Int] = []
                for member in members {
                    let outputs = width[member]?.outputs ?? 0
                    ups.append(offset)
                    entries.append(.init(name: Self.name(l, member, "lora_B"), offset: offset, shape: [outputs, r]))
                    offset += outputs * r
                }
                groups.append((members, down, ups, hidden))
                hidden += members.count
            }
            plans.append(groups)
        }
        self.entries = entries
        count = offset
        hiddenWidth = configuration.targets.count * r
        parameters = .allocate(capacity: count)
        parameters.initialize(repeating: 0, count: count)
        gradients = .allocate(capacity: count)
        gradients.initialize(repeating: 0, count: count)
        let (parameters, gradients) = (parameters, gradients)
        blocks = plans.map { groups in
            groups.map { plan in
                AdapterGroup(members: plan.members, inputs: width[plan.members[0]]?.inputs ?? 0,
                             outputs: plan.members.map { width[$0]?.outputs ?? 0 },
                             down: parameters + plan.down, downGradient: gradients + plan.down,
                             ups: plan.ups.map { parameters + $0 }, upGradients: plan.ups.map { gradients + $0 },
                             hiddenOffset: plan.hidden)
            }
        }
        resetParameters()
    }

    deinit {
        parameters.deallocate()
        gradients.deallocate()
    }

    /// A random (seeded, ±1/√K) and B zero: the adapters add nothing until trained.
    public func resetParameters() {
        var generator = SeededGenerator(seed: configuration.seed)
        for entry in entries {
            let tensor = parameters + entry.offset
            let bound = 1 / Float(entry.shape[1]).squareRoot()
            let isDown = entry.name.hasSuffix("lora_A.weight")
            for i in 0..<entry.count { tensor[i] = isDown ? Float.random(in: -bound...bound, using: &generator) : 0 }
        }
    }

    /// PEFT's name of an adapter tensor.
    static func name(_ layer: Int, _ target: LoRATarget, _ part: String) -> String {
        "base_model.model.model.layers.\(layer).\(target.modulePath).\(part).weight"
    }
}
