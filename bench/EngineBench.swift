import ArgumentParser
import Engine
import Foundation

/// `retort bench engine`: load time, prefill and decode throughput, and peak memory of
/// the student engine on a GGUF model.
public struct EngineBench: AsyncParsableCommand {
    /// The subcommand's name and help.
    public static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Benchmark the student engine: load, prefill (128/512 tokens), decode (128 tokens), peak RSS.")

    /// The GGUF file; default: the first models/SmolLM2-135M-Instruct*.gguf.
    @Option(help: "GGUF model path (default: models/SmolLM2-135M-Instruct*.gguf)")
    var model: String?

    /// Worker threads for OpenBLAS and the Q8 kernel (default 2).
    @Option(help: "Threads for the matrix kernels")
    var threads: Int = 2

    /// Weight format used by decode: auto (default: chosen for the file), q8_0, q4_1 or f32.
    @Option(help: "Decode weights: auto (chosen for the file), q8_0, q4_1 or f32")
    var decodeWeights: String = DecodeWeights.auto.rawValue

    /// Repetitions of each measurement; the median is reported (default 3).
    @Option(help: "Repetitions per measurement (median reported)")
    var repeats: Int = 3

    /// Prefill prompt lengths (default 128 and 512).
    @Option(parsing: .upToNextOption, help: "Prefill prompt lengths in tokens")
    var prefill: [Int] = [128, 512]

    /// Tokens to decode (default 128).
    @Option(help: "Tokens to decode after a 128-token prompt")
    var decode: Int = 128

    /// Creates the command with its defaults.
    public init() {}

    /// Checks the options.
    public func validate() throws {
        guard DecodeWeights(rawValue: decodeWeights) != nil else {
            throw ValidationError("--decode-weights must be auto, q8_0, q4_1 or f32")
        }
        guard threads >= 1, repeats >= 1, decode >= 1, prefill.allSatisfy({ $0 >= 1 }) else {
            throw ValidationError("counts must be positive")
        }
    }

    /// Runs the benchmark and prints one line per figure.
    public func run() async throws {
        let path = try model ?? Self.defaultModelPath()
        let start = Date()
        let student = try StudentModel(path: path, threads: threads,
                                       decodeWeights: DecodeWeights(rawValue: decodeWeights) ?? .auto)
        let loadSeconds = Date().timeIntervalSince(start)
        print("model         \(path)")
        let chosen = student.model.decodeWeights.rawValue + (decodeWeights == "auto" ? " (auto)" : "")
        print("threads       \(threads)\(Parallel.usesWorkerPool ? " on the worker pool" : " (Dispatch)"), decode weights \(chosen), \(DecodeKernel.best) kernels; \(Self.blasHelperLine)")
        print(String(format: "load          %.3f s", loadSeconds))
        let corpus = Self.promptTokens(student, count: max(prefill.max() ?? 128, 128))
        for length in prefill {
            let (seconds, cpu) = medians((0..<repeats).map { _ in
                Self.time { _ = try? student.model.makeSession(capacity: length).forward(Array(corpus.prefix(length))) }
            })
            print(String(format: "prefill %4d  %.1f tok/s  (%.1f ms; process CPU %.1f ms)",
                         length, Double(length) / seconds, seconds * 1000, cpu * 1000))
        }
        let (decodeSeconds, decodeCPU) = medians((0..<repeats).map { _ in
            (try? Self.decodeTime(student, prompt: Array(corpus.prefix(128)), tokens: decode)) ?? (.infinity, .infinity)
        })
        print(String(format: "decode  %4d  %.1f tok/s  (%.2f ms/token; process CPU %.2f ms/token)", decode,
                     Double(decode) / decodeSeconds, decodeSeconds * 1000 / Double(decode),
                     decodeCPU * 1000 / Double(decode)))
        let bytesPerToken = Double(student.model.decodeBytesPerToken)
        print(String(format: "weights       %.1f MB per token, streamed at %.1f GB/s; machine read bandwidth %.1f GB/s (1 thread), %.1f GB/s (%d)",
                     bytesPerToken / 1e6, bytesPerToken * Double(decode) / decodeSeconds / 1e9,
                     MemoryBandwidth.read(threads: 1), MemoryBandwidth.read(threads: threads), threads))
        let sampled = medians((0..<repeats).map { _ in Self.sampledDecodeTime(student, prompt: Array(corpus.prefix(128)), tokens: decode) })
        print(String(format: "decode  %4d  %.1f tok/s sampled (T 0.7, top_p 0.95, logprobs: what serving runs)", decode,
                     Double(decode) / sampled.0))
        print(String(format: "load average  %@ (other work on the machine skews wall-clock figures)",
                     Self.loadAverage()))
        print("peak RSS      \(Self.peakResidentMegabytes().map { "\($0) MB" } ?? "unknown")")
    }

