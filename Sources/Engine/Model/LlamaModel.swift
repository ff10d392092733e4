/// A loaded Llama-architecture model: configuration and weights, shared read-only by
/// every session.
public final class LlamaModel: Sendable {
    /// The model's sizes.
    public let config: LlamaConfig
    /// Threads for the decode kernels (OpenBLAS is set to the same count).
    public let threads: Int
    /// How decode multiplies by the weights.
    public let decodeWeights: DecodeWeights
    let weights: LlamaWeights

    /// Converts the weights of `file`.
    public init(file: GGUFFile, threads: Int = 2, decodeWeights: DecodeWeights = .q8_0) throws {
        config = try LlamaConfig(file: file)
        self.threads = max(1, threads)
        self.decodeWeights = decodeWeights
        Blas.setThreads(self.threads)
        weights = try LlamaWeights(file: file, config: config, decode: decodeWeights)
    }

    /// A fresh session (its own KV cache) on this model.
    /// - Parameters:
    ///   - capacity: KV positions to allocate up front (the cache grows as needed)
    ///   - batchLimit: longest prefill batch (longer prompts go in chunks)
    public func makeSession(capacity: Int = 256, batchLimit: Int = InferenceSession.defaultBatchLimit) -> InferenceSession {
        InferenceSession(model: self, capacity: capacity, batchLimit: batchLimit)
    }
}
