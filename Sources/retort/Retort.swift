import ArgumentParser
import Engine

/// The `retort` command line: the gateway and the tools around its corpus.
@main
struct Retort: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retort",
        abstract: "An OpenAI-compatible gateway that logs every exchange and distills a local student model.",
        subcommands: [Serve.self, CorpusCommand.self, TrainCommand.self, StudentsCommand.self, ServingCommand.self, EvalCommand.self, Bench.self]
    )

    /// Quiets OpenBLAS's idle helpers before any thread starts, then runs the command.
    static func main() async {
        Blas.limitHelperSpinning()
        await main(nil)
    }
}
