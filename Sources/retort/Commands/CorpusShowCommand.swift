import ArgumentParser
import ChatAPI
import Corpus

/// `retort corpus show ID`: one exchange as a readable conversation.
struct CorpusShowCommand: AsyncParsableCommand {
    /// The command's name and help.
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one exchange: the conversation, the answer, its feedback.")

    @Argument(help: "Exchange id or chat completion id.") var id: String
    @OptionGroup var options: CorpusOptions

    /// Prints the exchange.
    func run() async throws {
        guard let detail = try options.openReader().detail(id: id) else { throw ValidationError("No exchange \(id).") }
        if options.json { return printLine(detail.json.jsonString) }
        let r = detail.record
        printLine("exchange   \(r.id)  (completion \(r.completionID ?? "-"))")
        printLine("route      \(r.route)  served by \(r.servedBy)\(r.servedReason.map { " (\($0))" } ?? "")  status \(r.status)  surface \(r.surface)")
        printLine("tokens     \(r.promptTokens ?? 0) prompt, \(r.completionTokens ?? 0) completion  finish \(r.finishReason ?? "-")  latency \(Int(r.latencyMs ?? 0)) ms")
        if let error = r.error { printLine("error      \(error)") }
        printLine("")
        let request = try? JSONValue.parse(r.requestJSON)
        for message in request?["messages"]?.arrayValue ?? [] { printMessage(message) }
        let response = r.responseJSON.flatMap { try? JSONValue.parse($0) }
        for choice in response?["choices"]?.arrayValue ?? [] {
            if let message = choice["message"] { printMessage(message, label: "assistant #\(choice["index"]?.intValue ?? 0)") }
        }
        for feedback in detail.feedback {
            printLine("feedback   \(feedback.json.jsonString)")
        }
        if !detail.samePrompt.isEmpty { printLine("same prompt \(detail.samePrompt.joined(separator: " "))") }
    }

    private func printMessage(_ message: JSONValue, label: String? = nil) {
        let role = label ?? message["role"]?.stringValue ?? "?"
        let content = message["content"]?.stringValue ?? message["content"].map { $0.jsonString } ?? ""
        printLine("[\(role)]")
        printLine(content.isEmpty ? (message["tool_calls"]?.jsonString ?? "") : content)
        printLine("")
    }
}
