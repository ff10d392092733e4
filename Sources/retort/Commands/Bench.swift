import ArgumentParser
import Foundation

/// `retort bench ...`: runs the `retort-bench` executable built beside this one, so the
/// benchmark harness (with its mock teacher) stays out of the gateway binary.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks: gateway, engine, corpus (forwards to retort-bench; build it with -c release).")

    @Argument(parsing: .captureForPassthrough, help: "gateway | engine | corpus, and their options")
    var arguments: [String] = []

    func run() throws {
        let sibling = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("retort-bench")
        guard FileManager.default.isExecutableFile(atPath: sibling.path) else {
            throw ValidationError("retort-bench not found next to retort; build it: swift build -c release --product retort-bench")
        }
        let process = Process()
        process.executableURL = sibling
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        if process.terminationStatus != 0 { throw ExitCode(process.terminationStatus) }
    }
}
