import ArgumentParser
import Corpus
import Distill
import Foundation
import Gateway
import Serving
import Teacher

/// `retort check-consistency ROUTE`: self-consistency curation. The teacher answers each
/// unchecked train-split exchange of the route again at a temperature above 0; exchanges
/// whose two answers disagree are left out of training and counted as `inconsistent` in the
/// run's `curation_removed`.
struct CheckConsistencyCommand: AsyncParsableCommand {
    /// The command's name and help.
    static let configuration = CommandConfiguration(
        commandName: "check-consistency",
        abstract: "Ask the teacher again at temperature > 0; exchanges whose answers disagree are left out of training.")

    @OptionGroup var options: ServingOptions

    @Argument(help: "The route whose exchanges are checked.") var route: String
    @Option(help: "Most exchanges checked in this run (unchecked ones, oldest first).") var limit = 200
    @Option(help: "Sampling temperature of the second answer.") var temperature = 0.7

    func validate() throws {
        guard limit >= 1 else { throw ValidationError("--limit must be at least 1.") }
        guard temperature > 0, temperature <= 2 else { throw ValidationError("--temperature must be in (0, 2].") }
    }

    func run() async throws {
        let configuration = try options.config.load()
        guard configuration.teacher.url != nil else { throw CommandFailure(description: "check-consistency needs a teacher (RETORT_TEACHER_URL)") }
        guard let routeConfiguration = configuration.route(named: RouteName(route)) else {
            throw CommandFailure(description: "no route '\(route)' in the configuration")
        }
        let reader = try CorpusDatabase.reader(options.db ?? configuration.database)
        var settings = SelfConsistencyJob.Settings(route: route, teacherModel: routeConfiguration.teacherModel)
        (settings.limit, settings.temperature, settings.match) = (limit, temperature, routeConfiguration.answerMatch)
        let teacher = TeacherChat(client: TeacherClient(configuration: configuration.teacher.clientConfiguration), api: configuration.teacher.api)
        let job = SelfConsistencyJob(reader: reader, teacher: teacher, settings: settings, agreement: try configuration.serving.agreementJudge())
        let report = try await job.run { progress in
            if progress.checked % 25 == 0 { printLine("checked \(progress.checked): \(progress.agreed) agreed, \(progress.disagreed) disagreed") }
        }
        printLine("checked \(report.checked) exchanges of route \(route): \(report.agreed) agreed, \(report.disagreed) disagreed "
            + "(left out of training), \(report.failed) teacher calls failed, \(report.teacherTokens) teacher tokens")
    }
}
