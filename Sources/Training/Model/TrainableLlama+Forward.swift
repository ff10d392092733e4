import Engine

extension TrainableLlama {
    /// Runs the model over `tokens` and returns Σ masked-in token losses / `normalizer`.
    /// Logits are computed only at masked-in positions (`activations.logits`).
    /// - Parameters:
    ///   - tokens: (T) input ids in `0 ..< V`, T ≤ the slot's rows
    ///   - targets: (T) the next-token ids, `CrossEntropy.ignored` where masked out
    ///   - normalizer: masked-in tokens over the whole accumulated batch (default: this sequence's)
    ///   - slot: where the activations go (default `activations`)
    ///   - teacher: the teacher's distributions at some target positions: those positions'
    ///     loss is `distillationWeights`' mix of cross-entropy and KL (``SparseDistillation``)
    ///   - teacherLogProbabilities: (targetCount, V) a local teacher's log-probabilities at
    ///     every target position (``targetLogProbabilities(tokens:targets:)``): each
    ///     position's loss mixes cross-entropy and the full-vocabulary KL
    @discardableResult
    public func forward(tokens: [Int32], targets: [Int32], normalizer: Float? = nil,
                        slot: ActivationBuffers? = nil, teacher: [SparseTeacherTarget] = [],
                        teacherLogProbabilities: UnsafePointer<Float>? = nil) -> Float {
        let c = config, a = slot ?? activations, T = tokens.count
        precondition(T > 0 && T <= a.rows && targets.count == T, "sequence empty or longer than its activation slot")
        precondition(tokens.allSatisfy { $0 >= 0 && Int($0) < c.vocabularySize }, "token id outside the vocabulary")
        a.tokens = tokens
        a.normalizer = normalizer ?? Float(max(1, CrossEntropy.maskedInCount(targets)))
        Embedding.forward(out: a.residuals[0], tokens: tokens, table: weights.embedding, rows: T, channels: c.channels)
        RoPE.tables(cosines: a.cosines, sines: a.sines, rows: T, headDim: c.headDim, base: c.ropeBase)
        for l in 0..<c.layers {
            attentionForward(l, rows: T, a)
            feedForwardForward(l, rows: T, a)
        }
        RMSNorm.forward(out: a.finalNormed, inverseRMS: a.finalInverseRMS, x: a.residuals[c.layers],
                        weight: weights.finalNorm, rows: T, channels: c.channels, epsilon: c.rmsEpsilon,
                        threads: threads)
        a.fullTeacher = teacherLogProbabilities
        return headForward(targets: targets, teacher: teacher, a) / a.normalizer
    }

    /// Runs the model over `tokens` (no gradient) and returns its log-probabilities at the
    /// target positions: (targetCount, V) in the default slot's logits buffer, valid until
    /// its next forward pass. A local teacher's targets for ``forward(tokens:targets:normalizer:slot:teacher:teacherLogProbabilities:)``.
    public func targetLogProbabilities(tokens: [Int32], targets: [Int32]) -> UnsafePointer<Float> {
        forward(tokens: tokens, targets: targets)
        let a = activations, V = config.vocabularySize
        let (rows, shifts) = (Disjoint(a.logits), Disjoint(a.logSumExp))
        Parallel.forEach(a.targetCount, threads: threads) { range in
            for r in range {
                let row = rows.value + r * V, shift = shifts.value[r]
                for v in 0..<V { row[v] -= shift }
            }
        }
        return UnsafePointer(a.logits)
    }

