import ArgumentParser
import ChatAPI
import Corpus
import Foundation

/// `retort students`: the registered student versions with their metrics.
struct StudentsCommand: ParsableCommand {
    /// The command's name and help.
    static let configuration = CommandConfiguration(commandName: "students", abstract: "List the trained student versions.")

    @OptionGroup var corpus: TrainingCorpusOptions
    @Flag(name: .long, help: "Print JSON instead of text.") var json = false

    func run() throws {
        let students = try TrainingStore(reader: try corpus.open().reader).students()
        if json { return printLine(JSONValue.array(students.map(\.json)).jsonString) }
        if students.isEmpty { return printLine("no student versions yet: `retort train sft` makes one") }
        for student in students {
            let metrics = student.metrics
            let figures = [("loss", "final_loss"), ("steps", "steps"), ("tok/s", "tokens_per_second"), ("examples", "examples")]
                .compactMap { label, key in metrics?[key]?.doubleValue.map { "\(label) \(Self.format($0))" } }
            printLine(([student.version, "from \(student.parent ?? "base")"] + figures + [student.path(of: "gguf") ?? student.directory])
                .joined(separator: "  "))
        }
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e12 ? String(Int(value)) : String(format: "%.4g", value)
    }
}
