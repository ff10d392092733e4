import Engine

/// The input an adapter group reads, which names the group within a block.
enum AdapterInput {
    /// The attention RMSNorm output: q, k, v.
    case attentionInput
    /// The attention output: o.
    case attentionOutput
    /// The feed-forward RMSNorm output: gate, up.
    case feedForwardInput
    /// silu(gate) ∘ up: down.
    case activated

    init(_ target: LoRATarget) {
        switch target {
        case .query, .key, .value: self = .attentionInput
        case .output: self = .attentionOutput
        case .gate, .up: self = .feedForwardInput
        case .down: self = .activated
        }
    }
}

extension TrainableLlama {
    /// Adds the adapters of group `input` of block `l` to their matrices' outputs:
    /// `hidden = x·A_stackedᵀ` in one GEMM, then `out_i += s·hidden_i·B_iᵀ` per member.
    func adapterForward(layer l: Int, input: AdapterInput, rows T: Int, _ a: ActivationBuffers) {
        guard adaptersEnabled, let adapters, let group = adapters.blocks[l].first(where: { AdapterInput($0.members[0]) == input })
        else { return }
        let r = adapters.configuration.rank, s = adapters.configuration.scale, width = group.width(rank: r)
        let x = adapterInput(input, layer: l, a), hidden = adapterHidden(group, l, a, rank: r)
        // hidden (T, g·r) = x (T, K) · A (g·r, K)ᵀ
        Blas.gemm(out: hidden, outStride: width, a: x, aStride: group.inputs, b: group.down, bStride: group.inputs,
                  bTransposed: true, rows: T, columns: width, inner: group.inputs)
        for (i, member) in group.members.enumerated() {
            let n = group.outputs[i]
            // out_i (T, N) += s · hidden_i (T, r) · B_i (N, r)ᵀ
            Blas.gemm(out: adapterOutput(member, layer: l, a), outStride: n, a: hidden + i * r, aStride: width,
                      b: group.ups[i], bStride: r, bTransposed: true, rows: T, columns: n, inner: r, scale: s,
                      accumulate: true)
        }
    }

    /// Back-propagates group `input` of block `l`: `dB_i += s·dY_iᵀ·hidden_i`,
    /// `dHidden_i = s·dY_i·B_i`, `dA += dHiddenᵀ·x`, `dx += dHidden·A`, where dY_i is in
    /// the scratch gradient of member i's output and dx goes into the input's gradient.
    func adapterBackward(layer l: Int, input: AdapterInput, rows T: Int, _ a: ActivationBuffers) {
        guard adaptersEnabled, let adapters, let group = adapters.blocks[l].first(where: { AdapterInput($0.members[0]) == input })
        else { return }
        let r = adapters.configuration.rank, s = adapters.configuration.scale, width = group.width(rank: r)
        let x = adapterInput(input, layer: l, a), hidden = adapterHidden(group, l, a, rank: r)
        let dHidden = scratch.adapterHiddenGradient, K = group.inputs
        for (i, member) in group.members.enumerated() {
            let n = group.outputs[i], dY = outputGradient(member)
            // dB_i (N, r) += s · dY_i (T, N)ᵀ · hidden_i (T, r)
            Blas.gemm(out: group.upGradients[i], outStride: r, a: dY, aStride: n, aTransposed: true,
                      b: hidden + i * r, bStride: width, rows: n, columns: r, inner: T, scale: s, accumulate: true)
            // dHidden_i (T, r) = s · dY_i (T, N) · B_i (N, r)
            Blas.gemm(out: dHidden + i * r, outStride: width, a: dY, aStride: n, b: group.ups[i], bStride: r,
                      rows: T, columns: r, inner: n, scale: s)
        }
        // dA (g·r, K) += dHidden (T, g·r)ᵀ · x (T, K)
        Blas.gemm(out: group.downGradient, outStride: K, a: dHidden, aStride: width, aTransposed: true,
                  b: x, bStride: K, rows: width, columns: K, inner: T, accumulate: true)
        // dx (T, K) += dHidden (T, g·r) · A (g·r, K)
        Blas.gemm(out: inputGradient(input), outStride: K, a: dHidden, aStride: width, b: group.down, bStride: K,
                  rows: T, columns: K, inner: width, accumulate: true)
    }

    /// Folds every adapter into its base weight, `W += (α/r)·B·A` (for serving or for
    /// a following stage), then zeroes B so the model computes the same function; the
    /// adapters can go on training from there (a fresh optimizer is advised).
    public func mergeAdapters() {
        guard let adapters else { return }
        let r = adapters.configuration.rank, s = adapters.configuration.scale
        for (l, groups) in adapters.blocks.enumerated() {
            for group in groups {
                for (i, member) in group.members.enumerated() {
                    let n = group.outputs[i], K = group.inputs
                    LoRALinear.merge(weight: baseWeight(member, layer: l), down: group.down + i * r * K, up: group.ups[i],
                                     inputs: K, outputs: n, rank: r, scale: s)
                    group.ups[i].update(repeating: 0, count: n * r)
                }
            }
        }
    }

    private func adapterHidden(_ group: AdapterGroup, _ l: Int, _ a: ActivationBuffers,
                               rank: Int) -> UnsafeMutablePointer<Float> {
        a.blocks[l].adapterHidden + a.rows * rank * group.hiddenOffset
    }

    /// The group's input; the normed inputs and the activation are the slot's current ones
    /// (backward recomputes them before the group runs).
    private func adapterInput(_ input: AdapterInput, layer l: Int, _ a: ActivationBuffers) -> UnsafeMutablePointer<Float> {
        switch input {
        case .attentionInput, .feedForwardInput: a.normed
        case .attentionOutput: a.blocks[l].attention
        case .activated: a.activated
        }
    }

    private func inputGradient(_ input: AdapterInput) -> UnsafeMutablePointer<Float> {
        switch input {
        case .attentionInput, .feedForwardInput: scratch.normedGradient
        case .attentionOutput: scratch.attentionGradient
        case .activated: scratch.activatedGradient
        }
    }

    private func adapterOutput(_ target: LoRATarget, layer l: Int, _ a: ActivationBuffers) -> UnsafeMutablePointer<Float> {
        let s = a.blocks[l]
        switch target {
        case .query: return s.query
        case .key: return s.key
        case .value: return s.value
        case .output: return s.afterAttention
        case .gate: return s.gate
        case .up: return s.up
        case .down: return a.residuals[l + 1]
        }
    }

    private func outputGradient(_ target: LoRATarget) -> UnsafeMutablePointer<Float> {
        switch target {
        case .query: scratch.queryGradient
        case .key: scratch.keyGradient
        case .value: scratch.valueGradient
        case .output, .down: scratch.residualGradient
        case .gate: scratch.gateGradient
        case .up: scratch.upGradient
        }
    }

    private func baseWeight(_ target: LoRATarget, layer l: Int) -> UnsafeMutablePointer<Float> {
        let w = weights.blocks[l]
        switch target {
        case .query: return w.query
        case .key: return w.key
        case .value: return w.value
        case .output: return w.output
        case .gate: return w.gate
        case .up: return w.up
        case .down: return w.down
        }
    }
}
