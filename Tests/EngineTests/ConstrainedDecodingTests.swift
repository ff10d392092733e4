import Engine
import Foundation
import Testing
import TestSupport

/// Constrained decoding end to end: whatever the sampler draws, the text stays a value
/// of the shape, on the tiny random model (many seeds, full temperature) and on the real
/// model (greedy, a small extraction schema).
@Suite struct ConstrainedDecodingTests {
    /// A shape whose every value is short, so a random model finishes it within the budget.
    static let bounded = JSONShape.object(properties: [
        .init(name: "kind", shape: .literals([#""cat""#, #""dog""#]), required: true),
        .init(name: "ok", shape: .boolean, required: true),
        .init(name: "n", shape: .oneOf([.integer, .null]), required: false),
        .init(name: "list", shape: .array(items: .boolean, minItems: 0, maxItems: 2), required: true),
    ])

    @Test(arguments: Array(UInt64(1)...UInt64(8)))
    func randomSamplingStaysInTheShape(seed: UInt64) throws {
        let model = try StudentModelTests.model.get()
        let options = GenerationOptions(temperature: 1, seed: seed, maxTokens: 200, jsonShape: Self.bounded)
        let result = try model.generate(messages: StudentModelTests.messages, options: options)
        var recognizer = JSONRecognizer(shape: Self.bounded)
        let accepted = recognizer.feed(Array(result.text.utf8))
        #expect(accepted, "seed \(seed): \(result.text)")
        guard result.finishReason == .stop else { return }  // cut by max_tokens: a valid prefix
        #expect(recognizer.isComplete, "seed \(seed): \(result.text)")
        let parsed = try JSONSerialization.jsonObject(with: Data(result.text.utf8))
        #expect(JSONRecognizerTests.conforms(parsed, Self.bounded), "seed \(seed): \(result.text)")
    }

    /// The mask (a trie walk, or the free-string shortcut) allows exactly the tokens whose
    /// bytes the recognizer accepts one by one, at every few bytes of valid documents, over
    /// the real vocabulary.
    @Test func theMaskAllowsExactlyTheTokensTheRecognizerAccepts() throws {
        let model = try RealModel.load()
        let trie = model.tokenTrie
        let stops = model.tokenizer.stopIDs
        let shape = JSONRecognizerTests.person
        let documents = [#"{"name": "Ada \"L\" Byron", "age": 36, "tags": ["a", "b"], "score": -1.5e3}"#,
                         "{\n  \"name\": \"Grace\",\n  \"tags\": [\"b\"],\n  \"score\": null\n}"]
        var checked = 0
        for document in documents {
            let bytes = Array(document.utf8)
            for end in stride(from: 0, through: bytes.count, by: 3) {
                var constraint = JSONTokenConstraint(shape: shape, trie: trie)
                let accepted = constraint.accept(bytes: Array(bytes[..<end]))
                #expect(accepted)
                var recognizer = JSONRecognizer(shape: shape)
                _ = recognizer.feed(bytes[..<end])
                var logits = [Float](repeating: 0, count: model.tokenizer.count)
                logits.withUnsafeMutableBufferPointer { constraint.mask($0, stopIDs: stops) }
                for id in 0..<model.tokenizer.count where !stops.contains(Int32(id)) {
                    let tokenBytes = model.tokenizer.bytes(of: Int32(id))
                    var trial = recognizer
                    let expected = !tokenBytes.isEmpty && trial.feed(tokenBytes)
                    if (logits[id] != -.infinity) != expected {
                        Issue.record("prefix \(String(decoding: bytes[..<end], as: UTF8.self)): token \(id) \(model.tokenizer.displayText(of: Int32(id)))")
                        return
                    }
                }
                checked += 1
            }
        }
        #expect(checked > 40)
    }

    @Test func anUnconstrainedShapeIsRefusedAsAnOption() {
        let ambiguous = JSONShape.oneOf([.integer, .number])
        let options = GenerationOptions(jsonShape: ambiguous)
        #expect(throws: EngineError.self) { try options.validate() }
    }

    @Test func theRealModelAnswersInTheSchema() throws {
        let model = try RealModel.load()
        let shape = JSONShape.object(properties: [
            .init(name: "city", shape: .string, required: true),
            .init(name: "country", shape: .string, required: true),
            .init(name: "population_millions", shape: .number, required: true),
        ])
        let messages = [ChatMessage(role: "user", content: "Give the city, country and population in millions of Paris as JSON.")]
        let free = try model.generate(messages: messages, options: GenerationOptions(temperature: 0, maxTokens: 60))
        let constrained = try model.generate(messages: messages, options: GenerationOptions(temperature: 0, maxTokens: 60, jsonShape: shape))
        #expect(constrained.finishReason == .stop, "\(constrained.text)")
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(constrained.text.utf8)) as? [String: Any])
        #expect(JSONRecognizerTests.conforms(parsed, shape))
        #expect((parsed["city"] as? String)?.contains("Paris") == true, "\(constrained.text)")
        // Unconstrained, the same model does not answer in this schema.
        let freeParsed = try? JSONSerialization.jsonObject(with: Data(free.text.utf8))
        #expect(freeParsed.map { JSONRecognizerTests.conforms($0, shape) } != true, "\(free.text)")
    }
}
