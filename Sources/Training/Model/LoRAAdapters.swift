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
    /// Members of the block's earlier groups: this group's hidden activations start at
    /// `BlockActivations.adapterHidden + rows · r · hiddenOffset`.
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
        let plan = Self.plan(config: c, configuration: configuration)
        entries = plan.entries
        count = plan.count
        hiddenWidth = configuration.targets.count * configuration.rank
        parameters = .allocate(capacity: count)
        parameters.initialize(repeating: 0, count: count)
        gradients = .allocate(capacity: count)
        gradients.initialize(repeating: 0, count: count)
        let (parameters, gradients) = (parameters, gradients)
        blocks = plan.blocks.map { groups in
            groups.map { group in
                AdapterGroup(members: group.members, inputs: group.inputs, outputs: group.outputs,
                             down: parameters + group.down, downGradient: gradients + group.down,
                             ups: group.ups.map { parameters + $0 }, upGradients: group.ups.map { gradients + $0 },
                             hiddenOffset: group.hiddenOffset)
            }
        }
        resetParameters()
    }

    /// Where a group's tensors go in the arenas.
    private struct GroupPlan {
        let members: [LoRATarget], inputs: Int, outputs: [Int], down: Int, ups: [Int], hiddenOffset: Int
    }

    /// Lays out every block's groups: each group's A matrices stacked, then its B matrices.
    private static func plan(config c: LlamaConfig, configuration: LoRAConfiguration)
        -> (entries: [ParameterLayout.Entry], count: Int, blocks: [[GroupPlan]]) {
        let r = configuration.rank
        let sizes: [LoRATarget: (outputs: Int, inputs: Int)] = [
            .query: (c.channels, c.channels), .key: (c.kvDim, c.channels), .value: (c.kvDim, c.channels),
            .output: (c.channels, c.channels), .gate: (c.feedForward, c.channels), .up: (c.feedForward, c.channels),
            .down: (c.channels, c.feedForward),
        ]
        let order: [[LoRATarget]] = [[.query, .key, .value], [.output], [.gate, .up], [.down]]
        var entries: [ParameterLayout.Entry] = [], offset = 0, blocks: [[GroupPlan]] = []
        for l in 0..<c.layers {
            var groups: [GroupPlan] = [], hidden = 0
            for candidates in order {
                let members = candidates.filter(configuration.targets.contains)
                guard let first = members.first, let inputs = sizes[first]?.inputs else { continue }
                let outputs = members.map { sizes[$0]?.outputs ?? 0 }, down = offset
                for member in members {
                    entries.append(.init(name: name(l, member, "lora_A"), offset: offset, shape: [r, inputs]))
                    offset += r * inputs
                }
                var ups: [Int] = []
                for (member, n) in zip(members, outputs) {
                    ups.append(offset)
                    entries.append(.init(name: name(l, member, "lora_B"), offset: offset, shape: [n, r]))
                    offset += n * r
                }
                groups.append(GroupPlan(members: members, inputs: inputs, outputs: outputs, down: down, ups: ups,
                                        hiddenOffset: hidden))
                hidden += members.count
            }
            blocks.append(groups)
        }
        return (entries, offset, blocks)
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
