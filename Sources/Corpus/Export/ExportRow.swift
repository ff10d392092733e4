import ChatAPI

/// One exchange as an export reads it.
struct ExportRow {
    let id: String
    let promptHash: String
    let request: String
    let response: String?
    let route: String
    let servedBy: String
    let status: Int
    let tags: String?
    /// The latest demonstration for the exchange, which replaces its answer as the label.
    let demonstration: String?
    /// The teacher's token log-probabilities of the answer (``TokenLogprobs/encoded``), if captured.
    let teacherLogprobs: [UInt8]?
    /// The self-consistency check's verdict (nil: never checked).
    let consistent: Bool?

    /// Reads the current row of a statement built by ``ExportQuery/exchanges(_:split:heldOut:)``.
    init(row: SQLiteRow) throws(SQLiteError) {
        id = try row.text("id")
        promptHash = try row.text("prompt_hash")
        request = try row.text("request")
        response = try row.optionalText("response")
        route = try row.text("route")
        servedBy = try row.text("served_by")
        status = try row.int("status")
        tags = try row.optionalText("tags")
        demonstration = try row.optionalText("demonstration")
        teacherLogprobs = try row.optionalBlob("teacher_logprobs")
        consistent = try row.optionalInt("consistent").map { $0 != 0 }
    }
}

/// One preference pair as an export reads it: the prompt comes from the rejected
/// exchange (both sides share the prompt bytes).
struct PairRow {
    let id: Int
    let source: String
    let promptHash: String
    let request: String
    let chosenMessage: String?
    let chosenResponse: String?
    let chosenIndex: Int
    let rejectedMessage: String?
    let rejectedResponse: String?
    let rejectedIndex: Int
    /// Provenance: the feedback row that produced the pair and the exchanges of each side.
    let feedbackID: String
    let chosenExchangeID: String
    let rejectedExchangeID: String

    /// Reads the current row of a statement built by ``ExportQuery/pairs(_:split:heldOut:)``.
    init(row: SQLiteRow) throws(SQLiteError) {
        id = try row.int("id")
        source = try row.text("source")
        promptHash = try row.text("prompt_hash")
        request = try row.text("request")
        chosenMessage = try row.optionalText("chosen_message")
        chosenResponse = try row.optionalText("chosen_response")
        chosenIndex = try row.int("chosen_index")
        rejectedMessage = try row.optionalText("rejected_message")
        rejectedResponse = try row.optionalText("rejected_response")
        rejectedIndex = try row.int("rejected_index")
        feedbackID = try row.text("feedback_id")
        chosenExchangeID = try row.text("chosen_exchange_id")
        rejectedExchangeID = try row.text("rejected_exchange_id")
    }
}

extension PairRow {
    /// The preferred answer: the stored message (a demonstration, a judged student answer),
    /// else the chosen exchange's choice.
    var chosen: JSONValue? {
        chosenMessage.flatMap(ExportRenderer.demonstrationMessage)
            ?? chosenResponse.flatMap { ExportRenderer.assistant(inResponse: $0, index: chosenIndex) }
    }

    /// The dispreferred answer: the stored message (a judged student answer), else the
    /// rejected exchange's choice.
    var rejected: JSONValue? {
        rejectedMessage.flatMap(ExportRenderer.demonstrationMessage)
            ?? rejectedResponse.flatMap { ExportRenderer.assistant(inResponse: $0, index: rejectedIndex) }
    }
}
