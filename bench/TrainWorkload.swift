import Engine
import Foundation
import Training

/// One measured training mode of `retort bench train`.
enum TrainMode: String, CaseIterable {
    /// Full fine-tuning SFT step (forward, backward of every weight, AdamW).
    case full
    /// LoRA SFT step (frozen base: input gradients only; adapters train).
    case lora
    /// LoRA DPO step on a pair of two half-length sequences, reference log-probs cached.
    case dpo
    /// Forward pass only, adapters off: what computing a DPO reference costs.
    case reference
}

/// FLOPs per token of the model's work (2 per multiply-add), from its sizes
/// (facts/engine.md §5.1): linears, the tied LM head at the share of positions that
/// have a target (the trainer computes no logits elsewhere), causal attention.
struct TrainFlops {
    let config: LlamaConfig

    /// Multiply-adds of the seven linears of all blocks, per token.
    var linearMACs: Double {
        let c = config
        return Double(c.layers * (2 * c.channels * c.channels + 2 * c.kvDim * c.channels + 3 * c.feedForward * c.channels))
    }

    /// Forward FLOPs per token at sequence length `rows`.
    func forward(rows: Int, targetShare: Double) -> Double {
        2 * linearMACs + head(targetShare) + attention(rows: rows)
    }

    /// The LM head's forward FLOPs per token.
    func head(_ targetShare: Double) -> Double { 2 * Double(config.vocabularySize * config.channels) * targetShare }

    /// Causal attention (scores and weighted values) per token, averaged over positions.
    func attention(rows: Int) -> Double { 2 * Double(config.layers * config.channels * rows) }

    /// Full fine-tuning: forward, input gradients and weight gradients (3 × forward).
    func full(rows: Int, targetShare: Double) -> Double { 3 * forward(rows: rows, targetShare: targetShare) }

    /// The (outputs, inputs) of a block's seven linears: q, k, v, o, gate, up, down.
    var linearShapes: [(outputs: Int, inputs: Int)] {
        let c = config
        return [(c.channels, c.channels), (c.kvDim, c.channels), (c.kvDim, c.channels), (c.channels, c.channels),
                (c.feedForward, c.channels), (c.feedForward, c.channels), (c.channels, c.feedForward)]
    }

    /// LoRA on all seven matrices: forward, input gradients through the frozen base,
    /// attention backward, and three times the adapters' own forward work. An adapter on
    /// an (N, K) matrix costs r·(K + N) multiply-adds per token forward (x·Aᵀ, then ·Bᵀ);
    /// its backward (dB, dHidden, dA, dx) twice that.
    func lora(rows: Int, targetShare: Double, rank: Int) -> Double {
        let perRank = linearShapes.reduce(0) { $0 + $1.outputs + $1.inputs }
        let adapterMACs = Double(config.layers * rank * perRank)
        return 2 * forward(rows: rows, targetShare: targetShare) + attention(rows: rows) + 6 * adapterMACs
    }
}

/// OpenBLAS sgemm (`Blas.gemm`) on the GEMM shapes of one training step (a block's seven linears and
/// the LM head, forward, input gradient and weight gradient), in GFLOP/s.
enum SgemmReference {
    static func rate(config c: LlamaConfig, rows T: Int, repeats: Int) -> Double {
        let shapes = TrainFlops(config: c).linearShapes.map { ($0.outputs, $0.inputs) }
        let widest = max(c.vocabularySize, c.feedForward) * max(c.channels, c.feedForward)
        let a = buffer(T * max(c.channels, c.feedForward)), w = buffer(widest)
        let out = buffer(T * max(c.vocabularySize, c.feedForward))
        defer { a.deallocate(); w.deallocate(); out.deallocate() }
        var flops = 0.0
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<repeats {
            for (n, k) in shapes + [(c.vocabularySize, c.channels)] {
                // forward: (T, k)·(n, k)ᵀ; input gradient: (T, n)·(n, k); weight gradient: (T, n)ᵀ·(T, k)
                Blas.gemm(out: out, outStride: n, a: a, aStride: k, b: w, bStride: k, bTransposed: true,
                          rows: T, columns: n, inner: k)
                Blas.gemm(out: a, outStride: k, a: out, aStride: n, b: w, bStride: k, rows: T, columns: k, inner: n)
                Blas.gemm(out: w, outStride: k, a: out, aStride: n, aTransposed: true, b: a, bStride: k,
                          rows: n, columns: k, inner: T)
                flops += 6 * Double(T * n * k)
            }
        }
        return flops / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9) / 1e9
    }

    private static func buffer(_ count: Int) -> UnsafeMutablePointer<Float> {
        let pointer = UnsafeMutablePointer<Float>.allocate(capacity: count)
        for i in 0..<count { pointer[i] = Float((i * 7919) % 1000) / 1000 - 0.5 }
        return pointer
    }
}
