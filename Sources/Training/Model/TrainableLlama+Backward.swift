import Engine

extension TrainableLlama {
    /// Back-propagates the loss of the last `forward`, accumulating into `gradients`.
    /// - Parameter lossScale: dL_total/d(loss), e.g. a DPO per-sequence weight (default 1).
    public func backward(lossScale: Float = 1) {
        let c = config, a = activations, T = lastTokens.count
        let (C, V) = (c.channels, c.vocabularySize)
        CrossEntropy.backward(logitsGradient: a.logits, logits: a.logits, targets: lastTargets,
                              rows: T, vocabulary: V, normalizer: lastNormalizer, scale: lossScale)
        a.normedGradient.update(repeating: 0, count: T * C)
        Linear.backward(inputGradient: a.normedGradient, weightGradient: weightGradients.embedding,
                        outGradient: a.logits, input: a.finalNormed, weight: weights.embedding,
                        rows: T, inputs: C, outputs: V)
        // The residual stream's gradient is one buffer updated in place: each residual add
        // passes it through unchanged, and each RMSNorm adds its branch's contribution.
        a.residualGradient.update(repeating: 0, count: T * C)
        RMSNorm.backward(xGradient: a.residualGradient, weightGradient: weightGradients.finalNorm,
                         outGradient: a.normedGradient, x: a.residuals[c.layers], weight: weights.finalNorm,
                         inverseRMS: a.finalInverseRMS, rows: T, channels: C)
        for l in stride(from: c.layers - 1, through: 0, by: -1) {
            feedForwardBackward(l, rows: T)
            attentionBackward(l, rows: T)
        }
        Embedding.backward(tableGradient: weightGradients.embedding, outGradient: a.residualGradient,
                           tokens: lastTokens, rows: T, channels: C)
    }

    /// From dL/d(block output) in `residualGradient` to dL/d(after attention), in place.
    private func feedForwardBackward(_ l: Int, rows T: Int) {
        let c = config, a = activations, w = weights.blocks[l], g = weightGradients.blocks[l], s = a.blocks[l]
        let (C, F) = (c.channels, c.feedForward)
        a.activatedGradient.update(repeating: 0, count: T * F)
        Linear.backward(inputGradient: a.activatedGradient, weightGradient: g.down, outGradient: a.residualGradient,
                        input: s.activated, weight: w.down, rows: T, inputs: F, outputs: C)
        SwiGLU.backward(gateGradient: a.gateGradient, upGradient: a.upGradient, outGradient: a.activatedGradient,
                        gate: s.gate, up: s.up, count: T * F)
        a.normedGradient.update(repeating: 0, count: T * C)
        Linear.backward(inputGradient: a.normedGradient, weightGradient: g.gate, outGradient: a.gateGradient,
                        input: s.feedForwardNormed, weight: w.gate, rows: T, inputs: C, outputs: F)
        Linear.backward(inputGradient: a.normedGradient, weightGradient: g.up, outGradient: a.upGradient,
                        input: s.feedForwardNormed, weight: w.up, rows: T, inputs: C, outputs: F)
        RMSNorm.backward(xGradient: a.residualGradient, weightGradient: g.feedForwardNorm,
                         outGradient: a.normedGradient, x: s.afterAttention, weight: w.feedForwardNorm,
                         inverseRMS: s.feedForwardInverseRMS, rows: T, channels: C)
    }

    /// From dL/d(after attention) in `residualGradient` to dL/d(block input), in place.
    private func attentionBackward(_ l: Int, rows T: Int) {
        let c = config, a = activations, w = weights.blocks[l], g = weightGradients.blocks[l], s = a.blocks[l]
        let (C, kv) = (c.channels, c.kvDim)
        let shape = AttentionShape(rows: T, heads: c.heads, kvHeads: c.kvHeads, headDim: c.headDim)
        a.attentionGradient.update(repeating: 0, count: T * C)
        Linear.backward(inputGradient: a.attentionGradient, weightGradient: g.output, outGradient: a.residualGradient,
                        input: s.attention, weight: w.output, rows: T, inputs: C, outputs: C)
        Attention.backward(queryGradient: a.queryGradient, keyGradient: a.keyGradient, valueGradient: a.valueGradient,
                           outGradient: a.attentionGradient, probabilities: s.probabilities, query: s.query,
                           key: s.key, value: s.value, shape: shape)
        RoPE.backward(a.queryGradient, cosines: a.cosines, sines: a.sines, rows: T, heads: c.heads, headDim: c.headDim)
        RoPE.backward(a.keyGradient, cosines: a.cosines, sines: a.sines, rows: T, heads: c.kvHeads, headDim: c.headDim)
        a.normedGradient.update(repeating: 0, count: T * C)
        Linear.backward(inputGradient: a.normedGradient, weightGradient: g.query, outGradient: a.queryGradient,
                        input: s.attentionNormed, weight: w.query, rows: T, inputs: C, outputs: C)
        Linear.backward(inputGradient: a.normedGradient, weightGradient: g.key, outGradient: a.keyGradient,
                        input: s.attentionNormed, weight: w.key, rows: T, inputs: C, outputs: kv)
        Linear.backward(inputGradient: a.normedGradient, weightGradient: g.value, outGradient: a.valueGradient,
                        input: s.attentionNormed, weight: w.value, rows: T, inputs: C, outputs: kv)
        RMSNorm.backward(xGradient: a.residualGradient, weightGradient: g.attentionNorm,
                         outGradient: a.normedGradient, x: activations.residuals[l], weight: w.attentionNorm,
                         inverseRMS: s.attentionInverseRMS, rows: T, channels: C)
    }
}
