/// A loaded Llama-architecture model: configuration and weights, shared read-only by
/// every session.
public final class LlamaModel: Sendable {
    /// The model's sizes.
    public let config: LlamaConfig
    /// Threads for the decode kernels (OpenBLAS is set to the same count).
    public let threads: Int
    /// How decode multiplies by the weights: never `auto` (resolved for the file at load).
    public let decodeWeights: DecodeWeights
    let weights: LlamaWeights

    /// Converts the weights of `file`.
    public init(file: GGUFFile, threads: Int = 2, decodeWeights: DecodeWeights = .auto) throws {
        config = try LlamaConfig(file: file)
        self.threads = max(1, threads)
        self.decodeWeights = decodeWeights.resolved(for: file)
        Blas.setThreads(self.threads)
        weights = try LlamaWeights(file: file, config: config, decode: self.decodeWeights)
    }

    /// Weight bytes one decoded token reads: every layer's linears in the decode format and
    /// the LM head (the KV cache and the norms not counted). Divided by the time per token,
    /// the bandwidth decode draws.
    public var decodeBytesPerToken: Int {
        let linears = weights.layers.flatMap { [$0.qkv, $0.output, $0.gateUp, $0.down] }
        return linears.reduce(weights.lmHead.bytes) { total, linear in
            total + (linear.quantized?.bytes ?? 4 * linear.outputs * linear.inputs)
        }
    }

    /// A fresh session (its own KV cache) on this model.
    /// - Parameters:
    ///   - capacity: KV positions to allocate up front (the cache grows as needed)
    ///   - batchLimit: longest prefill batch (longer prompts go in chunks)
    public func makeSession(capacity: Int = 256, batchLimit: Int = InferenceSession.defaultBatchLimit) -> InferenceSession {
        InferenceSession(model: self, capacity: capacity, batchLimit: batchLimit)
    }
}
