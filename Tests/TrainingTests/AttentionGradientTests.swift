import Engine
import Testing
@testable import Training

/// Finite-difference checks of causal GQA attention and of the tied LM head with the
/// masked cross-entropy.
@Suite struct AttentionGradientTests {
    static let tolerance = 2e-3

    @Test func attentionGradientsWithGroupedQueries() {
        var generator = SeededGenerator(seed: 7)
        let shape = AttentionShape(rows: 5, heads: 4, kvHeads: 2, headDim: 2)
        let T = shape.rows
        let q = Tensor(random: T * shape.queryWidth, generator: &generator)
        let k = Tensor(random: T * shape.kvWidth, generator: &generator)
        let v = Tensor(random: T * shape.kvWidth, generator: &generator)
        let r = Tensor(random: T * shape.queryWidth, generator: &generator)
        let out = Tensor(count: T * shape.queryWidth), probabilities = Tensor(count: shape.packedProbabilityCount)
        let forward = {
            Attention.forward(out: out.pointer, probabilities: probabilities.pointer, query: q.pointer,
                              key: k.pointer, value: v.pointer, shape: shape)
        }
        forward()
        let dq = Tensor(count: q.count), dk = Tensor(count: k.count), dv = Tensor(count: v.count)
        let scratch = Tensor(count: Attention.scratchCount(shape: shape))
        Attention.backward(queryGradient: dq.pointer, keyGradient: dk.pointer, valueGradient: dv.pointer,
                           scratch: scratch.pointer, outGradient: r.pointer, probabilities: probabilities.pointer,
                           query: q.pointer, key: k.pointer, value: v.pointer, shape: shape)
        let loss = { forward(); return out.dot(r) }
        #expect(gradientError(of: loss, parameter: q, analytic: dq.array, epsilon: 1e-3) < Self.tolerance)
        #expect(gradientError(of: loss, parameter: k, analytic: dk.array, epsilon: 1e-3) < Self.tolerance)
        #expect(gradientError(of: loss, parameter: v, analytic: dv.array) < Self.tolerance)
    }

    /// The BLAS kernels against the loops, over more rows than one block.
    @Test func blockedKernelsMatchTheNaiveLoops() {
        var generator = SeededGenerator(seed: 10)
        let shape = AttentionShape(rows: 300, heads: 6, kvHeads: 2, headDim: 8)
        let T = shape.rows
        let q = Tensor(random: T * shape.queryWidth, generator: &generator)
        let k = Tensor(random: T * shape.kvWidth, generator: &generator)
        let v = Tensor(random: T * shape.kvWidth, generator: &generator)
        let r = Tensor(random: T * shape.queryWidth, generator: &generator)
        #expect(shape.packedProbabilityCount == 6 * (128 * 128 + 128 * 256 + 44 * 300))
        #expect(AttentionShape(rows: 512, heads: 9, kvHeads: 3, headDim: 64).packedProbabilityCount == 9 * 10 * 128 * 128)
        let naive = (out: Tensor(count: q.count), p: Tensor(count: shape.probabilityCount),
                     dq: Tensor(count: q.count), dk: Tensor(count: k.count), dv: Tensor(count: v.count))
        Attention.naiveForward(out: naive.out.pointer, probabilities: naive.p.pointer, query: q.pointer,
                               key: k.pointer, value: v.pointer, shape: shape)
        Attention.naiveBackward(queryGradient: naive.dq.pointer, keyGradient: naive.dk.pointer,
                                valueGradient: naive.dv.pointer, outGradient: r.pointer, probabilities: naive.p.pointer,
                                query: q.pointer, key: k.pointer, value: v.pointer, shape: shape)
        for threads in [1, 3] {
            let fast = (out: Tensor(count: q.count), p: Tensor(count: shape.packedProbabilityCount),
                        dq: Tensor(count: q.count), dk: Tensor(count: k.count, value: 9),
                        dv: Tensor(count: v.count, value: 9))
            Attention.forward(out: fast.out.pointer, probabilities: fast.p.pointer, query: q.pointer, key: k.pointer,
                              value: v.pointer, shape: shape, threads: threads)
            let scratch = Tensor(count: Attention.scratchCount(shape: shape), value: 7)
            Attention.backward(queryGradient: fast.dq.pointer, keyGradient: fast.dk.pointer,
                               valueGradient: fast.dv.pointer, scratch: scratch.pointer, outGradient: r.pointer,
                               probabilities: fast.p.pointer, query: q.pointer, key: k.pointer, value: v.pointer,
                               shape: shape, threads: threads)
            for (a, b) in [(fast.out, naive.out), (fast.dq, naive.dq), (fast.dk, naive.dk), (fast.dv, naive.dv)] {
                let worst = zip(a.array, b.array).map { abs($0 - $1) }.max() ?? 0
                #expect(worst < 1e-4, "threads \(threads)")
            }
        }
    }

