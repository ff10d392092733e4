import Serving

/// Seeded synthetic routing data: features roughly standard normal, the label the sign of a
/// fixed linear score, then flipped with probability `flipRate` (label noise).
struct SyntheticRouterData {
    /// (n, d)
    var samples: [[Float]]
    /// Labels after noise. (n)
    var labels: [Bool]
    /// Labels before noise, the sign of the linear score. (n)
    var cleanLabels: [Bool]

    init(count: Int, dimension: Int, flipRate: Double = 0, seed: UInt64) {
        var generator = SplitMix64(seed: seed)
        var truthGenerator = SplitMix64(seed: 0x5eed)  // the same true direction for every seed
        let truth = (0..<dimension).map { _ in Self.normal(&truthGenerator) }
        samples = []
        labels = []
        cleanLabels = []
        for _ in 0..<count {
            let features = (0..<dimension).map { _ in Self.normal(&generator) }
            let clean = zip(truth, features).reduce(0) { $0 + $1.0 * $1.1 } > 0
            samples.append(features.map { Float($0) })
            cleanLabels.append(clean)
            labels.append(generator.nextUnit() < flipRate ? !clean : clean)
        }
    }

    /// Irwin–Hall: the sum of 12 uniforms minus 6 has mean 0 and variance 1.
    static func normal(_ generator: inout SplitMix64) -> Double {
        (0..<12).reduce(0) { total, _ in total + generator.nextUnit() } - 6
    }

    /// Share of `samples` (n, d) the model classifies as `labels` (n) at probability 0.5.
    static func accuracy(_ model: RouterModel, samples: [[Float]], labels: [Bool]) -> Double {
        let correct = zip(samples, labels).count(where: { sample, label in (model.probability(sample) >= 0.5) == label })
        return Double(correct) / Double(samples.count)
    }
}
