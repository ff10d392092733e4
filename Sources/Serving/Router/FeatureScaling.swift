/// Per-feature standardisation, x̃ = (x − mean) / scale, fitted on the router's training
/// samples so that one L2 penalty treats every feature alike.
///
/// Means and scales are taken over the finite values of each feature only. The scale is the
/// population standard deviation (divisor n, NumPy's `std` with `ddof=0`); a feature with no
/// variance (or no finite value) gets scale 1, so it standardises to 0 rather than dividing by 0.
/// A non-finite standardised value (a NaN or infinite input) becomes 0, the training mean.
public struct FeatureScaling: Sendable, Hashable {
    /// The mean of each feature over the finite training values. (d)
    public let means: [Double]
    /// The standard deviation of each feature over the finite training values; 1 where it is 0. (d)
    public let scales: [Double]

    /// A scaling with these parameters; they must have the same count and the scales be finite and > 0.
    public init(means: [Double], scales: [Double]) {
        precondition(means.count == scales.count, "FeatureScaling: \(means.count) means but \(scales.count) scales")
        precondition(scales.allSatisfy { $0 > 0 && $0.isFinite }, "FeatureScaling: scales must be finite and > 0")
        self.means = means
        self.scales = scales
    }

    /// The scaling fitted to `samples` (n, d); every sample must have d features.
    public init(fittedTo samples: [[Float]]) {
        let dimension = samples.first?.count ?? 0
        var sums = [Double](repeating: 0, count: dimension)  // (d)
        var counts = [Int](repeating: 0, count: dimension)  // (d)
        for sample in samples {
            precondition(sample.count == dimension, "FeatureScaling: a sample has \(sample.count) features, not \(dimension)")
            for (feature, value) in sample.enumerated() where value.isFinite {
                sums[feature] += Double(value)
                counts[feature] += 1
            }
        }
        let means = zip(sums, counts).map { sum, count in count > 0 ? sum / Double(count) : 0 }
        var squares = [Double](repeating: 0, count: dimension)  // (d)
        for sample in samples {
            for (feature, value) in sample.enumerated() where value.isFinite {
                let deviation = Double(value) - means[feature]
                squares[feature] += deviation * deviation
            }
        }
        let scales = zip(squares, counts).map { square, count -> Double in
            let deviation = count > 0 ? (square / Double(count)).squareRoot() : 0
            return deviation > 0 && deviation.isFinite ? deviation : 1
        }
        self.init(means: means, scales: scales)
    }

    /// The number of features, d.
    public var dimension: Int { means.count }

    /// `features` (d) standardised (d); non-finite results become 0.
    public func standardized(_ features: [Float]) -> [Double] {
        precondition(features.count == dimension, "FeatureScaling: \(features.count) features, expected \(dimension)")
        return features.indices.map { feature in
            let value = (Double(features[feature]) - means[feature]) / scales[feature]
            return value.isFinite ? value : 0
        }
    }
}