    /// Medians of wall and CPU seconds.
    private func medians(_ values: [(Double, Double)]) -> (Double, Double) {
        (values.map(\.0).sorted()[values.count / 2], values.map(\.1).sorted()[values.count / 2])
    }

    /// Wall-clock and process CPU seconds (all threads) taken by `body`.
    static func time(_ body: () -> Void) -> (wall: Double, cpu: Double) {
        let cpuStart = processCPUSeconds(), start = DispatchTime.now().uptimeNanoseconds
        body()
        return (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, processCPUSeconds() - cpuStart)
    }

    /// CPU time used by this process so far, all threads.
    static func processCPUSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    /// The 1-minute load average, from /proc/loadavg.
    static func loadAverage() -> String {
        let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?"
        return String(text.split(separator: " ").first ?? "?")
    }

    /// Bare greedy decode of `tokens` tokens after `prompt` (end-of-turn ignored; the
    /// logits read in place, as `generate` does): wall and CPU seconds.
    static func decodeTime(_ student: StudentModel, prompt: [Int32], tokens: Int) throws -> (Double, Double) {
        let session = student.model.makeSession(capacity: prompt.count + tokens)
        var logits = try session.forwardInPlace(prompt)
        var failure: Error?
        let seconds = time {
            for _ in 0..<tokens {
                do { logits = try session.forwardInPlace([Sampler.argmax(logits)]) } catch { failure = error; return }
            }
        }
        if let failure { throw failure }
        return withExtendedLifetime(session) { seconds }
    }

    /// Wall and CPU seconds per `tokens` tokens of `generate` at temperature 0.7, top_p 0.95
    /// with logprobs (the sampler and the confidence check included), timed from the first
    /// token (after the prefill) to the last.
    static func sampledDecodeTime(_ student: StudentModel, prompt: [Int32], tokens: Int) -> (Double, Double) {
        let options = GenerationOptions(temperature: 0.7, topP: 0.95, seed: 7, maxTokens: tokens + 1, logprobs: true)
        var first: (wall: UInt64, cpu: Double)?, produced = 0
        _ = try? student.generate(promptTokens: prompt, options: options) { _ in
            if first == nil { first = (DispatchTime.now().uptimeNanoseconds, processCPUSeconds()) } else { produced += 1 }
            return true
        }
        guard let first, produced > 0 else { return (.infinity, .infinity) }
        let scale = Double(tokens) / Double(produced)
        return (Double(DispatchTime.now().uptimeNanoseconds - first.wall) / 1e9 * scale, (processCPUSeconds() - first.cpu) * scale)
    }

    /// A natural-text prompt of exactly `count` tokens (the text repeated as needed).
    static func promptTokens(_ student: StudentModel, count: Int) -> [Int32] {
        let text = "The quick brown fox jumps over the lazy dog while the engine measures how fast it reads. "
        var tokens: [Int32] = []
        let piece = student.tokenizer.encode(text)
        while tokens.count < count { tokens += piece }
        return Array(tokens.prefix(count))
    }

    /// `VmHWM` from /proc/self/status, in MB.
    static func peakResidentMegabytes() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kilobytes = line.split(separator: " ").compactMap { Int($0) }.first
            return kilobytes.map { $0 / 1024 }
        }
        return nil
    }

    /// The first `models/SmolLM2-135M-Instruct*.gguf` under the current directory.
    static func defaultModelPath() throws -> String {
        let directory = FileManager.default.currentDirectoryPath + "/models"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        guard let name = names.sorted().first(where: { $0.hasPrefix("SmolLM2-135M-Instruct") && $0.hasSuffix(".gguf") }) else {
            throw ValidationError("no models/SmolLM2-135M-Instruct*.gguf here: run scripts/fetch-model.sh or pass --model")
        }
        return directory + "/" + name
    }

    /// OpenBLAS's kernels and how long its idle helpers spin, as the run reads them (see
    /// `Blas.limitHelperSpinning`).
    static var blasHelperLine: String {
        let exponent = Blas.helperSpinExponent
        return "OpenBLAS \(Blas.coreName) kernels, helpers spin " + (exponent > 0 ? "2^\(exponent) cycles" : "its default 2^28 cycles")
    }
}
