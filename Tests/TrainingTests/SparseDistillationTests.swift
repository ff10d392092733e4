import struct ChatAPI.TokenLogprobs
import Engine
import Foundation
import TestSupport
import Testing
@testable import Training

/// Logprob distillation: the sparse top-k forward KL with a tail bucket, checked against an
/// independent evaluation of its formula, against finite differences through the model, and
/// at its minimum; and the alignment of a teacher's tokens with the student's.
@Suite struct SparseDistillationTests {
    static let config = ModelGradientTests.config
    static let tokens: [Int32] = [1, 5, 9, 2, 7, 3]
    static let targets: [Int32] = [CrossEntropy.ignored, CrossEntropy.ignored, 2, 7, 3, 10]
    /// Two distilled positions: one whose support holds the target, one whose does not.
    static let teacher = [
        SparseTeacherTarget(position: 3, ids: [2, 7, 9], logprobs: [log(0.2), log(0.5), log(0.1)]),
        SparseTeacherTarget(position: 5, ids: [4, 6], logprobs: [log(0.6), log(0.35)]),
    ]

    /// log softmax of one logits row, in Double.
    static func logSoftmax(_ row: [Float]) -> [Double] {
        let maximum = Double(row.max() ?? 0)
        let lse = log(row.reduce(0) { $0 + exp(Double($1) - maximum) }) + maximum
        return row.map { Double($0) - lse }
    }

    /// Runs `loss` (a forward pass), back-propagates, and checks the analytic gradient of
    /// four random entries of every tensor against central differences of `loss`; returns it.
    @discardableResult
    static func checkGradient(_ model: TrainableLlama, seed: UInt64, loss: () -> Double) -> [Float] {
        _ = loss()
        model.zeroGradients()
        model.backward()
        let analytic = Array(UnsafeBufferPointer(start: model.trainable.gradients, count: model.layout.count))
        var generator = SeededGenerator(seed: seed)
        let indices = model.layout.entries.flatMap { entry in
            (0..<4).map { _ in entry.offset + Int.random(in: 0..<entry.count, using: &generator) }
        }
        let norms = finiteDifferences(of: loss, parameters: model.parameters, analytic: analytic, indices: indices)
        #expect(norms.numeric > 1e-4)
        #expect(norms.difference / norms.numeric < 5e-3)
        return analytic
    }

    @Test func theLossIsTheMixOfCrossEntropyAndTheTailBucketKL() {
        let model = TrainableLlama(config: Self.config, maxRows: 8)
        model.initializeRandomly(seed: 21, scale: 0.5)
        model.distillationWeights = .init(crossEntropy: 0.3, divergence: 0.7)
        let loss = Double(model.forward(tokens: Self.tokens, targets: Self.targets, normalizer: 1, teacher: Self.teacher))
        // The logits of the four target rows, in position order, are still in the buffer.
        let V = Self.config.vocabularySize, a = model.activations
        var expected = 0.0
        for (row, position) in [2, 3, 4, 5].enumerated() {
            let logQ = Self.logSoftmax(Array(UnsafeBufferPointer(start: a.logits + row * V, count: V)))
            let ce = -logQ[Int(Self.targets[position])]
            guard let target = Self.teacher.first(where: { $0.position == Int32(position) }) else { expected += ce; continue }
            var kl = 0.0, p = 0.0, q = 0.0
            for (id, logprob) in zip(target.ids, target.logprobs) {
                kl += exp(Double(logprob)) * (Double(logprob) - logQ[Int(id)])
                p += exp(Double(logprob))
                q += exp(logQ[Int(id)])
            }
            kl += (1 - p) * (log(1 - p) - log(1 - q))
            #expect(kl > 0)
            expected += 0.3 * ce + 0.7 * kl
        }
        #expect(abs(loss - expected) < 1e-4 * expected)
    }

    @Test func theGradientMatchesFiniteDifferences() {
        let model = TrainableLlama(config: Self.config, maxRows: 8)
        model.initializeRandomly(seed: 22, scale: 0.5)
        model.distillationWeights = .init(crossEntropy: 0.4, divergence: 0.6)
        let analytic = Self.checkGradient(model, seed: 23) {
            Double(model.forward(tokens: Self.tokens, targets: Self.targets, teacher: Self.teacher))
        }
        // Without the teacher the gradient differs: the KL term is really there.
        _ = model.forward(tokens: Self.tokens, targets: Self.targets)
        model.zeroGradients()
        model.backward()
        let plain = Array(UnsafeBufferPointer(start: model.trainable.gradients, count: model.layout.count))
        #expect(zip(plain, analytic).contains { abs($0 - $1) > 1e-3 })
    }

