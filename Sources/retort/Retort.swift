import ArgumentParser
import Engine
import Foundation
import Gateway

/// The `retort` command line: the gateway and the tools around its corpus.
@main
struct Retort: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retort",
        abstract: "An OpenAI-compatible gateway that logs every exchange and distills a local student model.",
        subcommands: [Serve.self, CorpusCommand.self, TrainCommand.self, AugmentCommand.self, CheckConsistencyCommand.self, StudentsCommand.self, ServingCommand.self, EvalCommand.self, Bench.self]
    )

    /// Sets up the kernels from the environment before any thread starts (quiets OpenBLAS's
    /// idle helpers unless `OPENBLAS_THREAD_TIMEOUT` is set; `RETORT_ENGINE_POOL=0` turns
    /// the spinning worker pool off) and the log lines (``TextLogHandler``), then runs the
    /// command.
    static func main() async {
        TextLogHandler.install()
        let environment = ProcessInfo.processInfo.environment
        if environment["OPENBLAS_THREAD_TIMEOUT"] == nil { Blas.limitHelperSpinning() }
        Parallel.usesWorkerPool = environment["RETORT_ENGINE_POOL"] != "0"
        await main(nil)
    }
}
