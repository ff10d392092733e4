import Foundation

/// Shows a run's progress on standard error: a bar redrawn in place on a terminal
/// (step/total, loss, tokens/s, ETA), plain lines otherwise (logs, the gateway's child).
struct TrainingProgress {
    /// Steps of the whole run.
    let total: Int
    /// Whether standard error is a terminal (bar) or not (lines).
    let interactive: Bool
    private let started = Date()
    private var lastLine = Date.distantPast
    private var tokens = 0
    private let firstStep: Int

    /// Progress of a run of `total` steps that starts (or resumes) at `firstStep`.
    init(total: Int, firstStep: Int, interactive: Bool = isatty(STDERR_FILENO) == 1) {
        self.total = total
        self.firstStep = firstStep
        self.interactive = interactive
    }

    /// Tokens per second since this process started training.
    var tokensPerSecond: Double { Double(tokens) / max(Date().timeIntervalSince(started), 1e-3) }

    /// Records step `step` (1-based, done) with `tokens` processed and its loss.
    mutating func update(step: Int, tokens stepTokens: Int, loss: Float, extra: String = "") {
        tokens += stepTokens
        let elapsed = Date().timeIntervalSince(started)
        let perStep = elapsed / Double(max(1, step - firstStep))
        let eta = Self.duration(perStep * Double(total - step))
        let figures = String(format: "loss %.4f  %.0f tok/s  ETA %@", loss, tokensPerSecond, eta) + extra
        if interactive {
            let width = 30, filled = total > 0 ? width * step / total : width
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            write("\r[\(bar)] \(step)/\(total)  \(figures)\u{1B}[K" + (step == total ? "\n" : ""))
        } else if step == total || step == firstStep + 1 || Date().timeIntervalSince(lastLine) >= 10 {
            lastLine = Date()
            write("step \(step)/\(total)  \(figures)\n")
        }
    }

    /// Writes a plain message line.
    func note(_ message: String) {
        write((interactive ? "\r\u{1B}[K" : "") + message + "\n")
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// `1h02m`, `3m20s`, `12s`.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        let s = Int(seconds.rounded())
        if s >= 3600 { return "\(s / 3600)h\(String(format: "%02d", s % 3600 / 60))m" }
        if s >= 60 { return "\(s / 60)m\(String(format: "%02d", s % 60))s" }
        return "\(s)s"
    }
}