    /// The tied LM head and the loss at the target positions only; returns Σ token losses.
    private func headForward(targets: [Int32], teacher: [SparseTeacherTarget], _ a: ActivationBuffers) -> Float {
        let (C, V) = (config.channels, config.vocabularySize)
        var count = 0
        for (t, target) in targets.enumerated() where target != CrossEntropy.ignored {
            precondition(target >= 0 && Int(target) < V, "target id outside the vocabulary")
            a.targetPositions[count] = Int32(t)
            a.targetIds[count] = target
            (a.headInput + count * C).update(from: a.finalNormed + t * C, count: C)
            count += 1
        }
        a.targetCount = count
        guard count > 0 else { return 0 }
        Linear.forward(out: a.logits, input: a.headInput, weight: weights.embedding, rows: count, inputs: C, outputs: V)
        var total = CrossEntropy.forward(losses: a.losses, logSumExp: a.logSumExp, logits: a.logits,
                                         targets: a.targetIds, rows: count, vocabulary: V, threads: threads)
        a.distilled = []
        if let full = a.fullTeacher {
            let (ce, kd) = (distillationWeights.crossEntropy, distillationWeights.divergence)
            let (losses, logits, shifts, teacherRows) = (Disjoint(a.losses), Disjoint(a.logits), Disjoint(a.logSumExp), Disjoint(full))
            Parallel.forEach(count, threads: threads) { range in
                for r in range {
                    let divergence = FullDistillation.divergence(logits.value + r * V, logSumExp: shifts.value[r],
                                                                 teacher: teacherRows.value + r * V, vocabulary: V)
                    losses.value[r] = ce * losses.value[r] + kd * Float(divergence)
                }
            }
            total = (0..<count).reduce(0.0) { $0 + Double(a.losses[$1]) }
        }
        guard !teacher.isEmpty else { return Float(total) }
        // Compact rows are in position order: walk both lists together.
        var row = 0
        let (ce, kd) = (Double(distillationWeights.crossEntropy), Double(distillationWeights.divergence))
        for target in teacher {
            while row < count && a.targetPositions[row] < target.position { row += 1 }
            guard row < count, a.targetPositions[row] == target.position else { continue }
            let distilled = SparseDistillation.row(a.logits + row * V, logSumExp: a.logSumExp[row], target: target)
            let loss = ce * Double(a.losses[row]) + kd * distilled.divergence
            total += loss - Double(a.losses[row])
            a.losses[row] = Float(loss)
            a.distilled.append((row, target, distilled))
        }
        return Float(total)
    }

    /// `h = x + Wo·attn(rope(Wq·n), rope(Wk·n), Wv·n)`, n = RMSNorm(x), into `afterAttention`.
    private func attentionForward(_ l: Int, rows T: Int, _ a: ActivationBuffers) {
        let c = config, w = weights.blocks[l], s = a.blocks[l], x = a.residuals[l]
        let (C, kv) = (c.channels, c.kvDim)
        let shape = AttentionShape(rows: T, heads: c.heads, kvHeads: c.kvHeads, headDim: c.headDim)
        RMSNorm.forward(out: a.normed, inverseRMS: s.attentionInverseRMS, x: x, weight: w.attentionNorm,
                        rows: T, channels: C, epsilon: c.rmsEpsilon, threads: threads)
        Linear.forward(out: s.query, input: a.normed, weight: w.query, rows: T, inputs: C, outputs: C)
        Linear.forward(out: s.key, input: a.normed, weight: w.key, rows: T, inputs: C, outputs: kv)
        Linear.forward(out: s.value, input: a.normed, weight: w.value, rows: T, inputs: C, outputs: kv)
        adapterForward(layer: l, input: .attentionInput, rows: T, a)
        RoPE.forward(s.query, cosines: a.cosines, sines: a.sines, rows: T, heads: c.heads, headDim: c.headDim,
                     threads: threads)
        RoPE.forward(s.key, cosines: a.cosines, sines: a.sines, rows: T, heads: c.kvHeads, headDim: c.headDim,
                     threads: threads)
        Attention.forward(out: s.attention, probabilities: s.probabilities, query: s.query, key: s.key,
                          value: s.value, shape: shape, threads: threads)
        Linear.forward(out: s.afterAttention, input: s.attention, weight: w.output, rows: T, inputs: C, outputs: C)
        adapterForward(layer: l, input: .attentionOutput, rows: T, a)
        Residual.forward(out: s.afterAttention, a: s.afterAttention, b: x, count: T * C, threads: threads)
    }

    /// `x' = h + Wd·swiglu(Wg·n, Wu·n)`, n = RMSNorm(h), into the next residual stream.
    private func feedForwardForward(_ l: Int, rows T: Int, _ a: ActivationBuffers) {
        let c = config, w = weights.blocks[l], s = a.blocks[l], next = a.residuals[l + 1]
        let (C, F) = (c.channels, c.feedForward)
        RMSNorm.forward(out: a.normed, inverseRMS: s.feedForwardInverseRMS, x: s.afterAttention,
                        weight: w.feedForwardNorm, rows: T, channels: C, epsilon: c.rmsEpsilon, threads: threads)
        Linear.forward(out: s.gate, input: a.normed, weight: w.gate, rows: T, inputs: C, outputs: F)
        Linear.forward(out: s.up, input: a.normed, weight: w.up, rows: T, inputs: C, outputs: F)
        adapterForward(layer: l, input: .feedForwardInput, rows: T, a)
        SwiGLU.forward(out: a.activated, gate: s.gate, up: s.up, count: T * F, threads: threads)
        Linear.forward(out: next, input: a.activated, weight: w.down, rows: T, inputs: F, outputs: C)
        adapterForward(layer: l, input: .activated, rows: T, a)
        Residual.forward(out: next, a: next, b: s.afterAttention, count: T * C, threads: threads)
    }
}
