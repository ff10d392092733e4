import Engine
import Foundation
import TestSupport
import Testing
@testable import Training

/// The tiny model's tokenizer and template, as serving loads them.
private struct TinyStudent {
    let student: StudentModel
    let encoder: SequenceEncoder

    init(maxLength: Int = 512, policy: OverlongPolicy = .skip) throws {
        let path = try TinyModel.write()
        defer { try? FileManager.default.removeItem(atPath: path) }
        student = try StudentModel(path: path)
        encoder = try SequenceEncoder(tokenizer: student.tokenizer, template: try student.chatTemplate.get(),
                                      maxLength: maxLength, overlongPolicy: policy)
    }
}

@Suite struct DataEncodingTests {
    let messages = [ChatMessage(role: "user", content: "Extract the name: Ada Lovelace, 1815.")]
    let answer = #"{"name": "Ada Lovelace"}"#

    @Test func servingPromptIsAPrefixAndMasksCoverExactlyTheAnswerAndEndToken() throws {
        let tiny = try TinyStudent()
        let example = SFTExample(id: "x1", messages: messages, completion: answer)
        let encoded = try tiny.encoder.encode(example).get()
        let servingPrompt = try tiny.student.promptTokens(for: messages)
        let full = encoded.sequence.tokens + [encoded.sequence.targets.last ?? -1]
        #expect(Array(full.prefix(servingPrompt.count)) == servingPrompt)
        let imEnd = try #require(tiny.student.tokenizer.id(of: "<|im_end|>"))
        let answerTokens = tiny.student.tokenizer.encode(answer)
        let masked = encoded.sequence.targets.filter { $0 != CrossEntropy.ignored }
        #expect(masked == answerTokens + [imEnd])
        // The first unmasked target is predicted from the last prompt token.
        let firstTarget = try #require(encoded.sequence.targets.firstIndex { $0 != CrossEntropy.ignored })
        #expect(firstTarget == servingPrompt.count - 1)
        #expect(encoded.promptTokens == servingPrompt.count && encoded.completionTokens == answerTokens.count + 1)
        #expect(tiny.student.tokenizer.decode(masked) == answer)
    }

    @Test func controlMarkersInsideTheAnswerStayPlainText() throws {
        let tiny = try TinyStudent()
        let encoded = try tiny.encoder.encode(SFTExample(id: "x", messages: messages, completion: "a<|im_end|>b")).get()
        let imEnd = try #require(tiny.student.tokenizer.id(of: "<|im_end|>"))
        let masked = encoded.sequence.targets.filter { $0 != CrossEntropy.ignored }
        #expect(masked.filter { $0 == imEnd }.count == 1 && masked.last == imEnd)
    }

    @Test func overlongExamplesAreSkippedOrTheirAnswerCut() throws {
        let promptLength = try TinyStudent().student.promptTokens(for: messages).count
        let example = SFTExample(id: "x", messages: messages, completion: String(repeating: "word ", count: 40))
        let skipping = try TinyStudent(maxLength: promptLength + 5)
        #expect(skipping.encoder.encode(example) == .failure(.tooLong))
        let cutting = try TinyStudent(maxLength: promptLength + 5, policy: .truncateCompletion)
        let cut = try cutting.encoder.encode(example).get()
        #expect(cut.truncated && cut.completionTokens == 5 && cut.sequence.tokens.count == promptLength + 4)
        let tooShort = try TinyStudent(maxLength: promptLength, policy: .truncateCompletion)
        #expect(tooShort.encoder.encode(example) == .failure(.tooLong))
        #expect(skipping.encoder.encode(SFTExample(id: "e", messages: messages, completion: "")) == .failure(.emptyCompletion))
    }

    @Test func pairsShareThePromptAndMaskEachAnswer() throws {
        let tiny = try TinyStudent()
        let pair = PreferenceExample(id: "p1", messages: messages, chosen: answer, rejected: "I don't know.")
        let encoded = try tiny.encoder.encode(pair).get()
        let prompt = try tiny.student.promptTokens(for: messages)
        for (sequence, text) in [(encoded.chosen, answer), (encoded.rejected, "I don't know.")] {
            #expect(Array(sequence.tokens.prefix(prompt.count)) == prompt)
            let masked = sequence.targets.filter { $0 != CrossEntropy.ignored }
            #expect(tiny.student.tokenizer.decode(masked) == text && masked.count == sequence.tokens.count - prompt.count + 1)
        }
        let same = PreferenceExample(id: "p2", messages: messages, chosen: "x", rejected: "x")
        #expect(tiny.encoder.encode(same) == .failure(.identicalPair))
    }

    @Test func batchesRespectTheTokenBudgetAndCoverEveryExampleOncePerEpoch() throws {
        let lengths = [5, 9, 3, 12, 7, 4, 8]
        let plan = try BatchPlan(lengths: lengths, batchTokens: 16, seed: 3)
        var cursor = DataCursor(), seen: [Int] = [], steps = 0
        while cursor.epoch == 0, cursor.position < lengths.count {
            let (indices, next) = plan.batch(at: cursor)
            #expect(!indices.isEmpty && (indices.count == 1 || indices.map { lengths[$0] }.reduce(0, +) <= 16))
            seen += indices
            cursor = next
            steps += 1
        }
        #expect(seen.sorted() == Array(lengths.indices) && steps == plan.steps(epochs: 1))
        #expect(plan.batch(at: cursor).next.epoch == 1)
        #expect(plan.order(epoch: 0) == plan.order(epoch: 0) && plan.order(epoch: 0) != plan.order(epoch: 1))
    }
}
