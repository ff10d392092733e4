import ArgumentParser
import ChatAPI
import Corpus
import Foundation

/// `retort-bench corpus`: list, search and stats latency (p50/p99) and export
/// throughput on a synthetic corpus (default 1,000,000 exchanges).
/// Targets: list and search p99 ≤ 50 ms; export ≥ 20,000 rows/s.
struct CorpusBench: AsyncParsableCommand {
    /// The subcommand's name and help.
    static let configuration = CommandConfiguration(commandName: "corpus", abstract: "Corpus list/search/stats latency and export throughput.")

    @Option(help: "Exchanges in the synthetic corpus.") var rows = 1_000_000
    @Option(help: "Corpus file (generated when missing).") var db: String?
    @Flag(help: "Regenerate the corpus even if the file exists.") var fresh = false
    @Option(help: "Queries per measurement.") var queries = 300
    @Option(help: "Stop each export after this many lines (default: all).") var exportLimit: Int?

    /// Generates the corpus if needed, then measures.
    func run() async throws {
        let path = db ?? ".build/bench/corpus-\(rows).sqlite"
        try prepare(path)
        let reader = try SQLiteCorpus(path: path)
        let ids = try reader.withDatabase { db in
            try db.query("SELECT id FROM exchanges WHERE seq % 997 = 0").compactMap { $0.first?.string }
        }
        var random = SyntheticCorpus.Random(state: 7)
        _ = try measure(20) { try reader.list(Self.randomFilter(ids: ids, random: &random)) }  // warm the page cache
        let list = try measure(queries) { try reader.list(Self.randomFilter(ids: ids, random: &random)) }
        var generator = SyntheticCorpus(seed: 11)
        let search = try measure(queries) {
            var filter = ExchangeFilter(text: Int.random(in: 0..<3, using: &random) == 0 ? "\(generator.word()) \(generator.word())" : generator.word())
            if Bool.random(using: &random) { filter.before = ids.randomElement(using: &random) }
            return try reader.list(filter)
        }
        let stats = try measure(max(20, queries / 10)) { try reader.stats() }
        print("corpus: \(try reader.exchangeCount()) exchanges in \(path)")
        print("operation | p50 ms | p99 ms | max ms")
        for (name, samples) in [("list", list), ("search", search), ("stats", stats)] {
            let s = LatencyStats(samples)
            print(String(format: "%-9@ | %6.2f | %6.2f | %6.2f", name, s.p50, s.p99, s.sorted.last ?? 0))
        }
        for format in [ExportFormat.openAISFT, .trlSFT, .raw, .trlDPO] {
            try exportThroughput(path: path, format: format)
        }
    }

    /// Generates the corpus (and some ratings) unless it exists.
    private func prepare(_ path: String) throws {
        if fresh { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        guard !FileManager.default.fileExists(atPath: path) else { return }
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let started = ContinuousClock.now
        try SyntheticCorpus.fill(path: path, count: rows) { done in
            FileHandle.standardError.write(Data("\rgenerated \(done)".utf8))
        }
        let seconds = (ContinuousClock.now - started).milliseconds / 1000
        print(String(format: "\ngenerated %d exchanges in %.1f s (%.0f rows/s through the writer; the search index and rollups catch up behind it)", rows, seconds, Double(rows) / seconds))
        let reader = try SQLiteCorpus(path: path)
        let store = FeedbackStore(reader: reader)
        let sample = try reader.withDatabase { db in
            try db.query("SELECT id FROM exchanges WHERE status = 200 AND seq % 400 = 0").compactMap { $0.first?.string }
        }
        for (index, id) in sample.enumerated() {
            _ = try store.record(FeedbackSubmission(content: .annotation(Annotation(target: .exchange(id), thumbsUp: index % 3 != 0))))
        }
        print("rated \(sample.count) exchanges")
    }

    private static func randomFilter(ids: [String], random: inout SyntheticCorpus.Random) -> ExchangeFilter {
        var filter = ExchangeFilter()
        switch Int.random(in: 0..<6, using: &random) {
        case 0: break
        case 1: filter.route = SyntheticCorpus.routes.randomElement(using: &random)
        case 2: filter.status = [200, 502, 400].randomElement(using: &random)
        case 3: filter.servedBy = "student"
        case 4: filter.rating = [.up, .down, .rated].randomElement(using: &random)
        default: filter.route = SyntheticCorpus.routes.randomElement(using: &random); filter.status = 200
        }
        if Bool.random(using: &random) { filter.before = ids.randomElement(using: &random) }
        return filter
    }

    private func measure(_ count: Int, _ body: () throws -> Any) throws -> [Double] {
        try (0..<count).map { _ in
            let started = ContinuousClock.now
            _ = try body()
            return (ContinuousClock.now - started).milliseconds
        }
    }

    private func exportThroughput(path: String, format: ExportFormat) throws {
        let started = ContinuousClock.now
        let cursor = try ExportCursor(path: path, request: ExportRequest(format: format, limit: exportLimit))
        var bytes = 0
        while let chunk = try cursor.nextChunk() { bytes += chunk.count }
        let seconds = (ContinuousClock.now - started).milliseconds / 1000
        print(String(format: "export %-10@ %8d lines (%d rows skipped) in %6.2f s = %8.0f lines/s, %5.1f MB/s",
                     format.rawValue, cursor.linesWritten, cursor.rowsSkipped, seconds,
                     Double(cursor.linesWritten) / seconds, Double(bytes) / seconds / 1e6))
    }
}
