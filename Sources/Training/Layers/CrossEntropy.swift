import Engine
import Foundation

/// Softmax cross-entropy over the vocabulary with a loss mask: positions whose target
/// is `CrossEntropy.ignored` (−100, as in Hugging Face labels) contribute nothing. The
/// summed loss is divided by `normalizer`, the number of masked-in tokens over the whole
/// (accumulated) batch (facts/distillation.md §11.1, `num_items_in_batch`).
public enum CrossEntropy {
    /// The target id of a masked-out position.
    public static let ignored: Int32 = -100

    /// Counts the masked-in positions of `targets`.
    public static func maskedInCount(_ targets: [Int32]) -> Int {
        targets.reduce(0) { $0 + ($1 == ignored ? 0 : 1) }
    }

    /// Returns `Σ_t −log softmax(logits[t])[targets[t]] / normalizer` over masked-in t.
    /// - Parameters:
    ///   - losses: (T), written: each position's token loss (0 where masked out)
    ///   - logits: (T, V)
    ///   - targets: (T), ids or `ignored`
    public static func forward(losses: UnsafeMutablePointer<Float>, logits: UnsafePointer<Float>,
                               targets: UnsafePointer<Int32>, rows: Int, vocabulary: Int,
                               normalizer: Float) -> Float {
        var total: Double = 0
        for t in 0..<rows {
            guard targets[t] != ignored else { losses[t] = 0; continue }
            let row = logits + t * vocabulary
            var maximum = -Float.infinity
            for v in 0..<vocabulary { maximum = max(maximum, row[v]) }
            var sum: Double = 0
            for v in 0..<vocabulary { sum += Double(exp(row[v] - maximum)) }
            let loss = Float(log(sum)) + maximum - row[Int(targets[t])]
            losses[t] = loss
            total += Double(loss)
        }
        return Float(total) / normalizer
    }

    /// `dlogits[t] = scale · (softmax(logits[t]) − onehot(targets[t])) / normalizer` on
    /// masked-in rows, 0 elsewhere. `scale` is dL/d(loss) (1 for plain SFT; a per-sequence
    /// weight for DPO). May run in place (`logitsGradient == logits`).
    /// - Parameters:
    ///   - logitsGradient: (T, V), written
    ///   - logits: (T, V)
    ///   - targets: (T)
    public static func backward(logitsGradient: UnsafeMutablePointer<Float>, logits: UnsafePointer<Float>,
                                targets: UnsafePointer<Int32>, rows: Int, vocabulary: Int,
                                normalizer: Float, scale: Float = 1) {
        for t in 0..<rows {
            let row = logits + t * vocabulary, target = logitsGradient + t * vocabulary
            guard targets[t] != ignored else { target.update(repeating: 0, count: vocabulary); continue }
            var maximum = -Float.infinity
            for v in 0..<vocabulary { maximum = max(maximum, row[v]) }
            var sum: Float = 0
            for v in 0..<vocabulary { let e = exp(row[v] - maximum); target[v] = e; sum += e }
            let factor = scale / (sum * normalizer)
            for v in 0..<vocabulary { target[v] *= factor }
            target[Int(targets[t])] -= scale / normalizer
        }
    }

    /// Token losses of rows that all have a target (the model's compact target rows),
    /// keeping `log Σ exp` of each row for `backward(logits:…)`; rows split over `threads`.
    /// Returns Σ losses.
    /// - Parameters:
    ///   - losses: (N), written
    ///   - logSumExp: (N), written
    ///   - logits: (N, V)
    ///   - targets: (N) ids in `0 ..< V`
    public static func forward(losses: UnsafeMutablePointer<Float>, logSumExp: UnsafeMutablePointer<Float>,
                               logits: UnsafePointer<Float>, targets: UnsafePointer<Int32>, rows: Int,
                               vocabulary: Int, threads: Int = 1) -> Double {
        let (out, shifts, input, ids) = (Disjoint(losses), Disjoint(logSumExp), Disjoint(logits), Disjoint(targets))
        Parallel.forEach(rows, threads: threads) { range in
            for t in range {
                let row = input.value + t * vocabulary
                let maximum = VectorMath.maximum(row, count: vocabulary)
                shifts.value[t] = log(VectorMath.sumOfExponentials(row, count: vocabulary, shift: maximum)) + maximum
                out.value[t] = shifts.value[t] - row[Int(ids.value[t])]
            }
        }
        var total: Double = 0
        for t in 0..<rows { total += Double(losses[t]) }
        return total
    }

    /// `logits[t] ← scale · (softmax(logits[t]) − onehot(targets[t]))` in place, from the
    /// `logSumExp` that `forward(losses:logSumExp:…)` kept; rows split over `threads`.
    /// - Parameters:
    ///   - logits: (N, V), replaced by their gradient
    ///   - logSumExp: (N)
    ///   - targets: (N)
    public static func backward(logits: UnsafeMutablePointer<Float>, logSumExp: UnsafePointer<Float>,
                                targets: UnsafePointer<Int32>, rows: Int, vocabulary: Int, scale: Float,
                                threads: Int = 1) {
        let (gradients, shifts, ids) = (Disjoint(logits), Disjoint(logSumExp), Disjoint(targets))
        Parallel.forEach(rows, threads: threads) { range in
            for t in range {
                let row = gradients.value + t * vocabulary
                VectorMath.scaledExponentials(row, count: vocabulary, shift: shifts.value[t], scale: scale)
                row[Int(ids.value[t])] -= scale
            }
        }
    }
}
