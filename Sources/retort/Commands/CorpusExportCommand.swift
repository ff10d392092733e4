import ArgumentParser
import Corpus
import Foundation

/// `retort corpus export`: training data as JSONL, streamed row by row.
struct CorpusExportCommand: AsyncParsableCommand {
    /// The command's name and help.
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export JSONL for fine-tuning: openai-sft, openai-dpo, trl-sft, trl-dpo or raw.",
        discussion: """
            Curation (not for raw): status 200, finish_reason stop, served by the teacher, not rated down,
            one exchange per prompt. --split test reads the latest frozen held-out version (frozen on first use);
            --split train leaves every held-out prompt out.
            """)

    @OptionGroup var options: CorpusOptions
    @Option(help: "openai-sft, openai-dpo, trl-sft, trl-dpo or raw.") var format: String
    @Option(help: "train or test (held-out). Default: all curated rows.") var split: String?
    @Option(help: "Held-out version for --split test (default: the latest).") var version: Int?
    @Option(help: "Only these routes (repeatable).") var route: [String] = []
    @Option(name: .customLong("served-by"), help: "teacher (default), student, or any.") var servedBy: String?
    @Option(name: .customLong("max-prompt-tokens"), help: "Leave out longer prompts.") var maxPromptTokens: Int?
    @Option(name: .customLong("max-completion-tokens"), help: "Leave out longer answers.") var maxCompletionTokens: Int?
    @Flag(name: .customLong("no-dedupe"), help: "Keep every exchange of a prompt, not only the newest.") var noDedupe = false
    @Option(help: "Stop after this many lines.") var limit: Int?
    @Option(name: [.short, .long], help: "Write to this file instead of standard output.") var output: String?

    /// Checks `--format` and `--split`.
    func validate() throws {
        guard ExportFormat(rawValue: format) != nil else {
            throw ValidationError("--format must be one of \(ExportFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        if let split, DatasetSplit(rawValue: split) == nil { throw ValidationError("--split must be train or test.") }
    }

    /// Streams the export.
    func run() async throws {
        var request = ExportRequest(format: ExportFormat(rawValue: format) ?? .raw, split: split.flatMap(DatasetSplit.init(rawValue:)),
                                    heldOutVersion: version, limit: limit)
        request.curation.routes = route
        if let servedBy { request.curation.servedBy = servedBy == "any" ? nil : servedBy }
        request.curation.maxPromptTokens = maxPromptTokens
        request.curation.maxCompletionTokens = maxCompletionTokens
        if noDedupe { request.curation.deduplicate = false }
        let path = try options.databasePath()
        // The exchanges a gateway acknowledged before it was killed are exported too.
        let cursor = try corpusOperation {
            _ = try ExchangeLog.recoverJournals(path: path)
            return try ExportCursor(path: path, request: request)
        }
        let handle = try outputHandle()
        while let chunk = try cursor.nextChunk() { handle.write(Data(chunk)) }
        if handle !== FileHandle.standardOutput { try handle.close() }
        let heldOut = cursor.heldOut.map { " (held-out version \($0.version))" } ?? ""
        FileHandle.standardError.write(Data("exported \(cursor.linesWritten) lines, skipped \(cursor.rowsSkipped)\(heldOut)\n".utf8))
    }

    private func outputHandle() throws -> FileHandle {
        guard let output else { return FileHandle.standardOutput }
        guard FileManager.default.createFile(atPath: output, contents: nil) else { throw ValidationError("Cannot write \(output).") }
        return try FileHandle(forWritingTo: URL(fileURLWithPath: output))
    }
}
