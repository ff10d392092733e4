import Engine
import Foundation

/// The teacher's distribution at one answer position, over student token ids: the top-k
/// alternatives the teacher's API returned (facts/distillation.md §11.3), mapped onto the
/// student's vocabulary with colliding mass summed. The mass outside `ids` is the tail.
public struct SparseTeacherTarget: Sendable, Equatable, Codable {
    /// The position in the sequence's `targets` this distribution predicts.
    public var position: Int32
    /// Distinct student token ids.
    public var ids: [Int32]
    /// The teacher's log-probability of each id.
    public var logprobs: [Float]

    /// A target; `ids` and `logprobs` have the same length.
    public init(position: Int32, ids: [Int32], logprobs: [Float]) {
        precondition(ids.count == logprobs.count, "one log-probability per id")
        self.position = position
        self.ids = ids
        self.logprobs = logprobs
    }
}

/// Logprob distillation: at positions with a teacher distribution the token loss is
/// `λ_CE · CE + λ_KD · KL`, the forward KL on K+1 buckets (the top-k ids and a tail bucket
/// holding the rest of the mass, TRL's `_add_tail_bucket`):
///
///     p_v = exp(ℓ_v),  r_T = max(ε, 1 − Σ_U p_v)       (teacher; U = the target's ids)
///     q = softmax(z),  r_S = max(ε, 1 − Σ_U q_v)       (student, full vocabulary)
///     KL = Σ_U p_v (ℓ_v − log q_v) + r_T (log r_T − log r_S)
///
/// With c = P − r_T Q / r_S (P, Q: the mass on U of teacher and student), the gradient with
/// respect to the logits is `c·q_j` off U and `c·q_j + (r_T/r_S) q_j − p_j` on U: `q − p`
/// when nothing is clamped. Other positions keep plain cross-entropy.
public enum SparseDistillation {
    /// The weights of the two terms at a distilled position (facts §11.3 starts at 0.5 each).
    public struct Weights: Sendable, Equatable, Codable {
        /// λ_CE.
        public var crossEntropy: Float
        /// λ_KD.
        public var divergence: Float

        /// Weights; both 0.5 by default.
        public init(crossEntropy: Float = 0.5, divergence: Float = 0.5) {
            self.crossEntropy = crossEntropy
            self.divergence = divergence
        }
    }

    /// The floor of both tail masses.
    static let epsilon = 1e-6

    /// What the backward pass needs of one distilled row.
    struct Row {
        /// The KL term.
        var divergence: Double
        /// c = P − r_T Q / r_S.
        var offSupport: Double
        /// r_T / r_S.
        var tailRatio: Double
        /// q at the target's ids.
        var studentMass: [Double]
    }

    /// The KL of one row of logits `z` (with its `log Σ exp`) against `target`.
    static func row(_ z: UnsafePointer<Float>, logSumExp: Float, target: SparseTeacherTarget) -> Row {
        var teacherMass = 0.0, studentMass = 0.0, divergence = 0.0
        var q: [Double] = []
        q.reserveCapacity(target.ids.count)
        for (id, logprob) in zip(target.ids, target.logprobs) {
            let logQ = Double(z[Int(id)]) - Double(logSumExp), p = exp(Double(logprob))
            q.append(exp(logQ))
            teacherMass += p
            studentMass += exp(logQ)
            divergence += p * (Double(logprob) - logQ)
        }
        let teacherTail = max(epsilon, 1 - teacherMass), studentTail = max(epsilon, 1 - studentMass)
        divergence += teacherTail * (log(teacherTail) - log(studentTail))
        return Row(divergence: divergence, offSupport: teacherMass - teacherTail * studentMass / studentTail,
                   tailRatio: teacherTail / studentTail, studentMass: q)
    }

    /// Turns a row that holds `s·(q − onehot(y))` (the cross-entropy backward) into the
    /// gradient of `s·(λ_CE·CE + λ_KD·KL)`.
    static func backward(_ gradient: UnsafeMutablePointer<Float>, vocabulary: Int, target: Int32, row: Row,
                         teacher: SparseTeacherTarget, weights: Weights, scale: Float) {
        let (a, b) = (Double(weights.crossEntropy), Double(weights.divergence))
        let factor = Float(a + b * row.offSupport)
        for v in 0..<vocabulary { gradient[v] *= factor }
        gradient[Int(target)] += Float(Double(scale) * b * row.offSupport)
        for (index, id) in teacher.ids.enumerated() {
            let p = exp(Double(teacher.logprobs[index]))
            gradient[Int(id)] += Float(Double(scale) * b * (row.tailRatio * row.studentMass[index] - p))
        }
    }
}

/// Distillation from a local teacher with its full distribution (`retort train kd`): the
/// token loss is `λ_CE · CE + λ_KD · KL(p ‖ q)` over the whole vocabulary, with gradient
/// `λ_CE (q − onehot y) + λ_KD (q − p)` with respect to the student's logits.
enum FullDistillation {
    /// KL(p ‖ q) of one row: `teacher` holds log p, `z` the student's logits with `logSumExp`.
    static func divergence(_ z: UnsafePointer<Float>, logSumExp: Float, teacher: UnsafePointer<Float>, vocabulary: Int) -> Double {
        var sum = 0.0
        for v in 0..<vocabulary {
            let logP = teacher[v]
            guard logP > -80 else { continue }  // p below 1e-35 adds nothing a float can hold
            sum += Double(exp(logP) * (logP - (z[v] - logSumExp)))
        }
        return sum
    }

    /// Turns a row that holds `s·(q − onehot(y))` into the gradient of `s·(λ_CE·CE + λ_KD·KL)`.
    static func backward(_ gradient: UnsafeMutablePointer<Float>, vocabulary: Int, target: Int32,
                         teacher: UnsafePointer<Float>, weights: SparseDistillation.Weights, scale: Float) {
        let (a, b) = (weights.crossEntropy, weights.divergence)
        let sb = scale * b
        for v in 0..<vocabulary { gradient[v] = (a + b) * gradient[v] - sb * exp(teacher[v]) }
        gradient[Int(target)] += sb
    }
}