    @Test func attentionIsCausal() {
        var generator = SeededGenerator(seed: 8)
        let shape = AttentionShape(rows: 4, heads: 2, kvHeads: 1, headDim: 2)
        let q = Tensor(random: 4 * shape.queryWidth, generator: &generator)
        let k = Tensor(random: 4 * shape.kvWidth, generator: &generator)
        let v = Tensor(random: 4 * shape.kvWidth, generator: &generator)
        let out = Tensor(count: q.count), probabilities = Tensor(count: shape.packedProbabilityCount)
        Attention.forward(out: out.pointer, probabilities: probabilities.pointer, query: q.pointer,
                          key: k.pointer, value: v.pointer, shape: shape)
        let before = out.array
        v.pointer[3 * shape.kvWidth] += 5  // the last position's value cannot reach earlier rows
        Attention.forward(out: out.pointer, probabilities: probabilities.pointer, query: q.pointer,
                          key: k.pointer, value: v.pointer, shape: shape)
        #expect(Array(out.array[0..<(3 * shape.queryWidth)]) == Array(before[0..<(3 * shape.queryWidth)]))
        // Row 0 attends only to itself.
        #expect(probabilities.pointer[0] == 1)
    }

    @Test func tiedHeadWithMaskedCrossEntropy() {
        var generator = SeededGenerator(seed: 9)
        let (T, C, V) = (5, 8, 11)
        let x = Tensor(random: T * C, generator: &generator), table = Tensor(random: V * C, generator: &generator)
        let targets: [Int32] = [CrossEntropy.ignored, 4, 10, CrossEntropy.ignored, 0]
        let normalizer = Float(CrossEntropy.maskedInCount(targets))
        let logits = Tensor(count: T * V), losses = Tensor(count: T)
        let loss = {
            Linear.forward(out: logits.pointer, input: x.pointer, weight: table.pointer, rows: T, inputs: C, outputs: V)
            return Double(CrossEntropy.forward(losses: losses.pointer, logits: logits.pointer, targets: targets,
                                               rows: T, vocabulary: V, normalizer: normalizer))
        }
        let value = loss()
        #expect(normalizer == 3 && losses.pointer[0] == 0 && losses.pointer[3] == 0)
        #expect(abs(value - Double(losses.pointer[1] + losses.pointer[2] + losses.pointer[4]) / 3) < 1e-6)
        CrossEntropy.backward(logitsGradient: logits.pointer, logits: logits.pointer, targets: targets,
                              rows: T, vocabulary: V, normalizer: normalizer)
        for v in 0..<V { #expect(logits.pointer[v] == 0) }  // a masked-out row has no gradient
        let dx = Tensor(count: x.count), dTable = Tensor(count: table.count)
        Linear.backward(inputGradient: dx.pointer, weightGradient: dTable.pointer, outGradient: logits.pointer,
                        input: x.pointer, weight: table.pointer, rows: T, inputs: C, outputs: V)
        #expect(gradientError(of: loss, parameter: x, analytic: dx.array, epsilon: 1e-3) < Self.tolerance)
        #expect(gradientError(of: loss, parameter: table, analytic: dTable.array, epsilon: 1e-3) < Self.tolerance)
    }
}
