import Serving
import Testing

@Suite struct RouterObjectiveTests {
    static let data = SyntheticRouterData(count: 30, dimension: 5, flipRate: 0.2, seed: 7)

    static func objective(l2: Double) -> RouterObjective {
        RouterObjective(
            samples: data.samples, labels: data.labels, scaling: FeatureScaling(fittedTo: data.samples), l2: l2)
    }

    @Test(arguments: [0.0, 0.3])
    func gradientMatchesCentralDifferences(l2: Double) {
        let objective = Self.objective(l2: l2)
        var generator = SplitMix64(seed: 11)
        let weights = (0..<5).map { _ in generator.nextUnit() * 2 - 1 }
        let bias = 0.4
        let analytic = objective.gradient(weights: weights, bias: bias)
        let step = 1e-6
        for feature in 0..<5 {
            var plus = weights, minus = weights
            plus[feature] += step
            minus[feature] -= step
            let numeric = (objective.loss(weights: plus, bias: bias) - objective.loss(weights: minus, bias: bias)) / (2 * step)
            #expect(abs(numeric - analytic.weights[feature]) < 1e-8, "feature \(feature)")
        }
        let numericBias = (objective.loss(weights: weights, bias: bias + step)
            - objective.loss(weights: weights, bias: bias - step)) / (2 * step)
        #expect(abs(numericBias - analytic.bias) < 1e-8)
    }

    @Test func lossAtZeroIsLogTwo() {
        let loss = Self.objective(l2: 5).loss(weights: [0, 0, 0, 0, 0], bias: 0)
        #expect(abs(loss - 0.693_147_180_559_945_3) < 1e-12, "σ(0) = ½ for every sample; no penalty at 0")
    }

    @Test func theFitIsAStationaryPoint() {
        let objective = Self.objective(l2: 0.05)
        let model = RouterModel.fit(samples: Self.data.samples, labels: Self.data.labels, l2: 0.05, iterations: 50)
        let gradient = objective.gradient(weights: model.weights, bias: model.bias)
        #expect((gradient.weights + [gradient.bias]).allSatisfy { abs($0) < 1e-9 })
    }
}
