import ArgumentParser
import Engine
import Foundation
import Training

/// `retort bench train`: tokens/s of full SFT, LoRA SFT, LoRA DPO with cached reference
/// log-probs and the reference forward pass on a GGUF student, with the achieved GFLOP/s
/// as a share of OpenBLAS sgemm on the same shapes, and each mode's peak RSS (every mode
/// runs in its own child process, so the peaks are separate).
public struct TrainBench: AsyncParsableCommand {
    /// The subcommand's name and help.
    public static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Benchmark training: full SFT, LoRA SFT, LoRA DPO (cached reference), reference forward; GFLOP/s, peak RSS.")

    /// The GGUF file; default: the first models/SmolLM2-135M-Instruct*.gguf.
    @Option(help: "GGUF model path (default: models/SmolLM2-135M-Instruct*.gguf)")
    var model: String?

    /// OpenBLAS threads (default 2).
    @Option(help: "Threads for OpenBLAS")
    var threads: Int = 2

    /// Tokens per step: one sequence for SFT, two sequences of half the length for DPO.
    @Option(help: "Tokens per step (SFT: one sequence; DPO: two of half the length)")
    var tokens: Int = 512

    /// Measured steps per mode; the median is reported (default 3).
    @Option(help: "Measured steps per mode (median reported)")
    var steps: Int = 3

    /// Unmeasured steps first (default 1).
    @Option(help: "Warm-up steps per mode")
    var warmup: Int = 1

    /// Masked prompt tokens at the start of each SFT sequence (default 0: a target at
    /// every position, the most LM-head work).
    @Option(help: "Prompt tokens (no target, no logits) at the start of each SFT sequence")
    var prompt: Int = 0

    /// LoRA rank (default 16, α = 2r, all seven matrices).
    @Option(help: "LoRA rank")
    var rank: Int = 16

    /// One mode, or all (each in a child process).
    @Option(help: "full | lora | dpo | reference | sgemm | all")
    var mode: String = "all"

    /// Creates the command with its defaults.
    public init() {}

    /// Checks the options.
    public func validate() throws {
        guard mode == "all" || mode == "sgemm" || TrainMode(rawValue: mode) != nil else {
            throw ValidationError("--mode must be full, lora, dpo, reference, sgemm or all")
        }
        guard threads >= 1, steps >= 1, warmup >= 0, rank >= 1, tokens >= 8, tokens % 2 == 0,
              prompt >= 0, prompt < tokens else {
            throw ValidationError("counts must be positive, --tokens even and ≥ 8, --prompt below --tokens")
        }
    }

    /// Runs one mode and prints a `RESULT` line, or all modes in child processes and a table.
    public func run() async throws {
        Blas.setThreads(threads)
        let path = try model ?? EngineBench.defaultModelPath()
        if mode == "all" { return try runAll(path: path) }
        let config = try LlamaConfig(file: GGUFFile(path: path))
        if mode == "sgemm" {
            let rate = SgemmReference.rate(config: config, rows: tokens, repeats: max(2, steps))
            print(String(format: "RESULT sgemm %.2f", rate))
            return
        }
        let runner = TrainRunner(path: path, config: config, tokens: tokens, rank: rank, prompt: prompt)
        let trainMode = TrainMode(rawValue: mode) ?? .full
        let measured = try runner.measure(trainMode, steps: steps, warmup: warmup)
        // sgemm right after, on the same shapes, once the model is gone (outside the peak RSS).
        let sgemm = SgemmReference.rate(config: config, rows: tokens, repeats: 2)
        print(String(format: "RESULT %@ %.4f %.4f %.1f %d %.2f", mode, measured.wall, measured.cpu,
                     runner.flopsPerToken(trainMode) / 1e6, measured.peakMB, sgemm))
    }

    /// Runs every mode as a child process of this executable; prints the table.
    private func runAll(path: String) throws {
        print("model         \(path)")
        print("threads \(threads), \(tokens) tokens per step, SFT targets after a \(prompt)-token prompt;"
              + " DPO 2 × \(tokens / 2) tokens, \(tokens / 8)-token prompt; LoRA r=\(rank) α=\(2 * rank) on all 7 matrices")
        print("median of \(steps) steps after \(warmup) warm-up; \(EngineBench.blasHelperLine); load average \(EngineBench.loadAverage())")
        for mode in TrainMode.allCases {
            let fields = try child(mode.rawValue, path: path).compactMap(Double.init)
            guard fields.count == 5 else { print("\(mode.rawValue): failed"); continue }
            let (seconds, cpu, megaflops, peak, sgemm) = (fields[0], fields[1], fields[2], fields[3], fields[4])
            let rate = Double(tokens) / seconds, gflops = rate * megaflops / 1e3
            let figures = String(format: "%6.1f tok/s  %.2f s/step (CPU %.2f s)  %4.0f MFLOP/tok  %5.1f GFLOP/s", rate,
                                 seconds, cpu, megaflops, gflops)
            let shares = String(format: " = %3.0f%% of sgemm %5.1f  peak RSS %4.0f MB",
                                100 * gflops / max(sgemm, 1e-9), sgemm, peak)
            print(mode.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0) + figures + shares)
        }
        print("load average  \(EngineBench.loadAverage()) (other work on the machine skews wall-clock figures)")
    }

    /// Runs `retort-bench train --mode <mode>` and returns the fields of its RESULT line after the mode.
    private func child(_ mode: String, path: String) throws -> [String] {
        let process = Process(), pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        process.arguments = ["train", "--mode", mode, "--model", path, "--threads", "\(threads)", "--tokens", "\(tokens)",
                             "--steps", "\(steps)", "--warmup", "\(warmup)", "--rank", "\(rank)",
                             "--prompt", "\(prompt)"]
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let line = output.split(separator: "\n").first { $0.hasPrefix("RESULT ") } ?? ""
        return line.split(separator: " ").dropFirst(2).map(String.init)
    }
}
