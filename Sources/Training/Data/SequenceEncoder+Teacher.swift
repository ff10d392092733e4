import struct ChatAPI.TokenLogprobs
import Foundation

extension SequenceEncoder {
    /// The teacher's distributions at the answer positions where both tokenizations start
    /// a token at the same byte offset (facts/distillation.md §11.4, ladder (b)); with the
    /// same tokenizer that is every position. At such a position each alternative the
    /// teacher gave (and its own token) maps to the student token its bytes are, else to
    /// the first student token of their tokenization, colliding mass summed; alternatives
    /// with no student token fall in the tail. Other positions keep plain cross-entropy.
    /// - Parameters:
    ///   - completion: the student's answer tokens as encoded (possibly cut; an end-of-turn
    ///     token, which has no bytes, never aligns)
    ///   - firstTarget: the index in the sequence's targets of the first answer token
    func teacherTargets(_ logprobs: TokenLogprobs, completion: [Int32], firstTarget: Int) -> [SparseTeacherTarget] {
        var teacherAt: [Int: Int] = [:], offset = 0
        for (index, token) in logprobs.tokens.enumerated() {
            if !token.bytes.isEmpty { teacherAt[offset] = index }
            offset += token.bytes.count
        }
        var targets: [SparseTeacherTarget] = []
        offset = 0
        for (index, id) in completion.enumerated() {
            let length = tokenizer.bytes(of: id).count
            defer { offset += length }
            guard length > 0, let teacherIndex = teacherAt[offset] else { continue }
            let token = logprobs.tokens[teacherIndex]
            var alternatives = token.top
            if !alternatives.contains(where: { $0.bytes == token.bytes }) {
                alternatives.append(.init(bytes: token.bytes, logprob: token.logprob))
            }
            var mass: [Int32: Double] = [:]
            for alternative in alternatives where !alternative.bytes.isEmpty {
                guard let student = tokenizer.encode(bytes: alternative.bytes).first else { continue }
                mass[student, default: 0] += exp(Double(alternative.logprob))
            }
            let ids = mass.keys.sorted()
            guard !ids.isEmpty else { continue }
            targets.append(SparseTeacherTarget(position: Int32(firstTarget + index), ids: ids,
                                               logprobs: ids.map { Float(log(mass[$0]!)) }))
        }
        return targets
    }
}
