import ArgumentParser

/// `retort-bench`: measurements of the gateway, the engine, the corpus and training.
/// Build optimized: `swift run -c release retort-bench <what>`.
@main
struct RetortBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retort-bench",
        abstract: "Benchmarks for Retort (run with -c release).",
        subcommands: [GatewayBench.self, EngineBench.self, CorpusBench.self, TrainBench.self]
    )
}
