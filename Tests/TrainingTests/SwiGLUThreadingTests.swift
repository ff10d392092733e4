import Foundation
import Testing
@testable import Training

/// The threaded SwiGLU kernels against one thread and the formula.
@Suite struct SwiGLUThreadingTests {
    @Test func threadedSwiGLUMatchesOneThread() {
        let count = 70_001
        let gate = (0..<count).map { Float($0 % 97) / 10 - 4.8 }, up = (0..<count).map { Float($0 % 89) / 20 - 2 }
        let dOut = (0..<count).map { Float($0 % 13) / 6 - 1 }
        var one = [Float](repeating: 0, count: count), two = one
        var dGate = [[Float]](repeating: one, count: 2), dUp = dGate
        for (index, threads) in [1, 3].enumerated() {
            var out = [Float](repeating: 0, count: count)
            SwiGLU.forward(out: &out, gate: gate, up: up, count: count, threads: threads)
            if index == 0 { one = out } else { two = out }
            SwiGLU.backward(gateGradient: &dGate[index], upGradient: &dUp[index], outGradient: dOut, gate: gate,
                            up: up, count: count, threads: threads)
        }
        #expect(one == two && dGate[0] == dGate[1] && dUp[0] == dUp[1])
        #expect(abs(one[count - 1] - gate[count - 1] / (1 + Foundation.exp(-gate[count - 1])) * up[count - 1]) < 1e-5)
    }
}
