import ChatAPI
import Corpus
import Hummingbird

/// Query parameters of admin requests, validated into corpus types (400 on bad input).
struct AdminParameters {
    let query: [String: String]

    init(_ request: Request) {
        var query: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { query[String(key)] = String(value) }
        self.query = query
    }

    private func text(_ key: String) -> String? {
        query[key].flatMap { $0.isEmpty ? nil : $0 }
    }

    private func integer(_ key: String) throws -> Int? {
        guard let value = text(key) else { return nil }
        guard let number = Int(value) else { throw OpenAIError.invalidRequest("`\(key)` must be an integer.", param: key) }
        return number
    }

    /// `route`, `status`, `served_by`, `surface`, `tag`, `rating`, `q`, `before`, `limit`.
    func exchangeFilter() throws -> ExchangeFilter {
        var filter = ExchangeFilter(route: text("route"), status: try integer("status"), servedBy: text("served_by"),
                                    text: text("q"), before: text("before"), limit: try integer("limit") ?? 50)
        filter.surface = text("surface")
        filter.tag = text("tag")
        if let rating = text("rating") {
            guard let value = ExchangeFilter.Rating(rawValue: rating) else {
                throw OpenAIError.invalidRequest("`rating` must be one of up, down, none, rated.", param: "rating")
            }
            filter.rating = value
        }
        return filter
    }

    /// `format`, `split`, `version`, `route` (comma-separated), `served_by` (`any` for all),
    /// `max_prompt_tokens`, `max_completion_tokens`, `dedupe` (`false` to keep every row), `limit`.
    func exportRequest() throws -> ExportRequest {
        guard let format = text("format").flatMap(ExportFormat.init(rawValue:)) else {
            throw OpenAIError.invalidRequest("`format` must be one of \(ExportFormat.allCases.map(\.rawValue).joined(separator: ", ")).", param: "format")
        }
        var split: DatasetSplit?
        if let value = text("split") {
            guard let parsed = DatasetSplit(rawValue: value) else {
                throw OpenAIError.invalidRequest("`split` must be train or test.", param: "split")
            }
            split = parsed
        }
        var request = ExportRequest(format: format, split: split, heldOutVersion: try integer("version"), limit: try integer("limit"))
        if let routes = text("route") { request.curation.routes = routes.split(separator: ",").map(String.init) }
        if let servedBy = text("served_by") { request.curation.servedBy = servedBy == "any" ? nil : servedBy }
        request.curation.maxPromptTokens = try integer("max_prompt_tokens") ?? request.curation.maxPromptTokens
        request.curation.maxCompletionTokens = try integer("max_completion_tokens") ?? request.curation.maxCompletionTokens
        if text("dedupe") == "false" { request.curation.deduplicate = false }
        return request
    }

    /// `test_percent`, default 10, in (0, 100).
    func testPercent() throws -> Double {
        guard let value = text("test_percent") else { return HeldOutVersion.defaultTestPercent }
        guard let percent = Double(value), percent > 0, percent < 100 else {
            throw OpenAIError.invalidRequest("`test_percent` must be a number between 0 and 100.", param: "test_percent")
        }
        return percent
    }
}
