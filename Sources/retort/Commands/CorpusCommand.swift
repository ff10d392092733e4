import ArgumentParser
import Corpus
import Foundation

/// `retort corpus ...`: look at what was logged and export training data.
struct CorpusCommand: AsyncParsableCommand {
    /// The command's name, help and subcommands.
    static let configuration = CommandConfiguration(
        commandName: "corpus",
        abstract: "Inspect the logged exchanges and export training data.",
        subcommands: [CorpusStatsCommand.self, CorpusListCommand.self, CorpusShowCommand.self,
                      CorpusSearchCommand.self, CorpusExportCommand.self]
    )
}

/// `--config` and `--db`, shared by the corpus commands.
struct CorpusOptions: ParsableArguments {
    @OptionGroup var config: ConfigOptions

    @Option(name: .long, help: "Corpus file (SQLite). Defaults to the configured database (RETORT_DB).")
    var db: String?

    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false

    /// The corpus path: `--db`, else the configuration's.
    func databasePath() throws -> String {
        try CorpusDatabase.path(db, configured: config.load().database)
    }

    /// A reader over the corpus, migrated to this build's schema.
    func openReader() throws -> SQLiteCorpus {
        try CorpusDatabase.reader(databasePath())
    }
}

/// The corpus file a command works on, for the corpus, training and serving commands.
enum CorpusDatabase {
    /// `db` when given, else the configured path; it must exist (or be `:memory:`).
    static func path(_ db: String?, configured: @autoclosure () throws -> String) throws -> String {
        let path = try db ?? configured()
        guard path == ":memory:" || FileManager.default.fileExists(atPath: path) else {
            throw ValidationError("No corpus at \(path). Run `retort serve` first, or pass --db.")
        }
        return path
    }

    /// A reader over the corpus at `path`, migrated to this build's schema, with the
    /// journals of gateways that died recovered into it.
    static func reader(_ path: String) throws -> SQLiteCorpus {
        _ = try ExchangeLog.recoverJournals(path: path)
        return try SQLiteCorpus(path: path)
    }
}

/// Filters shared by `list` and `search`.
struct CorpusFilterOptions: ParsableArguments {
    @Option(help: "Only this route (the model name clients asked for).") var route: String?
    @Option(help: "Only this HTTP status.") var status: Int?
    @Option(name: .customLong("served-by"), help: "Only teacher or student.") var servedBy: String?
    @Option(help: "Only this API surface: chat, responses or messages.") var surface: String?
    @Option(help: "Only exchanges with this tag (e.g. source:expansion).") var tag: String?
    @Option(help: "Only up, down, none or rated.") var rating: String?
    @Option(help: "Show exchanges older than this exchange id (the previous page's last).") var before: String?
    @Option(help: "Rows per page (1-500).") var limit = 20

    /// The filter these options describe.
    func filter(text: String? = nil) throws -> ExchangeFilter {
        var filter = ExchangeFilter(route: route, status: status, servedBy: servedBy, text: text, before: before, limit: limit)
        filter.surface = surface
        filter.tag = tag
        if let rating {
            guard let value = ExchangeFilter.Rating(rawValue: rating) else { throw ValidationError("--rating must be up, down, none or rated.") }
            filter.rating = value
        }
        return filter
    }
}

/// Writes `text` and a newline to standard output.
func printLine(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

/// Runs a corpus operation, turning a ``CorpusError`` into a clean command-line error.
func corpusOperation<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as CorpusError {
        throw CommandFailure(description: error.message)
    }
}

