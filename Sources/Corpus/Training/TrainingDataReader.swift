import ChatAPI
import Foundation

/// Reads what a training run learns from: the curated train split's SFT examples and
/// preference pairs, never a held-out prompt (facts/distillation.md §12.2). Before
/// reading, a held-out version is frozen if none exists yet, so the quality gate's rows
/// are fixed before the first student ever sees data.
public struct TrainingDataReader: Sendable {
    /// The connection used.
    public let reader: SQLiteCorpus
    /// Which exchanges qualify.
    public var curation: CurationFilter

    /// A reader over `reader`'s connection with `curation` (the default curation if omitted).
    public init(reader: SQLiteCorpus, curation: CurationFilter = CurationFilter()) {
        self.reader = reader
        self.curation = curation
    }

    /// The held-out version that train reads exclude, frozen now if none exists.
    public func heldOutVersion() throws -> HeldOutVersion {
        try reader.withDatabase { db in
            try HeldOutVersion.latest(in: db)
                ?? HeldOutVersion.freeze(in: db, filter: curation, testPercent: HeldOutVersion.defaultTestPercent)
        }
    }

    /// Every curated train-split exchange with a text prompt and a text answer, oldest first.
    public func sftExamples() throws -> [TrainingConversation] {
        try curatedSFTExamples().examples
    }

    /// ``sftExamples()``, and how many rows each check made on the rows themselves removed
    /// (`invalid_json`: JSON was asked for and the answer is not JSON; `inconsistent`: the
    /// teacher asked again answered differently).
    public func curatedSFTExamples() throws -> (examples: [TrainingConversation], removed: [String: Int]) {
        let heldOut = try heldOutVersion()
        var invalidJSON = 0, inconsistent = 0
        let query = ExportQuery.exchanges(curation, split: .train, heldOut: heldOut.version)
        let examples: [TrainingConversation] = try trainRows(query, heldOut) { row -> (promptHash: String, value: TrainingConversation?) in
            let exchange = try ExportRow(row: row)
            guard let request = try? JSONValue.parse(exchange.request),
                  let conversation = Self.conversation(exchange, request: request) else { return (exchange.promptHash, nil) }
            if curation.failsJSONCheck(request: request, answer: conversation.completion) {
                invalidJSON += 1
                return (exchange.promptHash, nil)
            }
            if curation.requireConsistency && exchange.consistent == false {
                inconsistent += 1
                return (exchange.promptHash, nil)
            }
            return (exchange.promptHash, conversation)
        }
        return (examples, ["invalid_json": invalidJSON, "inconsistent": inconsistent].filter { $0.value > 0 })
    }

    /// Every train-split preference pair with text on both sides, oldest first.
    public func preferencePairs() throws -> [TrainingPreference] {
        let heldOut = try heldOutVersion()
        return try trainRows(ExportQuery.pairs(curation, split: .train, heldOut: heldOut.version), heldOut) { row in
            let pair = try PairRow(row: row)
            return (pair.promptHash, Self.preference(pair))
        }
    }

    /// The rows of `query` outside the held-out split that `decode` turns into values (a
    /// held-out row is skipped before `decode` sees it, so what `decode` counts is the train split's).
    private func trainRows<Value>(
        _ query: (sql: String, arguments: [any SQLiteBindable]), _ heldOut: HeldOutVersion,
        _ decode: (SQLiteRow) throws -> (promptHash: String, value: Value?)
    ) throws -> [Value] {
        try reader.withDatabase { db in
            let statement = try db.prepare(query.sql)
            try statement.bind(query.arguments)
            var values: [Value] = []
            while try statement.step() {
                let row = statement.currentRow
                guard !HeldOutVersion.isHeldOut(promptHash: try row.text("prompt_hash"), testPercent: heldOut.testPercent),
                      let value = try decode(row).value else { continue }
                values.append(value)
            }
            return values
        }
    }

    /// The text conversation of an export row whose request body is `request`, or nil if it
    /// is not plain text.
    static func conversation(_ row: ExportRow, request: JSONValue) -> TrainingConversation? {
        guard let prompt = ExportRenderer.promptMessages(request),
              request["tools"]?.arrayValue?.isEmpty ?? true,
              let answer = ExportRenderer.label(row).flatMap(TrainingConversation.text(of:)), !answer.content.isEmpty
        else { return nil }
        let messages = prompt.compactMap(TrainingConversation.text(of:))
        guard messages.count == prompt.count else { return nil }
        // The teacher's log-probabilities count only for the teacher's own text, byte for byte.
        let logprobs = row.demonstration == nil ? row.teacherLogprobs.flatMap(TokenLogprobs.init(encoded:)) : nil
        return TrainingConversation(exchangeID: row.id, messages: messages, completion: answer.content,
                                    teacherLogprobs: logprobs?.text == Array(answer.content.utf8) ? logprobs : nil)
    }

    /// The text preference of a pair row, or nil.
    static func preference(_ row: PairRow) -> TrainingPreference? {
        guard let request = try? JSONValue.parse(row.request), let prompt = ExportRenderer.promptMessages(request),
              let rejected = row.rejected.flatMap(TrainingConversation.text(of:)),
              let chosen = row.chosen.flatMap(TrainingConversation.text(of:)),
              chosen.content != rejected.content else { return nil }
        let messages = prompt.compactMap(TrainingConversation.text(of:))
        guard messages.count == prompt.count else { return nil }
        return TrainingPreference(
            pairID: row.id, source: row.source, feedbackID: row.feedbackID,
            chosenExchangeID: row.chosenExchangeID, rejectedExchangeID: row.rejectedExchangeID,
            conversation: TrainingConversation(exchangeID: row.chosenExchangeID, messages: messages, completion: chosen.content),
            rejected: rejected.content)
    }
}
