import ArgumentParser
import Corpus
import Distill
import Foundation
import Gateway
import Serving

/// `retort serving ...`: see and switch how each route is served. Works on the corpus,
/// so a running gateway picks a change up within its poll interval.
struct ServingCommand: AsyncParsableCommand {
    /// The command's name, help and subcommands.
    static let configuration = CommandConfiguration(
        commandName: "serving",
        abstract: "Show or switch each route's serving mode (teacher, shadow, canary, student).",
        subcommands: [ServingStatusCommand.self, ServingSetCommand.self]
    )
}

/// `--config` and `--db`, shared by the serving commands.
struct ServingOptions: ParsableArguments {
    @OptionGroup var config: ConfigOptions

    @Option(name: .long, help: "Corpus file (SQLite). Defaults to the configured database (RETORT_DB).")
    var db: String?

    /// The state book over the corpus (created and migrated when missing).
    func openBook() throws -> ServingStateBook {
        let configuration = try config.load()
        let path = db ?? configuration.database
        if path != ":memory:" {
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }
        return ServingStateBook(store: ServingStore(reader: try CorpusDatabase.reader(path)), routes: configuration.routes)
    }
}

/// `retort serving status`: each teacher route's mode and the latest events.
struct ServingStatusCommand: ParsableCommand {
    /// The command's name and help.
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show each route's serving mode and recent changes.")

    @OptionGroup var options: ServingOptions

    @Option(help: "Recent events to show.") var events = 10

    func run() throws {
        let book = try options.openBook()
        printLine("ROUTE                MODE      CANARY%  STUDENT              PREVIOUS")
        for state in try book.states().values.sorted(by: { $0.route < $1.route }) {
            printLine(padColumn(state.route.rawValue, 20) + " " + padColumn(state.mode.rawValue, 9) + " " + padColumn(state.mode == .canary ? String(state.canaryPercent) : "-", 8)
                      + " " + padColumn(state.student ?? "-", 20) + " " + (state.previousStudent ?? "-"))
        }
        let recent = try book.events(limit: events)
        guard !recent.isEmpty else { return }
        printLine("\nRECENT EVENTS")
        for event in recent { printLine(servingEventLine(event)) }
    }
}

/// `retort serving set ROUTE MODE [--percent P] [--student VERSION|PATH]`.
struct ServingSetCommand: ParsableCommand {
    /// The command's name and help.
    static let configuration = CommandConfiguration(commandName: "set", abstract: "Switch a route's serving mode by hand.")

    @OptionGroup var options: ServingOptions

    @Argument(help: "The route (the model name clients ask for).") var route: String
    @Argument(help: "teacher, shadow, canary or student.") var mode: String
    @Option(help: "Canary share in percent (canary only).") var percent: Double?
    @Option(help: "Student version (from `retort students`) or a GGUF path.") var student: String?
    @Option(help: "A note kept with the event.") var note = ""

    func validate() throws {
        guard ServingMode(rawValue: mode) != nil else { throw ValidationError("MODE must be teacher, shadow, canary or student.") }
    }

    func run() throws {
        let book = try options.openBook()
        do {
            // A version or file is stored by its resolved name (a file by its absolute path,
            // so a gateway started elsewhere finds it); an unknown name is kept as given, with
            // a warning: the route's requests go to the teacher until it exists.
            var name = student
            if let student {
                do { name = try StudentReference.resolve(student, store: book.store).name } catch DistillError.unknownStudent {
                    printLine("warning: no student version or model file named '\(student)': the route's requests go to the teacher until it exists")
                }
            }
            guard let event = try book.set(route: RouteName(route), mode: ServingMode(rawValue: mode) ?? .teacher, percent: percent,
                                           student: name, note: note) else { return }
            printLine(servingEventLine(event))
        } catch let error as ServingError {
            throw CommandFailure(description: error.description)
        } catch let error as ServingBookError {
            throw CommandFailure(description: error.description)
        }
    }
}

/// One event as a line: time, route, from → to, reason, actor, note.
func servingEventLine(_ event: ServingEvent) -> String {
    func mode(_ state: RouteServingState) -> String {
        state.mode.rawValue + (state.mode == .canary ? " \(state.canaryPercent)%" : "") + (state.student.map { " (\($0))" } ?? "")
    }
    let time = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: event.time))
    return "\(time)  \(event.route): \(mode(event.from)) -> \(mode(event.to))  [\(event.reason.rawValue), \(event.actor.rawValue)]"
        + (event.note.isEmpty ? "" : "  \(event.note)")
}

/// `text` padded with spaces to `width`.
func padColumn(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
}
