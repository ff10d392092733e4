import ArgumentParser
import Corpus

/// `retort corpus stats`: counts by route, status, server and rating; tokens; latency.
struct CorpusStatsCommand: AsyncParsableCommand {
    /// The command's name and help.
    static let configuration = CommandConfiguration(commandName: "stats", abstract: "The corpus at a glance.")

    @OptionGroup var options: CorpusOptions

    /// Prints the stats.
    func run() async throws {
        let stats = try options.openReader().stats()
        if options.json { return printLine(stats.json.jsonString) }
        printLine("exchanges      \(stats.exchanges)")
        for (title, counts) in [("by route", stats.byRoute), ("by status", stats.byStatus), ("served by", stats.byServedBy),
                                ("rating", stats.byRating), ("pairs", stats.pairsBySource)] where !counts.isEmpty {
            printLine("\(title.padding(toLength: 15, withPad: " ", startingAt: 0))" + counts.map { "\($0.key): \($0.count)" }.joined(separator: "  "))
        }
        printLine("feedback       \(stats.feedback)")
        printLine("tokens         prompt \(stats.promptTokens)  completion \(stats.completionTokens)")
        let latency = [("p50", stats.latencyP50), ("p90", stats.latencyP90), ("p99", stats.latencyP99)]
            .map { "\($0.0) \($0.1.map { "\(Int($0.rounded())) ms" } ?? "-")" }.joined(separator: "  ")
        printLine("latency (200)  \(latency)")
        printLine("held-out       \(stats.heldOutVersions) frozen version(s)")
    }
}
