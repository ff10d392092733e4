/// The activation arena of a session for batches of up to `batch` tokens attending over
/// up to `positions` cached positions; allocated once and carved by a table of sizes.
final class SessionBuffers {
    /// Rows the batch buffers hold.
    let batch: Int
    /// Key positions the score buffer holds.
    let positions: Int
    /// (T, C) residual stream.
    let residual: UnsafeMutablePointer<Float>
    /// (T, C) normalized input of a sub-block.
    let normalized: UnsafeMutablePointer<Float>
    /// (T, C + 2·kvDim) fused q|k|v.
    let qkv: UnsafeMutablePointer<Float>
    /// (T, C) attention output, heads side by side.
    let attention: UnsafeMutablePointer<Float>
    /// (max(T, NH), positions) attention scores: one head's rows in a batch, or every
    /// head's single row in decode.
    let scores: UnsafeMutablePointer<Float>
    /// (T, 2F) gate | up.
    let gateUp: UnsafeMutablePointer<Float>
    /// (T, F) SwiGLU output.
    let hidden: UnsafeMutablePointer<Float>
    /// (T, headDim/2) RoPE cosines and sines.
    let cosines: UnsafeMutablePointer<Float>, sines: UnsafeMutablePointer<Float>
    /// (V) logits of the last position.
    let logits: UnsafeMutablePointer<Float>
    /// Q8 activation for the decode kernel, max(C, F) wide.
    let quantized: Q8Activation
    private let arena: UnsafeMutablePointer<Float>

    init(config c: LlamaConfig, batch: Int, positions: Int) {
        self.batch = batch
        self.positions = positions
        let sizes = [batch * c.channels, batch * c.channels, batch * c.qkvWidth, batch * c.channels,
                     max(batch, c.heads) * positions, batch * 2 * c.feedForward, batch * c.feedForward,
                     batch * c.headDim / 2, batch * c.headDim / 2, c.vocabularySize]
        arena = .allocate(capacity: sizes.reduce(0, +))
        arena.initialize(repeating: 0, count: sizes.reduce(0, +))
        var slices: [UnsafeMutablePointer<Float>] = []
        var offset = 0
        for size in sizes {
            slices.append(arena + offset)
            offset += size
        }
        (residual, normalized, qkv, attention, scores) = (slices[0], slices[1], slices[2], slices[3], slices[4])
        (gateUp, hidden, cosines, sines, logits) = (slices[5], slices[6], slices[7], slices[8], slices[9])
        quantized = Q8Activation(capacity: max(c.channels, c.feedForward))
    }

    deinit { arena.deallocate() }
}

/// The key/value cache: keys and values (L, capacity, kvDim), grown by doubling.
final class KVCache {
    /// Positions each layer holds.
    private(set) var capacity: Int
    /// (L, capacity, kvDim)
    private(set) var keys: UnsafeMutablePointer<Float>
    /// (L, capacity, kvDim)
    private(set) var values: UnsafeMutablePointer<Float>
    private let layers: Int, kvDim: Int

    init(layers: Int, kvDim: Int, capacity: Int) {
        self.layers = layers
        self.kvDim = kvDim
        self.capacity = capacity
        keys = .allocate(capacity: layers * capacity * kvDim)
        values = .allocate(capacity: layers * capacity * kvDim)
    }

    deinit {
        keys.deallocate()
        values.deallocate()
    }

    /// (capacity, kvDim) keys of `layer`.
    func keys(layer: Int) -> UnsafeMutablePointer<Float> { keys + layer * capacity * kvDim }
    /// (capacity, kvDim) values of `layer`.
    func values(layer: Int) -> UnsafeMutablePointer<Float> { values + layer * capacity * kvDim }

    /// Makes room for at least `needed` positions, keeping the first `filled`.
    func reserve(_ needed: Int, filled: Int) {
        guard needed > capacity else { return }
        let newCapacity = max(needed, 2 * capacity)
        let newKeys = UnsafeMutablePointer<Float>.allocate(capacity: layers * newCapacity * kvDim)
        let newValues = UnsafeMutablePointer<Float>.allocate(capacity: layers * newCapacity * kvDim)
        for layer in 0..<layers {
            (newKeys + layer * newCapacity * kvDim).update(from: keys(layer: layer), count: filled * kvDim)
            (newValues + layer * newCapacity * kvDim).update(from: values(layer: layer), count: filled * kvDim)
        }
        keys.deallocate()
        values.deallocate()
        (keys, values, capacity) = (newKeys, newValues, newCapacity)
    }
}
