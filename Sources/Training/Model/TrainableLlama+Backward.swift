import Engine

extension TrainableLlama {
    /// Back-propagates the loss of the last `forward` into `slot`, accumulating into the
    /// trainable gradients (all weights, or only the adapters when the base is frozen).
    /// - Parameters:
    ///   - lossScale: dL_total/d(loss), e.g. a DPO per-sequence weight (default 1)
    ///   - slot: the activations the forward pass used (default `activations`)
    public func backward(lossScale: Float = 1, slot: ActivationBuffers? = nil) {
        let c = config, a = slot ?? activations, d = scratch, T = a.tokens.count
        let C = c.channels
        headBackward(lossScale: lossScale, a)
        // The residual stream's gradient is one buffer updated in place: each residual add
        // passes it through unchanged, and each RMSNorm adds its branch's contribution.
        d.residualGradient.update(repeating: 0, count: T * C)
        RMSNorm.backward(xGradient: d.residualGradient, weightGradient: weightGradients?.finalNorm,
                         outGradient: d.normedGradient, x: a.residuals[c.layers], weight: weights.finalNorm,
                         inverseRMS: a.finalInverseRMS, rows: T, channels: C, threads: threads)
        for l in stride(from: c.layers - 1, through: 0, by: -1) {
            feedForwardBackward(l, rows: T, a)
            attentionBackward(l, rows: T, a)
        }
        if let weightGradients {
            Embedding.backward(tableGradient: weightGradients.embedding, outGradient: d.residualGradient,
                               tokens: a.tokens, rows: T, channels: C)
        }
    }

    /// From the loss to dL/d(final RMSNorm output) in `normedGradient` (zero at rows
    /// without a target), through the cross-entropy and the tied LM head.
    private func headBackward(lossScale: Float, _ a: ActivationBuffers) {
        let (C, V) = (config.channels, config.vocabularySize), d = scratch, count = a.targetCount
        d.normedGradient.update(repeating: 0, count: a.tokens.count * C)
        guard count > 0 else { return }
        CrossEntropy.backward(logits: a.logits, logSumExp: a.logSumExp, targets: a.targetIds, rows: count,
                              vocabulary: V, scale: lossScale / a.normalizer, threads: threads)
        if let full = a.fullTeacher {
            let (rows, ids, teacherRows) = (Disjoint(a.logits), Disjoint(a.targetIds), Disjoint(full))
            let (weights, scale) = (distillationWeights, lossScale / a.normalizer)
            Parallel.forEach(count, threads: threads) { range in
                for r in range {
                    FullDistillation.backward(rows.value + r * V, vocabulary: V, target: ids.value[r], teacher: teacherRows.value + r * V,
                                              weights: weights, scale: scale)
                }
            }
        }
        for (row, teacher, distilled) in a.distilled {
            SparseDistillation.backward(a.logits + row * V, vocabulary: V, target: a.targetIds[row], row: distilled,
                                        teacher: teacher, weights: distillationWeights, scale: lossScale / a.normalizer)
        }
        // dHeadInput (N, C) into attentionGradient as scratch, then scattered to the target rows.
        Linear.backward(inputGradient: d.attentionGradient, weightGradient: weightGradients?.embedding,
                        outGradient: a.logits, input: a.headInput, weight: weights.embedding,
                        rows: count, inputs: C, outputs: V, overwriteInputGradient: true)
        for i in 0..<count {
            (d.normedGradient + Int(a.targetPositions[i]) * C).update(from: d.attentionGradient + i * C, count: C)
        }
    }

