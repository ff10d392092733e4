import Engine

/// The student section of the configuration.
///
/// | key | type | default |
/// |---|---|---|
/// | `model` | string (GGUF path) | `models/SmolLM2-135M-Instruct.Q4_1.gguf` (`RETORT_STUDENT_MODEL`) |
/// | `threads` | int | 2: BLAS/kernel threads per generation |
/// | `max_queue` | int | 16: requests waiting for the engine; beyond it 503 with Retry-After |
/// | `default_max_tokens` | int | 512: completion budget when the request names none |
/// | `decode_weights` | string | `q8_0` (SIMD int8 decode), `q4_1` (a Q4_1 file's own blocks) or `f32` |
/// | `constrained_decoding` | bool | true: `response_format` JSON answers are decoded under the schema, so they always parse and match it; false samples freely (and lets the answer check catch invalid JSON) |
public struct StudentSettings: Sendable, Decodable {
    /// GGUF file of the student.
    public var model = "models/SmolLM2-135M-Instruct.Q4_1.gguf"
    /// Threads per generation.
    public var threads = 2
    /// Queue capacity.
    public var maxQueue = 16
    /// Completion budget without `max_tokens`.
    public var defaultMaxTokens = 512
    /// Weight format for decode (`auto`: chosen for the model file when it loads).
    public var decodeWeights = DecodeWeights.auto
    /// Whether JSON `response_format`s constrain decoding.
    public var constrainedDecoding = true

    /// The defaults.
    public init() {}

    enum CodingKeys: String, CodingKey {
        case model, threads, maxQueue = "max_queue", defaultMaxTokens = "default_max_tokens", decodeWeights = "decode_weights"
        case constrainedDecoding = "constrained_decoding"
    }

    /// Decodes the section; missing keys keep their defaults, an unknown `decode_weights` is an error.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = StudentSettings()
        model = try c.decodeIfPresent(String.self, forKey: .model) ?? d.model
        threads = try c.decodeIfPresent(Int.self, forKey: .threads) ?? d.threads
        maxQueue = try c.decodeIfPresent(Int.self, forKey: .maxQueue) ?? d.maxQueue
        defaultMaxTokens = try c.decodeIfPresent(Int.self, forKey: .defaultMaxTokens) ?? d.defaultMaxTokens
        constrainedDecoding = try c.decodeIfPresent(Bool.self, forKey: .constrainedDecoding) ?? d.constrainedDecoding
        if let name = try c.decodeIfPresent(String.self, forKey: .decodeWeights) {
            guard let weights = DecodeWeights(rawValue: name) else {
                let names = DecodeWeights.allCases.map(\.rawValue).joined(separator: ", ")
                throw DecodingError.dataCorruptedError(forKey: .decodeWeights, in: c,
                                                       debugDescription: "decode_weights must be one of \(names)")
            }
            decodeWeights = weights
        } else {
            decodeWeights = d.decodeWeights
        }
    }
}