    /// A teacher whose top-k is the student's own distribution: the KL and its gradient vanish.
    @Test func aStudentThatMatchesTheTeacherHasNothingToLearn() {
        let model = TrainableLlama(config: Self.config, maxRows: 8)
        model.initializeRandomly(seed: 24, scale: 0.5)
        model.distillationWeights = .init(crossEntropy: 0, divergence: 1)
        let targets: [Int32] = [CrossEntropy.ignored, CrossEntropy.ignored, CrossEntropy.ignored, 7, CrossEntropy.ignored,
                                CrossEntropy.ignored]
        _ = model.forward(tokens: Self.tokens, targets: targets)
        let logQ = Self.logSoftmax(Array(UnsafeBufferPointer(start: model.activations.logits, count: Self.config.vocabularySize)))
        let top = logQ.indices.sorted { logQ[$0] > logQ[$1] }.prefix(4)
        let own = SparseTeacherTarget(position: 3, ids: top.map { Int32($0) }, logprobs: top.map { Float(logQ[$0]) })
        let loss = model.forward(tokens: Self.tokens, targets: targets, teacher: [own])
        #expect(abs(loss) < 1e-5)
        model.zeroGradients()
        model.backward()
        let gradients = UnsafeBufferPointer(start: model.trainable.gradients, count: model.layout.count)
        #expect(gradients.allSatisfy { abs($0) < 1e-4 })
    }
}

/// Distilling a local teacher's full distribution (`retort train kd`) into a student made of
/// some of its blocks.
@Suite struct FullDistillationTests {
    static let tokens = SparseDistillationTests.tokens, targets = SparseDistillationTests.targets

    /// A teacher and a student of the same shape but different weights.
    static func pair() throws -> (student: TrainableLlama, trainer: Trainer) {
        let teacher = TrainableLlama(config: SparseDistillationTests.config, maxRows: 8)
        teacher.initializeRandomly(seed: 31, scale: 0.8)
        let student = TrainableLlama(config: SparseDistillationTests.config, maxRows: 8)
        student.initializeRandomly(seed: 32, scale: 0.5)
        student.distillationWeights = .init(crossEntropy: 0.25, divergence: 0.75)
        let schedule = try LearningRateSchedule(peak: 1e-3, warmupSteps: 0, totalSteps: 10)
        return (student, try Trainer(model: student, schedule: schedule, teacher: teacher))
    }

    @Test func theLossMixesCrossEntropyAndTheKLOverTheWholeVocabulary() throws {
        let (student, trainer) = try Self.pair()
        let teacher = try #require(trainer.teacher)
        let loss = Double(trainer.forward(TrainingSequence(tokens: Self.tokens, targets: Self.targets), normalizer: 1))
        let V = SparseDistillationTests.config.vocabularySize
        _ = teacher.forward(tokens: Self.tokens, targets: Self.targets)
        let logP = (0..<4).map { SparseDistillationTests.logSoftmax(Array(UnsafeBufferPointer(start: teacher.activations.logits + $0 * V, count: V))) }
        _ = student.forward(tokens: Self.tokens, targets: Self.targets)
        var expected = 0.0
        for (row, position) in [2, 3, 4, 5].enumerated() {
            let logQ = SparseDistillationTests.logSoftmax(Array(UnsafeBufferPointer(start: student.activations.logits + row * V, count: V)))
            let kl = (0..<V).reduce(0.0) { $0 + exp(logP[row][$1]) * (logP[row][$1] - logQ[$1]) }
            #expect(kl > 0)
            expected += 0.25 * -logQ[Int(Self.targets[position])] + 0.75 * kl
        }
        #expect(abs(loss - expected) < 1e-4 * expected)
    }

    @Test func theGradientMatchesFiniteDifferences() throws {
        let (student, trainer) = try Self.pair()
        let sequence = TrainingSequence(tokens: Self.tokens, targets: Self.targets)
        _ = SparseDistillationTests.checkGradient(student, seed: 33) { Double(trainer.forward(sequence, normalizer: 3)) }
    }

    @Test func aStudentKeepsEvenlySpacedBlocksOfItsTeacher() throws {
        #expect(TrainableLlama.evenlySpacedLayers(15, of: 30) == [0, 2, 4, 6, 8, 10, 12, 15, 17, 19, 21, 23, 25, 27, 29])
        #expect(TrainableLlama.evenlySpacedLayers(1, of: 2) == [1])
        let path = try TinyModel.write()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try GGUFFile(path: path)
        let teacher = try TrainableLlama(file: file, maxRows: 8)
        let student = try TrainableLlama(keeping: [1], of: teacher, maxRows: 8)
        #expect(student.config.layers == 1)
        let size = student.config.channels * student.config.channels
        #expect(Array(UnsafeBufferPointer(start: student.weights.blocks[0].query, count: size))
                == Array(UnsafeBufferPointer(start: teacher.weights.blocks[1].query, count: size)))
        #expect(throws: TrainingError.self) { try TrainableLlama(keeping: [2], of: teacher, maxRows: 8) }
        #expect(throws: TrainingError.self) { try TrainableLlama(keeping: [1, 0], of: teacher, maxRows: 8) }
        let norm = student.config.channels
        #expect(Array(UnsafeBufferPointer(start: student.weights.finalNorm, count: norm))
                == Array(UnsafeBufferPointer(start: teacher.weights.finalNorm, count: norm)))
    }
}

