import ArgumentParser
import Engine
import Foundation

/// `retort-bench`: measurements of the gateway, the engine, the corpus and training.
/// Build optimized: `swift run -c release retort-bench <what>`.
@main
struct RetortBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retort-bench",
        abstract: "Benchmarks for Retort (run with -c release).",
        subcommands: [GatewayBench.self, EngineBench.self, CorpusBench.self, TrainBench.self]
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
