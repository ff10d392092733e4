import ArgumentParser
import ChatAPI
import Corpus
import Distill
import Foundation
import Gateway
import Serving
import Teacher

/// `retort augment ROUTE --count N`: expansion. The teacher writes new inputs in the style
/// of the route's logged ones (shown K at a time from the train split, asked in JSON mode
/// with the prompt in `ExpansionPrompt`), duplicates and held-out collisions are dropped,
/// and each new input is answered by the teacher and logged as an exchange tagged
/// `source:expansion` (`retort corpus list --tag source:expansion`).
struct AugmentCommand: AsyncParsableCommand {
    /// The command's name and help.
    static let configuration = CommandConfiguration(
        commandName: "augment",
        abstract: "Grow a route's data: new inputs written by the teacher, answered by the teacher, logged as source:expansion.")

    @OptionGroup var options: ServingOptions

    @Argument(help: "The route whose data grows.") var route: String
    @Option(help: "New exchanges to log.") var count: Int
    @Option(help: "Logged inputs shown to the teacher per ask.") var seeds = 5
    @Option(name: .customLong("per-ask"), help: "New inputs asked for per ask.") var perAsk = 10
    @Option(name: .customLong("max-teacher-tokens"), help: "Most tokens spent on teacher calls, asks included.") var maxTeacherTokens = 200_000
    @Option(help: "Character 3-gram similarity (0-1) at which a new input counts as a duplicate.") var similarity = 0.8
    @Option(name: .customLong("random-seed"), help: "Seeds the choice of examples.") var randomSeed: UInt64 = 1

    func validate() throws {
        guard count >= 1 else { throw ValidationError("--count must be at least 1.") }
        guard seeds >= 1, perAsk >= 1 else { throw ValidationError("--seeds and --per-ask must be at least 1.") }
        guard maxTeacherTokens >= 1 else { throw ValidationError("--max-teacher-tokens must be at least 1.") }
        guard (0...1).contains(similarity) else { throw ValidationError("--similarity must be between 0 and 1.") }
    }

    func run() async throws {
        let configuration = try options.config.load()
        guard let url = configuration.teacher.url else { throw CommandFailure(description: "augment needs a teacher (RETORT_TEACHER_URL)") }
        guard let routeConfiguration = configuration.route(named: RouteName(route)) else {
            throw CommandFailure(description: "no route '\(route)' in the configuration")
        }
        let database = options.db ?? configuration.database
        let reader = try CorpusDatabase.reader(database)
        let log = try ExchangeLog(path: database)
        defer { log.close() }
        reader.follow(log)
        var settings = ExpansionJob.Settings(route: route, teacherModel: routeConfiguration.teacherModel, count: count)
        settings.examples = seeds
        settings.perAsk = perAsk
        settings.maxTeacherTokens = maxTeacherTokens
        settings.similarity = similarity
        settings.randomSeed = randomSeed
        let teacher = TeacherChat(client: TeacherClient(configuration: configuration.teacher.clientConfiguration), api: configuration.teacher.api)
        let job = ExpansionJob(reader: reader, log: log, teacher: teacher, teacherURL: url, settings: settings)
        let report: ExpansionJob.Report
        do {
            report = try await job.run { progress in
                printLine("logged \(progress.logged)/\(count)  duplicates \(progress.duplicates)  held-out side \(progress.heldOutSide)  "
                    + "teacher tokens \(progress.teacherTokens)/\(maxTeacherTokens)")
            }
        } catch {
            throw CommandFailure(description: "\(error)")
        }
        printLine(report.json.jsonString)
    }
}
