import ArgumentParser
import ChatAPI
import Corpus
import Foundation

/// `retort train status [RUN]`: recent runs with their last metrics, or one run in detail
/// with its loss curve.
struct TrainStatusCommand: ParsableCommand {
    /// The command's name and help.
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Training runs, their metrics and loss curves.")

    @Argument(help: "A run id for its details and loss curve.") var runID: String?
    @OptionGroup var corpus: TrainingCorpusOptions
    @Flag(name: .long, help: "Print JSON instead of text.") var json = false
    @Option(help: "Runs to list.") var limit = 20

    func run() throws {
        let store = TrainingStore(reader: try corpus.open().reader)
        if let runID {
            guard let row = try store.run(id: runID) else { throw ValidationError("No training run \(runID).") }
            return try show(row, store: store)
        }
        let runs = try store.runs(limit: limit)
        if json { return printLine(JSONValue.array(runs.map(\.json)).jsonString) }
        if runs.isEmpty { return printLine("no training runs yet: `retort train sft` starts one") }
        for row in runs {
            let last = try store.lastMetric(runID: row.id)
            let loss = last?.values["loss"]?.doubleValue.map { String(format: "loss %.4f", $0) } ?? ""
            let version = row.metrics?["version"]?.stringValue.map { "→ \($0)" } ?? ""
            printLine([row.id, row.kind, row.status.rawValue, last.map { "step \($0.step)" } ?? "", loss, version,
                       row.error ?? ""].filter { !$0.isEmpty }.joined(separator: "  "))
        }
    }

    private func show(_ row: TrainingRun, store: TrainingStore) throws {
        let points = try store.metrics(runID: row.id)
        if json {
            return printLine(row.json.setting("metric_points", to: .array(points.map(\.json))).jsonString)
        }
        printLine("run       \(row.id)  \(row.kind)  \(row.status.rawValue)\(row.pid.map { "  pid \($0)" } ?? "")")
        printLine("config    \(row.config.jsonString)")
        if let snapshot = row.dataSnapshot { printLine("data      \(snapshot.jsonString)") }
        if let metrics = row.metrics { printLine("metrics   \(metrics.jsonString)") }
        if let error = row.error { printLine("error     \(error)") }
        guard let last = points.last else { return }
        printLine("last      step \(last.step): \(last.values.jsonString)")
        printLine("loss (\(points.count) steps)")
        for line in LossChart.render(points.compactMap { $0.values["loss"]?.doubleValue }) { printLine(line) }
    }
}
