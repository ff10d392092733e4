import ArgumentParser
import Foundation
import Distill
import Gateway
import Logging

/// `retort serve`: runs the gateway until interrupted.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the gateway (default 127.0.0.1:8080).")

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let configuration = try options.load()
        try createParentDirectory(of: configuration.database)
        let services = try GatewayServices.build(configuration: configuration)
        var logger = Logger(label: "retort")
        logger.logLevel = .info
        // Absolute: a relative path (the default, data/retort.sqlite) depends on where the
        // gateway was started, and another directory means another corpus.
        let corpus = URL(fileURLWithPath: configuration.database).standardizedFileURL.path
        logger.info("corpus: \(corpus)")
        if services.log.recoveredCount > 0 {
            logger.notice("recovered \(services.log.recoveredCount) acknowledged exchanges from the journal of a gateway that stopped without closing its log")
        }
        if let url = configuration.teacher.url {
            logger.info("teacher: \(url) (key \(configuration.teacher.apiKey == nil ? "not set" : "set"))")
        } else {
            logger.notice("no teacher configured (RETORT_TEACHER_URL or teacher.url): the built-in model \(configuration.student.model) answers as the teacher")
        }
        if let student = services.student {
            if let setup = student.decodeSetup {
                logger.info("student: \(student.modelName ?? student.path), decode weights \(setup.weights)\(setup.chosen ? " (auto: chosen for the file)" : ""), \(setup.kernel) kernels, \(setup.threads) threads\(setup.workerPool ? " on the worker pool" : "")")
            } else if let error = student.loadError {
                logger.warning("student: not loaded: \(error)")
            }
        }
        logger.info("routes: \(configuration.routes.map(\.name.rawValue).joined(separator: ", "))")
        let modes = services.serving.currentStates().map { "\($0.route)=\($0.mode.rawValue)" + ($0.student.map { " (\($0))" } ?? "") }
        logger.info("serving: \(modes.joined(separator: ", "))")
        let training = configuration.training
        if training.auto {
            logger.info("automatic training: every \(training.checkSeconds) s, after \(training.minNewExchanges) new exchanges or \(training.minNewPairs) new pairs or \(training.intervalHours) h")
        }
        for route in configuration.routes where route.expansion.enabled {
            let e = route.expansion
            if services.teacher == nil {
                logger.warning("expansion of route \(route.name.rawValue) is enabled but no teacher is configured: no jobs will start")
            } else {
                logger.info("expansion of route \(route.name.rawValue): \(e.count) new exchanges every \(e.everyHours) h once it has \(e.minLogged) logged, up to \(e.maxPerLogged) per logged one and \(e.maxTotal) in all")
            }
        }
        // Resumes runs whose process died, then (with training.auto) starts runs when due;
        // expands the routes that ask for it when due.
        let scheduler = services.trainingScheduler.start()
        let expansion = services.expansionScheduler.start()
        let app = buildApplication(services: services, logger: logger)
        // SIGTERM or SIGINT: stop taking connections and let requests in flight finish
        // (Hummingbird's graceful shutdown), then stop the training children (their runs
        // resume at the next start) and drain the exchange log to disk. A server that
        // fails (its port taken, say) is stopped the same way before the error is told.
        var failure: (any Error)?
        do {
            try await app.runService()
        } catch {
            failure = error
        }
        scheduler.cancel()
        expansion?.cancel()
        TrainingLauncher.stopChildren()
        services.log.close()
        logger.info("stopped: \(services.log.writtenCount) exchanges written, \(services.log.heldCount) could not be")
        if let failure { throw failure }
    }

    private func createParentDirectory(of path: String) throws {
        guard path != ":memory:" else { return }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }
}
