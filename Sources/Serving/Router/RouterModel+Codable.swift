extension RouterModel: Codable {
    private enum CodingKeys: String, CodingKey {
        case scaling, weights, bias, constantProbability
    }

    /// Decodes a stored model and checks it (counts agree, values finite, a constant in 0…1),
    /// so a hand-edited or corrupt record is rejected instead of routing requests.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let probability = try container.decodeIfPresent(Double.self, forKey: .constantProbability) {
            guard (0...1).contains(probability) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .constantProbability, in: container, debugDescription: "not a probability: \(probability)")
            }
            self = .constant(probability)
            return
        }
        let scaling = try container.decode(FeatureScaling.self, forKey: .scaling)
        let weights = try container.decode([Double].self, forKey: .weights)
        let bias = try container.decode(Double.self, forKey: .bias)
        guard weights.count == scaling.dimension, weights.allSatisfy(\.isFinite), bias.isFinite else {
            throw DecodingError.dataCorruptedError(
                forKey: .weights, in: container,
                debugDescription: "\(weights.count) weights for \(scaling.dimension) features, or not finite")
        }
        self.init(scaling: scaling, weights: weights, bias: bias)
    }

    /// Encodes a constant model as its probability alone, a logistic one as scaling, weights and bias.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        if let constantProbability {
            try container.encode(constantProbability, forKey: .constantProbability)
            return
        }
        try container.encode(scaling, forKey: .scaling)
        try container.encode(weights, forKey: .weights)
        try container.encode(bias, forKey: .bias)
    }
}

extension FeatureScaling: Codable {
    private enum CodingKeys: String, CodingKey {
        case means, scales
    }

    /// Decodes a stored scaling and checks it: as many scales as means, all finite and > 0.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let means = try container.decode([Double].self, forKey: .means)
        let scales = try container.decode([Double].self, forKey: .scales)
        guard means.count == scales.count, means.allSatisfy(\.isFinite), scales.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw DecodingError.dataCorruptedError(
                forKey: .scales, in: container,
                debugDescription: "\(means.count) means and \(scales.count) scales, or a scale not finite and > 0")
        }
        self.init(means: means, scales: scales)
    }

    /// Encodes the means and scales.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(means, forKey: .means)
        try container.encode(scales, forKey: .scales)
    }
}