    /// From dL/d(block output) in `residualGradient` to dL/d(after attention), in place.
    private func feedForwardBackward(_ l: Int, rows T: Int, _ a: ActivationBuffers) {
        let c = config, d = scratch, w = weights.blocks[l], g = weightGradients?.blocks[l], s = a.blocks[l]
        let (C, F) = (c.channels, c.feedForward)
        // Recompute what the forward pass did not keep: the normed input and the activation.
        RMSNorm.forward(out: a.normed, inverseRMS: s.feedForwardInverseRMS, x: s.afterAttention,
                        weight: w.feedForwardNorm, rows: T, channels: C, epsilon: c.rmsEpsilon, threads: threads)
        SwiGLU.forward(out: a.activated, gate: s.gate, up: s.up, count: T * F, threads: threads)
        Linear.backward(inputGradient: d.activatedGradient, weightGradient: g?.down, outGradient: d.residualGradient,
                        input: a.activated, weight: w.down, rows: T, inputs: F, outputs: C, overwriteInputGradient: true)
        adapterBackward(layer: l, input: .activated, rows: T, a)
        SwiGLU.backward(gateGradient: d.gateGradient, upGradient: d.upGradient, outGradient: d.activatedGradient,
                        gate: s.gate, up: s.up, count: T * F, threads: threads)
        Linear.backward(inputGradient: d.normedGradient, weightGradient: g?.gate, outGradient: d.gateGradient,
                        input: a.normed, weight: w.gate, rows: T, inputs: C, outputs: F, overwriteInputGradient: true)
        Linear.backward(inputGradient: d.normedGradient, weightGradient: g?.up, outGradient: d.upGradient,
                        input: a.normed, weight: w.up, rows: T, inputs: C, outputs: F)
        adapterBackward(layer: l, input: .feedForwardInput, rows: T, a)
        RMSNorm.backward(xGradient: d.residualGradient, weightGradient: g?.feedForwardNorm,
                         outGradient: d.normedGradient, x: s.afterAttention, weight: w.feedForwardNorm,
                         inverseRMS: s.feedForwardInverseRMS, rows: T, channels: C, threads: threads)
    }

    /// From dL/d(after attention) in `residualGradient` to dL/d(block input), in place.
    private func attentionBackward(_ l: Int, rows T: Int, _ a: ActivationBuffers) {
        let c = config, d = scratch, w = weights.blocks[l], g = weightGradients?.blocks[l], s = a.blocks[l]
        let (C, kv) = (c.channels, c.kvDim)
        let shape = AttentionShape(rows: T, heads: c.heads, kvHeads: c.kvHeads, headDim: c.headDim)
        Linear.backward(inputGradient: d.attentionGradient, weightGradient: g?.output, outGradient: d.residualGradient,
                        input: s.attention, weight: w.output, rows: T, inputs: C, outputs: C, overwriteInputGradient: true)
        adapterBackward(layer: l, input: .attentionOutput, rows: T, a)
        Attention.backward(queryGradient: d.queryGradient, keyGradient: d.keyGradient, valueGradient: d.valueGradient,
                           scratch: d.attentionScratch, outGradient: d.attentionGradient, probabilities: s.probabilities,
                           query: s.query, key: s.key, value: s.value, shape: shape, threads: threads)
        RoPE.backward(d.queryGradient, cosines: a.cosines, sines: a.sines, rows: T, heads: c.heads, headDim: c.headDim,
                      threads: threads)
        RoPE.backward(d.keyGradient, cosines: a.cosines, sines: a.sines, rows: T, heads: c.kvHeads, headDim: c.headDim,
                      threads: threads)
        RMSNorm.forward(out: a.normed, inverseRMS: s.attentionInverseRMS, x: a.residuals[l], weight: w.attentionNorm,
                        rows: T, channels: C, epsilon: c.rmsEpsilon, threads: threads)
        Linear.backward(inputGradient: d.normedGradient, weightGradient: g?.query, outGradient: d.queryGradient,
                        input: a.normed, weight: w.query, rows: T, inputs: C, outputs: C, overwriteInputGradient: true)
        Linear.backward(inputGradient: d.normedGradient, weightGradient: g?.key, outGradient: d.keyGradient,
                        input: a.normed, weight: w.key, rows: T, inputs: C, outputs: kv)
        Linear.backward(inputGradient: d.normedGradient, weightGradient: g?.value, outGradient: d.valueGradient,
                        input: a.normed, weight: w.value, rows: T, inputs: C, outputs: kv)
        adapterBackward(layer: l, input: .attentionInput, rows: T, a)
        RMSNorm.backward(xGradient: d.residualGradient, weightGradient: g?.attentionNorm,
                         outGradient: d.normedGradient, x: a.residuals[l], weight: w.attentionNorm,
                         inverseRMS: s.attentionInverseRMS, rows: T, channels: C, threads: threads)
    }
}
