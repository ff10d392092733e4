import ChatAPI
import Corpus
import Foundation

/// Deterministic synthetic exchanges for the corpus benchmark: varied routes,
/// servers, statuses, finish reasons, latencies and Zipf-ish word frequencies, with
/// some prompts repeated so de-duplication and rating pairs have work to do.
struct SyntheticCorpus {
    /// SplitMix64: tiny, seedable, good enough for test data.
    struct Random: RandomNumberGenerator {
        var state: UInt64
        /// The next 64 random bits.
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Routes the exchanges are spread over.
    static let routes = ["default", "gpt-4o-mini", "support-bot", "summarizer"]
    /// A vocabulary of pronounceable made-up words; word `i` is drawn with weight ~1/(i+1).
    static let vocabulary: [String] = {
        let onsets = ["b", "c", "d", "f", "g", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "st", "tr", "pl"]
        let vowels = ["a", "e", "i", "o", "u", "ai", "ou"]
        let codas = ["", "n", "r", "s", "l", "x"]
        var words: [String] = []
        for o in onsets { for v in vowels { for c in codas { for v2 in ["a", "o", "i"] { words.append(o + v + c + v2) } } } }
        return Array(words.prefix(4000))
    }()

    var random: Random
    var clock: Double

    /// A generator; the same seed gives the same corpus.
    init(seed: UInt64 = 42, start: Double = 1_700_000_000) {
        random = Random(state: seed)
        clock = start
    }

    /// One word, common words far more often than rare ones.
    mutating func word() -> String {
        // Inverse-CDF of a truncated 1/x distribution: common words are very common.
        let u = Double.random(in: 0..<1, using: &random)
        let index = Int(exp(u * log(Double(Self.vocabulary.count)))) - 1
        return Self.vocabulary[min(max(index, 0), Self.vocabulary.count - 1)]
    }

    /// A sentence with a word count in `words`.
    mutating func sentence(_ words: ClosedRange<Int>) -> String {
        (0..<Int.random(in: words, using: &random)).map { _ in word() }.joined(separator: " ")
    }

    /// The `index`-th exchange.
    mutating func next(_ index: Int, repeatedPrompt: String?) -> ExchangeRecord {
        clock += Double.random(in: 0.01...0.2, using: &random)
        let route = Self.routes[Int.random(in: 0..<Self.routes.count, using: &random)]
        let prompt = repeatedPrompt ?? sentence(6...30)
        let messages: JSONValue = .array([
            .object([("role", .string("system")), ("content", .string("You are a helpful assistant for \(route)."))]),
            .object([("role", .string("user")), ("content", .string(prompt))]),
        ])
        let request: JSONValue = .object([("model", .string(route)), ("messages", messages)])
        let roll = Int.random(in: 0..<100, using: &random)
        let status = roll < 94 ? 200 : roll < 96 ? 502 : roll < 98 ? 499 : 400
        let ms = UInt64(clock * 1000)
        var record = ExchangeRecord(id: ExchangeID.make(milliseconds: ms, using: &random), createdAt: clock, route: route,
                                    servedBy: Int.random(in: 0..<10, using: &random) == 0 ? "student" : "teacher",
                                    status: status, stream: index % 3 == 0,
                                    promptHash: SHA256.hex(messages.serialized()), requestJSON: request.jsonString)
        record.latencyMs = exp(Double.random(in: 5...8.5, using: &random))
        record.promptTokens = prompt.split(separator: " ").count * 2 + 12
        if status == 200 {
            let answer = sentence(15...80)
            record.completionID = "chatcmpl-\(index)"
            record.finishReason = Int.random(in: 0..<10, using: &random) == 0 ? "length" : "stop"
            record.completionTokens = answer.split(separator: " ").count * 2
            record.responseJSON = JSONValue.object([
                ("id", .string("chatcmpl-\(index)")), ("object", .string("chat.completion")), ("model", .string(route)),
                ("choices", .array([.object([("index", .int(0)), ("message", .object([("role", .string("assistant")), ("content", .string(answer))])),
                                             ("finish_reason", .string(record.finishReason ?? "stop"))])])),
            ]).jsonString
        } else {
            record.error = "synthetic failure"
            record.responseJSON = #"{"error":{"message":"synthetic failure","type":"api_error"}}"#
        }
        return record
    }

    /// Writes `count` exchanges through the real writer (triggers, FTS and all).
    /// Every tenth prompt repeats an earlier one.
    static func fill(path: String, count: Int, seed: UInt64 = 42, progress: (Int) -> Void = { _ in }) throws {
        let log = try ExchangeLog(path: path, capacity: 50_000, batchSize: 2_000)
        defer { log.close() }
        var generator = SyntheticCorpus(seed: seed)
        var recent: [String] = []
        for index in 0..<count {
            let repeated = index % 10 == 9 && !recent.isEmpty ? recent[Int.random(in: 0..<recent.count, using: &generator.random)] : nil
            let record = generator.next(index, repeatedPrompt: repeated)
            if repeated == nil, index % 50 == 0 {
                if let prompt = (try? JSONValue.parse(record.requestJSON))?["messages"]?.arrayValue?.last?["content"]?.stringValue {
                    recent.append(prompt)
                    if recent.count > 1000 { recent.removeFirst() }
                }
            }
            while !log.append(record) { log.flush() }
            if index % 20_000 == 19_999 { log.flush(); progress(index + 1) }
        }
        log.flush()
    }
}
