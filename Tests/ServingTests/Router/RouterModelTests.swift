import Foundation
import Serving
import Testing

@Suite struct RouterModelTests {
    @Test func learnsSeparableData() {
        let training = SyntheticRouterData(count: 300, dimension: 10, seed: 1)
        let heldOut = SyntheticRouterData(count: 1000, dimension: 10, seed: 2)
        let model = RouterModel.fit(samples: training.samples, labels: training.labels, l2: 1e-3, iterations: 50)
        #expect(SyntheticRouterData.accuracy(model, samples: training.samples, labels: training.labels) >= 0.98)
        #expect(SyntheticRouterData.accuracy(model, samples: heldOut.samples, labels: heldOut.labels) >= 0.95)
    }

    @Test func learnsThroughLabelNoise() {
        let training = SyntheticRouterData(count: 600, dimension: 10, flipRate: 0.2, seed: 3)
        let heldOut = SyntheticRouterData(count: 1000, dimension: 10, flipRate: 0.2, seed: 4)
        let model = RouterModel.fit(samples: training.samples, labels: training.labels, l2: 1e-2, iterations: 50)
        #expect(SyntheticRouterData.accuracy(model, samples: heldOut.samples, labels: heldOut.cleanLabels) >= 0.9)
        let scores = heldOut.samples.map(model.probability)
        #expect((CoverageCurve(scores: scores, studentGood: heldOut.labels).auc ?? 0) >= 0.75)
    }

    @Test func fittingIsDeterministic() {
        let data = SyntheticRouterData(count: 80, dimension: 6, flipRate: 0.1, seed: 5)
        let first = RouterModel.fit(samples: data.samples, labels: data.labels, l2: 0.1, iterations: 20)
        let second = RouterModel.fit(samples: data.samples, labels: data.labels, l2: 0.1, iterations: 20)
        #expect(first == second)
    }

    @Test func noSamplesGiveAHalf() {
        let model = RouterModel.fit(samples: [], labels: [], l2: 0.1, iterations: 10)
        #expect(model.constantProbability == 0.5 && model.probability([1, 2, 3]) == 0.5 && model.dimension == 0)
    }

    @Test func equalLabelsGiveTheBaseRate() {
        let samples: [[Float]] = [[1, 2], [3, 4], [5, 7]]
        #expect(RouterModel.fit(samples: samples, labels: [true, true, true], l2: 0.1, iterations: 10).probability([0, 0]) == 1)
        let bad = RouterModel.fit(samples: samples, labels: [false, false, false], l2: 0.1, iterations: 10)
        #expect(bad.probability([9, 9]) == 0 && bad.logit([9, 9]) == -.infinity)
    }

    @Test func nonFiniteFeaturesCountAsTheMean() {
        var data = SyntheticRouterData(count: 60, dimension: 3, flipRate: 0.1, seed: 6)
        data.samples[0][1] = .nan
        data.samples[5][2] = .infinity
        let model = RouterModel.fit(samples: data.samples, labels: data.labels, l2: 0.1, iterations: 30)
        #expect(model.weights.allSatisfy(\.isFinite) && model.bias.isFinite)
        let finite = data.samples.indices.filter { $0 != 0 }.map { Double(data.samples[$0][1]) }
        #expect(abs(model.scaling.means[1] - finite.reduce(0, +) / Double(finite.count)) < 1e-12)
        let atMean: [Float] = [0.5, Float(model.scaling.means[1]), -1]
        #expect(abs(model.probability([0.5, .nan, -1]) - model.probability(atMean)) < 1e-6)
    }

    @Test func aConstantFeatureGetsScaleOneAndNoWeight() {
        var data = SyntheticRouterData(count: 50, dimension: 3, flipRate: 0.1, seed: 8)
        for index in data.samples.indices { data.samples[index][2] = 4.25 }
        let model = RouterModel.fit(samples: data.samples, labels: data.labels, l2: 0.1, iterations: 30)
        #expect(model.scaling.means[2] == 4.25 && model.scaling.scales[2] == 1 && model.weights[2] == 0)
    }

    @Test func codableRoundTripAndRejection() throws {
        let data = SyntheticRouterData(count: 40, dimension: 4, flipRate: 0.1, seed: 9)
        let model = RouterModel.fit(samples: data.samples, labels: data.labels, l2: 0.1, iterations: 20)
        let decoded = try JSONDecoder().decode(RouterModel.self, from: JSONEncoder().encode(model))
        #expect(decoded == model && decoded.probability(data.samples[3]) == model.probability(data.samples[3]))
        let constant = try JSONDecoder().decode(RouterModel.self, from: JSONEncoder().encode(RouterModel.constant(1)))
        #expect(constant == .constant(1))
        let mismatched = Data(#"{"scaling":{"means":[0,0],"scales":[1,1]},"weights":[1],"bias":0}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(RouterModel.self, from: mismatched) }
        let zeroScale = Data(#"{"scaling":{"means":[0],"scales":[0]},"weights":[1],"bias":0}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(RouterModel.self, from: zeroScale) }
        let notAProbability = Data(#"{"constantProbability":1.5}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(RouterModel.self, from: notAProbability) }
    }

    /// Prints the fit time at serving scale (a 576-d hidden state plus statistics); no assertion
    /// on time. Debug builds compile `Serving` unoptimised, so they time a smaller problem.
    @Test func fitTimeAtServingScale() {
        #if DEBUG
        let (count, dimension) = (300, 120)
        #else
        let (count, dimension) = (300, 600)
        #endif
        let data = SyntheticRouterData(count: count, dimension: dimension, flipRate: 0.2, seed: 10)
        var model = RouterModel.constant(0.5)
        let elapsed = ContinuousClock().measure {
            model = RouterModel.fit(samples: data.samples, labels: data.labels, l2: 1e-2, iterations: 50)
        }
        print("RouterModel.fit n=\(count) d=\(dimension): \(elapsed)")
        #expect(model.dimension == dimension)
    }
}
