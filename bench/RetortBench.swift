import ArgumentParser
import Engine
import Foundation
import Gateway

/// `retort-bench`: measurements of the gateway, the engine, the corpus and training.
/// Build optimized: `swift run -c release retort-bench <what>`.
@main
struct RetortBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retort-bench",
        abstract: "Benchmarks for Retort (run with -c release).",
        subcommands: [GatewayBench.self, FloorBench.self, EngineBench.self, CorpusBench.self, TrainBench.self]
    )

    /// Sets up the kernels from the environment before any thread starts (quiets OpenBLAS's
    /// idle helpers unless `OPENBLAS_THREAD_TIMEOUT` is set; `RETORT_ENGINE_POOL=0` turns
    /// the spinning worker pool off) and the log lines as `retort` writes them
    /// (``TextLogHandler``), then runs the command.
    static func main() async {
        TextLogHandler.install()
        let environment = ProcessInfo.processInfo.environment
        if environment["OPENBLAS_THREAD_TIMEOUT"] == nil { Blas.limitHelperSpinning() }
        Parallel.usesWorkerPool = environment["RETORT_ENGINE_POOL"] != "0"
        await main(nil)
    }
}
