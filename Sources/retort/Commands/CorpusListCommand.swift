import ArgumentParser
import Corpus
import Foundation

/// `retort corpus list`: one page of exchanges, newest first.
struct CorpusListCommand: AsyncParsableCommand {
    /// The command's name and help.
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List exchanges, newest first, a page at a time.")

    @OptionGroup var options: CorpusOptions
    @OptionGroup var filters: CorpusFilterOptions

    /// Prints one page.
    func run() async throws {
        let reader = try options.openReader()
        let page = try corpusOperation { try reader.list(filters.filter()) }
        printPage(page, json: options.json)
    }
}

/// `retort corpus search TEXT`: full-text search over prompts and answers.
struct CorpusSearchCommand: AsyncParsableCommand {
    /// The command's name and help.
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search prompts and answers (SQLite FTS5 syntax: words, \"a phrase\", a OR b, prompt:word, answer:word, pre*).")

    @Argument(help: "The search query.") var text: String
    @OptionGroup var options: CorpusOptions
    @OptionGroup var filters: CorpusFilterOptions

    /// Prints one page.
    func run() async throws {
        let reader = try options.openReader()
        let page = try corpusOperation { try reader.list(filters.filter(text: text)) }
        printPage(page, json: options.json)
    }
}

/// Prints a page as a table (or JSON), with the option for the next page.
func printPage(_ page: ExchangePage, json: Bool) {
    if json { return printLine(page.json.jsonString) }
    let formatter = DateFormatter()
    formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
    for item in page.items {
        let time = formatter.string(from: Date(timeIntervalSince1970: item.createdAt))
        let rating = item.rating.map { $0 > 0 ? "+" : "-" } ?? " "
        let tokens = "\(item.promptTokens.map(String.init) ?? "?")/\(item.completionTokens.map(String.init) ?? "?")"
        let preview = (item.promptPreview ?? "").replacingOccurrences(of: "\n", with: " ").prefix(60)
        printLine("\(item.id)  \(time)  \(item.route)  \(item.servedBy)  \(item.status) \(rating)  \(tokens)  \(preview)")
    }
    if page.items.isEmpty { printLine("(no exchanges)") }
    if let next = page.nextBefore { printLine("next page: --before \(next)") }
}
