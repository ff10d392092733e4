import ArgumentParser
import Engine
import Foundation

/// The `retort` command line: the gateway and the tools around its corpus.
@main
struct Retort: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retort",
        abstract: "An OpenAI-compatible gateway that logs every exchange and distills a local student model.",
        subcommands: [Serve.self, CorpusCommand.self, TrainCommand.self, StudentsCommand.self, ServingCommand.self, EvalCommand.self, Bench.self]
    )

    /// Quiets OpenBLAS's idle helpers before any thread starts, and reads the kernels'
    /// settings from the environment (`RETORT_ENGINE_POOL=1`: the spinning worker pool),
    /// then runs the command.
    static func main() async {
        Blas.limitHelperSpinning()
        Parallel.usesWorkerPool = ProcessInfo.processInfo.environment["RETORT_ENGINE_POOL"] == "1"
        await main(nil)
    }
}
