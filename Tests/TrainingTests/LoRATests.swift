import Engine
import Testing
@testable import Training

/// LoRA adapter on a linear layer: finite differences, zero-init identity, merging.
@Suite struct LoRATests {
    static let (T, K, N, rank) = (5, 8, 6, 2)
    static let scale = LoRALinear.scale(rank: 2, alpha: 4)

    @Test func gradientsMatchFiniteDifferences() {
        var generator = SeededGenerator(seed: 41)
        let (T, K, N, r) = (Self.T, Self.K, Self.N, Self.rank)
        let x = Tensor(random: T * K, generator: &generator), w = Tensor(random: N * K, generator: &generator)
        let a = Tensor(random: r * K, generator: &generator), b = Tensor(random: N * r, generator: &generator)
        let dy = Tensor(random: T * N, generator: &generator)
        let out = Tensor(count: T * N), hidden = Tensor(count: T * r)
        let forward = {
            LoRALinear.forward(out: out.pointer, hidden: hidden.pointer, input: x.pointer, weight: w.pointer,
                               down: a.pointer, up: b.pointer, rows: T, inputs: K, outputs: N, rank: r, scale: Self.scale)
        }
        forward()
        let dx = Tensor(count: x.count), da = Tensor(count: a.count), db = Tensor(count: b.count)
        let dHidden = Tensor(count: T * r)
        LoRALinear.backward(inputGradient: dx.pointer, downGradient: da.pointer, upGradient: db.pointer,
                            hiddenGradient: dHidden.pointer, outGradient: dy.pointer, input: x.pointer,
                            weight: w.pointer, down: a.pointer, up: b.pointer, hidden: hidden.pointer,
                            rows: T, inputs: K, outputs: N, rank: r, scale: Self.scale)
        let loss = { forward(); return out.dot(dy) }
        #expect(gradientError(of: loss, parameter: x, analytic: dx.array) < 2e-3)
        #expect(gradientError(of: loss, parameter: a, analytic: da.array) < 2e-3)
        #expect(gradientError(of: loss, parameter: b, analytic: db.array) < 2e-3)
    }

    @Test func zeroUpStartsAtTheBaseAndMergingMatches() {
        var generator = SeededGenerator(seed: 42)
        let (T, K, N, r) = (Self.T, Self.K, Self.N, Self.rank)
        let x = Tensor(random: T * K, generator: &generator), w = Tensor(random: N * K, generator: &generator)
        let a = Tensor(random: r * K, generator: &generator), b = Tensor(count: N * r)
        let out = Tensor(count: T * N), hidden = Tensor(count: T * r), base = Tensor(count: T * N)
        Linear.forward(out: base.pointer, input: x.pointer, weight: w.pointer, rows: T, inputs: K, outputs: N)
        LoRALinear.forward(out: out.pointer, hidden: hidden.pointer, input: x.pointer, weight: w.pointer,
                           down: a.pointer, up: b.pointer, rows: T, inputs: K, outputs: N, rank: r, scale: Self.scale)
        #expect(out.array == base.array)
        for i in 0..<b.count { b.pointer[i] = Float.random(in: -1...1, using: &generator) }
        LoRALinear.forward(out: out.pointer, hidden: hidden.pointer, input: x.pointer, weight: w.pointer,
                           down: a.pointer, up: b.pointer, rows: T, inputs: K, outputs: N, rank: r, scale: Self.scale)
        LoRALinear.merge(weight: w.pointer, down: a.pointer, up: b.pointer, inputs: K, outputs: N, rank: r,
                         scale: Self.scale)
        Linear.forward(out: base.pointer, input: x.pointer, weight: w.pointer, rows: T, inputs: K, outputs: N)
        for i in 0..<out.count { #expect(abs(out.pointer[i] - base.pointer[i]) < 1e-5) }
    }
}
