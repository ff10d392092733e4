import Engine
import Testing
@testable import Training

/// Finite-difference checks of every layer's backward, for input and parameter gradients.
/// Each layer's scalar loss is `Σ out ∘ R` for a fixed random R, so dL/d(out) = R.
@Suite struct LayerGradientTests {
    static let T = 5, C = 8, V = 11, F = 12
    static let tolerance = 2e-3

    @Test func linearMatchesNaiveAndFiniteDifferences() {
        var generator = SeededGenerator(seed: 1)
        let (T, C, N) = (Self.T, Self.C, 6)
        let x = Tensor(random: T * C, generator: &generator), w = Tensor(random: N * C, generator: &generator)
        let r = Tensor(random: T * N, generator: &generator), out = Tensor(count: T * N)
        let naive = Tensor(count: T * N)
        Linear.forward(out: out.pointer, input: x.pointer, weight: w.pointer, rows: T, inputs: C, outputs: N)
        Linear.naiveForward(out: naive.pointer, input: x.pointer, weight: w.pointer, rows: T, inputs: C, outputs: N)
        for i in 0..<out.count { #expect(abs(out.pointer[i] - naive.pointer[i]) < 1e-5) }
        let dx = Tensor(count: T * C), dw = Tensor(count: N * C)
        let naiveDx = Tensor(count: T * C), naiveDw = Tensor(count: N * C)
        Linear.backward(inputGradient: dx.pointer, weightGradient: dw.pointer, outGradient: r.pointer,
                        input: x.pointer, weight: w.pointer, rows: T, inputs: C, outputs: N)
        Linear.naiveBackward(inputGradient: naiveDx.pointer, weightGradient: naiveDw.pointer, outGradient: r.pointer,
                             input: x.pointer, weight: w.pointer, rows: T, inputs: C, outputs: N)
        for i in 0..<dx.count { #expect(abs(dx.pointer[i] - naiveDx.pointer[i]) < 1e-5) }
        for i in 0..<dw.count { #expect(abs(dw.pointer[i] - naiveDw.pointer[i]) < 1e-5) }
        let loss = {
            Linear.forward(out: out.pointer, input: x.pointer, weight: w.pointer, rows: T, inputs: C, outputs: N)
            return out.dot(r)
        }
        #expect(gradientError(of: loss, parameter: x, analytic: dx.array) < Self.tolerance)
        #expect(gradientError(of: loss, parameter: w, analytic: dw.array) < Self.tolerance)
    }

    @Test func embeddingScattersRepeatedTokens() {
        var generator = SeededGenerator(seed: 2)
        let (T, C, V) = (Self.T, Self.C, Self.V)
        let tokens: [Int32] = [3, 0, 3, 10, 7]
        let table = Tensor(random: V * C, generator: &generator), r = Tensor(random: T * C, generator: &generator)
        let out = Tensor(count: T * C), dTable = Tensor(count: V * C)
        Embedding.backward(tableGradient: dTable.pointer, outGradient: r.pointer, tokens: tokens, rows: T, channels: C)
        let loss = {
            Embedding.forward(out: out.pointer, tokens: tokens, table: table.pointer, rows: T, channels: C)
            return out.dot(r)
        }
        #expect(gradientError(of: loss, parameter: table, analytic: dTable.array) < Self.tolerance)
    }

    @Test func rmsNormGradients() {
        var generator = SeededGenerator(seed: 3)
        let (T, C) = (Self.T, Self.C)
        let x = Tensor(random: T * C, generator: &generator), w = Tensor(random: C, generator: &generator)
        let r = Tensor(random: T * C, generator: &generator)
        let out = Tensor(count: T * C), inverseRMS = Tensor(count: T)
        let forward = {
            RMSNorm.forward(out: out.pointer, inverseRMS: inverseRMS.pointer, x: x.pointer, weight: w.pointer,
                            rows: T, channels: C, epsilon: 1e-5)
        }
        forward()
        let dx = Tensor(count: T * C), dw = Tensor(count: C)
        RMSNorm.backward(xGradient: dx.pointer, weightGradient: dw.pointer, outGradient: r.pointer, x: x.pointer,
                         weight: w.pointer, inverseRMS: inverseRMS.pointer, rows: T, channels: C)
        let loss = { forward(); return out.dot(r) }
        #expect(gradientError(of: loss, parameter: x, analytic: dx.array, epsilon: 1e-3) < Self.tolerance)
        #expect(gradientError(of: loss, parameter: w, analytic: dw.array) < Self.tolerance)
    }

    @Test func ropeBackwardIsTheInverseRotation() {
        var generator = SeededGenerator(seed: 4)
        let (T, heads, headDim) = (Self.T, 2, 4)
        let x = Tensor(random: T * heads * headDim, generator: &generator)
        let r = Tensor(random: x.count, generator: &generator)
        let cosines = Tensor(count: T * headDim / 2), sines = Tensor(count: T * headDim / 2)
        RoPE.tables(cosines: cosines.pointer, sines: sines.pointer, rows: T, headDim: headDim, base: 10000)
        let dx = Tensor(count: x.count)
        dx.pointer.update(from: r.pointer, count: r.count)
        RoPE.backward(dx.pointer, cosines: cosines.pointer, sines: sines.pointer, rows: T, heads: heads, headDim: headDim)
        let out = Tensor(count: x.count)
        let loss = {
            out.pointer.update(from: x.pointer, count: x.count)
            RoPE.forward(out.pointer, cosines: cosines.pointer, sines: sines.pointer, rows: T, heads: heads, headDim: headDim)
            return out.dot(r)
        }
        #expect(gradientError(of: loss, parameter: x, analytic: dx.array) < Self.tolerance)
        // Position 0 is not rotated; position 1, pair 0 turns by exactly 1 radian.
        #expect(cosines.pointer[0] == 1 && sines.pointer[0] == 0)
        #expect(abs(sines.pointer[headDim / 2] - 0.841_470_98) < 1e-6)
    }

    @Test func swigluGradients() {
        var generator = SeededGenerator(seed: 5)
        let count = Self.T * Self.F
        let gate = Tensor(random: count, scale: 3, generator: &generator), up = Tensor(random: count, generator: &generator)
        let r = Tensor(random: count, generator: &generator), out = Tensor(count: count)
        let dGate = Tensor(count: count), dUp = Tensor(count: count)
        SwiGLU.backward(gateGradient: dGate.pointer, upGradient: dUp.pointer, outGradient: r.pointer,
                        gate: gate.pointer, up: up.pointer, count: count)
        let loss = { SwiGLU.forward(out: out.pointer, gate: gate.pointer, up: up.pointer, count: count); return out.dot(r) }
        #expect(gradientError(of: loss, parameter: gate, analytic: dGate.array, epsilon: 1e-3) < Self.tolerance)
        #expect(gradientError(of: loss, parameter: up, analytic: dUp.array) < Self.tolerance)
    }

    @Test func residualPassesTheGradientToBothInputs() {
        var generator = SeededGenerator(seed: 6)
        let count = Self.T * Self.C
        let a = Tensor(random: count, generator: &generator), b = Tensor(random: count, generator: &generator)
        let r = Tensor(random: count, generator: &generator), out = Tensor(count: count)
        let dA = Tensor(count: count), dB = Tensor(count: count)
        Residual.backward(aGradient: dA.pointer, bGradient: dB.pointer, outGradient: r.pointer, count: count)
        let loss = { Residual.forward(out: out.pointer, a: a.pointer, b: b.pointer, count: count); return out.dot(r) }
        #expect(gradientError(of: loss, parameter: a, analytic: dA.array) < Self.tolerance)
        #expect(gradientError(of: loss, parameter: b, analytic: dB.array) < Self.tolerance)
    }
}