/// Aligning a teacher's tokens with the student's by byte offset.
@Suite struct TeacherAlignmentTests {
    static func encoder() throws -> SequenceEncoder {
        let path = try TinyModel.write()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let student = try StudentModel(path: path)
        return try SequenceEncoder(tokenizer: student.tokenizer, template: try student.chatTemplate.get())
    }

    static let messages = [ChatMessage(role: "user", content: "Name?")]
    static let answer = "Ada Lovelace"

    /// Teacher tokens cutting `answer` into `pieces`, each with the alternative `alternatives(piece)`.
    static func teacher(_ pieces: [String], alternatives: (String) -> [(String, Float)]) -> TokenLogprobs {
        TokenLogprobs(tokens: pieces.map { piece in
            TokenLogprobs.Token(bytes: Array(piece.utf8), logprob: log(0.6),
                                top: alternatives(piece).map { .init(bytes: Array($0.0.utf8), logprob: $0.1) })
        })
    }

    @Test func theSameTokenizationAlignsEveryAnswerPosition() throws {
        let encoder = try Self.encoder()  // the tiny model's tokens are single bytes
        let logprobs = Self.teacher(Self.answer.map(String.init)) { piece in [(piece, log(0.6)), ("z", log(0.3))] }
        let example = SFTExample(id: "a", messages: Self.messages, completion: Self.answer, teacherLogprobs: logprobs)
        let encoded = try encoder.encode(example).get()
        let first = Int32(encoded.promptTokens - 1)
        #expect(encoded.sequence.teacher.map(\.position) == (0..<Int32(Self.answer.utf8.count)).map { first + $0 })
        for target in encoded.sequence.teacher {
            let answerToken = encoded.sequence.targets[Int(target.position)]
            #expect(target.ids.contains(answerToken) && target.ids.count <= 2)
        }
        let a = try #require(encoded.sequence.teacher.first)  // "A" at 0.6 and "z" at 0.3
        #expect(zip(a.ids, a.logprobs).allSatisfy { abs(exp($0.1) - (Int($0.0) == TinyModel.tokenID(ofByte: 0x41) ? 0.6 : 0.3)) < 1e-6 })
    }

    @Test func otherBoundariesAlignWhereBothStartAToken() throws {
        let encoder = try Self.encoder()
        // "Ada" " Love" "lace": the student starts a token at every byte, the teacher at 0, 3, 8.
        let logprobs = Self.teacher(["Ada", " Love", "lace"]) { piece in
            piece == " Love" ? [(" Love", log(0.6)), (" Lo", log(0.1)), ("X", log(0.2))] : [(piece, log(0.6))]
        }
        let encoded = try encoder.encode(SFTExample(id: "b", messages: Self.messages, completion: Self.answer,
                                                    teacherLogprobs: logprobs)).get()
        let first = Int32(encoded.promptTokens - 1)
        #expect(encoded.sequence.teacher.map(\.position) == [first, first + 3, first + 8])
        // " Love" and " Lo" both start with the student's " " token: their mass is summed.
        let love = encoded.sequence.teacher[1]
        let space = Int32(TinyModel.tokenID(ofByte: 0x20)), x = Int32(TinyModel.tokenID(ofByte: 0x58))
        #expect(love.ids == [space, x].sorted())
        #expect(abs(exp(love.logprobs[love.ids.firstIndex(of: space)!]) - 0.7) < 1e-6)
    }

    @Test func anAnswerCutToFitKeepsOnlyTheTargetsItStillHas() throws {
        let path = try TinyModel.write()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let student = try StudentModel(path: path)
        let prompt = try SequenceEncoder(tokenizer: student.tokenizer, template: try student.chatTemplate.get()).promptTokens(Self.messages)
        let encoder = try SequenceEncoder(tokenizer: student.tokenizer, template: try student.chatTemplate.get(),
                                          maxLength: prompt.count + 4, overlongPolicy: .truncateCompletion)
        let logprobs = Self.teacher(Self.answer.map(String.init)) { piece in [(piece, log(0.9))] }
        let encoded = try encoder.encode(SFTExample(id: "c", messages: Self.messages, completion: Self.answer,
                                                    teacherLogprobs: logprobs)).get()
        #expect(encoded.truncated && encoded.sequence.teacher.count == 4)
        #expect(encoded.sequence.teacher.allSatisfy { Int($0.position) < encoded.sequence.targets.count })
    }
}
