import Engine

/// Where a run is in its data: the epoch and the next position in that epoch's order.
/// Saved in every checkpoint, so a resumed run continues with the very next batch.
public struct DataCursor: Sendable, Equatable, Codable {
    /// 0-based epoch.
    public var epoch: Int
    /// Index into the epoch's shuffled order of the next example to train on.
    public var position: Int

    /// A cursor.
    public init(epoch: Int = 0, position: Int = 0) {
        self.epoch = epoch
        self.position = position
    }
}

/// Splits a dataset into optimizer batches: each epoch visits every example once in a
/// seeded shuffled order, and a batch takes examples until adding the next would exceed
/// `batchTokens` (a batch always holds at least one example). The same seed and sizes
/// give the same batches, which is what lets a run resume exactly.
public struct BatchPlan: Sendable, Equatable {
    /// Token count of each example, in dataset order.
    public let lengths: [Int]
    /// Most tokens in one optimizer batch (gradient accumulation over its sequences).
    public let batchTokens: Int
    /// Seeds each epoch's shuffle.
    public let seed: UInt64

    /// A plan; throws when there is nothing to train on or the budget is not positive.
    public init(lengths: [Int], batchTokens: Int, seed: UInt64 = 0) throws {
        guard !lengths.isEmpty else { throw TrainingError.invalidConfiguration("no training examples") }
        guard batchTokens > 0 else { throw TrainingError.invalidConfiguration("batchTokens must be > 0") }
        self.lengths = lengths
        self.batchTokens = batchTokens
        self.seed = seed
    }

    /// The example order of `epoch` (a seeded Fisher–Yates shuffle).
    public func order(epoch: Int) -> [Int] {
        var order = Array(lengths.indices)
        var random = SeededGenerator(seed: seed &+ UInt64(epoch) &* 0x9E37_79B9_7F4A_7C15)
        order.shuffle(using: &random)
        return order
    }

    /// The batch starting at `cursor` (example indices) and the cursor after it; the cursor
    /// rolls into the next epoch at the end of one.
    public func batch(at cursor: DataCursor) -> (indices: [Int], next: DataCursor) {
        var cursor = cursor
        if cursor.position >= lengths.count { cursor = DataCursor(epoch: cursor.epoch + 1, position: 0) }
        let (indices, end) = pack(order(epoch: cursor.epoch), from: cursor.position)
        return (indices, DataCursor(epoch: cursor.epoch, position: end))
    }

    /// Optimizer steps in `epochs` whole epochs (for the schedule and progress); each
    /// epoch's order is shuffled once.
    public func steps(epochs: Int) -> Int {
        var steps = 0
        for epoch in 0..<epochs {
            let order = order(epoch: epoch)
            var position = 0
            while position < order.count {
                position = pack(order, from: position).end
                steps += 1
            }
        }
        return steps
    }

    /// Greedy packing: the examples of `order` from `start` while they fit `batchTokens`
    /// (at least one), and the position after them.
    private func pack(_ order: [Int], from start: Int) -> (indices: [Int], end: Int) {
        var indices: [Int] = [], tokens = 0, position = start
        while position < order.count {
            let length = lengths[order[position]]
            if !indices.isEmpty, tokens + length > batchTokens { break }
            indices.append(order[position])
            tokens += length
            position += 1
        }
        return (indices, position)
    }
}
