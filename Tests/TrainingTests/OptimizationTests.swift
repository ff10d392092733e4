import Engine
import Foundation
import Testing
@testable import Training

/// AdamW, clipping, the schedule and gradient accumulation.
@Suite struct OptimizationTests {
    @Test func adamWConvergesOnAQuadratic() throws {
        // f(x) = Σ a_i (x_i − c_i)², ∇f = 2 a (x − c); minimum at c.
        let a: [Float] = [1, 10, 0.1, 3], centre: [Float] = [2, -1, 0.5, 4]
        let x = Tensor(count: 4), gradient = Tensor(count: 4)
        let optimizer = try AdamW(count: 4, settings: .init(weightDecay: 0))
        for _ in 0..<2000 {
            for i in 0..<4 { gradient.pointer[i] = 2 * a[i] * (x.pointer[i] - centre[i]) }
            optimizer.step(parameters: x.pointer, gradients: gradient.pointer, learningRate: 0.05)
        }
        for i in 0..<4 { #expect(abs(x.pointer[i] - centre[i]) < 1e-2) }
    }

    @Test func firstStepMovesByTheLearningRateAgainstTheGradient() throws {
        let x = Tensor(count: 3, value: 1), gradient = Tensor(count: 3)
        gradient.pointer[0] = 0.5; gradient.pointer[1] = -20; gradient.pointer[2] = 0
        let optimizer = try AdamW(count: 3, settings: .init(weightDecay: 0))
        optimizer.step(parameters: x.pointer, gradients: gradient.pointer, learningRate: 0.1)
        #expect(abs(x.pointer[0] - 0.9) < 1e-6 && abs(x.pointer[1] - 1.1) < 1e-6 && x.pointer[2] == 1)
    }

    @Test func weightDecayIsDecoupledAndOnlyOnChosenRanges() throws {
        let x = Tensor(count: 4, value: 2), gradient = Tensor(count: 4)  // zero gradient: only decay acts
        let optimizer = try AdamW(count: 4, settings: .init(weightDecay: 0.5), decayedRanges: [0..<2])
        optimizer.step(parameters: x.pointer, gradients: gradient.pointer, learningRate: 0.1)
        #expect(x.array == [1.9, 1.9, 2, 2])
        #expect(throws: TrainingError.self) { try AdamW(count: 4, settings: .init(beta1: 1)) }
    }

    @Test func warmupThenCosine() throws {
        let schedule = try LearningRateSchedule(peak: 1e-3, warmupSteps: 10, totalSteps: 110)
        #expect(schedule.rate(at: 0) == 0)
        #expect(abs(schedule.rate(at: 5) - 5e-4) < 1e-9)
        #expect(abs(schedule.rate(at: 10) - 1e-3) < 1e-9)
        #expect(abs(schedule.rate(at: 60) - 5e-4) < 1e-9)
        #expect(abs(schedule.rate(at: 35) - 1e-3 * Float(0.5 * (1 + cos(Double.pi / 4)))) < 1e-9)
        #expect(schedule.rate(at: 110) == 0 && schedule.rate(at: 500) == 0)
        let floored = try LearningRateSchedule(peak: 1e-3, warmupSteps: 0, totalSteps: 100, floor: 1e-4)
        #expect(floored.rate(at: 0) == 1e-3 && abs(floored.rate(at: 100) - 1e-4) < 1e-9)
        #expect(throws: TrainingError.self) { try LearningRateSchedule(peak: 1, warmupSteps: 10, totalSteps: 10) }
    }

    @Test func clipsByTheGlobalNorm() {
        let gradient = Tensor(count: 2)
        gradient.pointer[0] = 3; gradient.pointer[1] = 4
        #expect(GradientClipping.clip(gradient.pointer, count: 2, maxNorm: 10) == 5)
        #expect(gradient.array == [3, 4])
        #expect(GradientClipping.clip(gradient.pointer, count: 2, maxNorm: 1) == 5)
        #expect(abs(gradient.pointer[0] - 0.6) < 1e-5 && abs(gradient.pointer[1] - 0.8) < 1e-5)
    }

    @Test func accumulationWeightsSequencesByTheirTargetTokens() {
        let config = ModelGradientTests.config
        let model = TrainableLlama(config: config, maxRows: 8)
        model.initializeRandomly(seed: 21, scale: 0.5)
        let first = TrainingSequence(tokens: [1, 2, 3, 4], targets: [CrossEntropy.ignored, 3, 4, 5])  // 3 targets
        let second = TrainingSequence(tokens: [6, 7, 8, 9, 10], targets: [7, CrossEntropy.ignored, 9, 10, 0])
        func gradient(of sequences: [TrainingSequence], normalizer: Float?) -> [Float] {
            model.zeroGradients()
            for s in sequences {
                _ = model.forward(tokens: s.tokens, targets: s.targets, normalizer: normalizer)
                model.backward()
            }
            return Array(UnsafeBufferPointer(start: model.gradients, count: model.layout.count))
        }
        let own1 = gradient(of: [first], normalizer: nil), own2 = gradient(of: [second], normalizer: nil)
        let accumulated = gradient(of: [first, second], normalizer: 7)
        for i in 0..<accumulated.count {
            #expect(abs(accumulated[i] - (3 * own1[i] + 4 * own2[i]) / 7) < 1e-5)
        }
    }
}
