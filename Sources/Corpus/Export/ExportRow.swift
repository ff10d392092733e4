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

    /// Reads the current row of a statement built by ``ExportQuery``.
    init(statement s: SQLiteStatement) {
        id = s.column(0).string ?? ""
        promptHash = s.column(1).string ?? ""
        request = s.column(2).string ?? ""
        response = s.column(3).string
        route = s.column(4).string ?? ""
        servedBy = s.column(5).string ?? ""
        status = s.column(6).int ?? 0
        tags = s.column(7).string
        demonstration = s.column(8).string
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
    let rejectedResponse: String?
    let rejectedIndex: Int

    init(statement s: SQLiteStatement) {
        id = s.column(0).int ?? 0
        source = s.column(1).string ?? ""
        promptHash = s.column(2).string ?? ""
        request = s.column(3).string ?? ""
        chosenMessage = s.column(4).string
        chosenResponse = s.column(5).string
        chosenIndex = s.column(6).int ?? 0
        rejectedResponse = s.column(7).string
        rejectedIndex = s.column(8).int ?? 0
    }
}
