import ArgumentParser
import Corpus
import Foundation
import Teacher

/// A `retort serve` child process on a free port with its own temporary database.
final class GatewayProcess {
    let process: Process
    let port: Int
    let databasePath: String
    var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    private init(process: Process, port: Int, databasePath: String) {
        self.process = process
        self.port = port
        self.databasePath = databasePath
    }

    /// The `retort` executable in the same build folder as this benchmark.
    static func siblingExecutable() -> String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("retort").path
    }

    static func start(executable: String, teacherURL: String) throws -> GatewayProcess {
        let port = Int.random(in: 20_000..<60_000)
        let database = FileManager.default.temporaryDirectory.appendingPathComponent("retort-bench-\(UUID().uuidString).sqlite").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        // Teacher routes only: the benchmark measures the proxy, not the student model.
        let config = database + ".json"
        try Data(#"{"routes":[{"name":"default","teacher_model":"mock-teacher"}]}"#.utf8).write(to: URL(fileURLWithPath: config))
        process.arguments = ["serve", "--config", config]
        var environment = ProcessInfo.processInfo.environment
        environment["RETORT_TEACHER_URL"] = teacherURL
        environment["RETORT_PORT"] = String(port)
        environment["RETORT_DB"] = database
        environment["LOG_LEVEL"] = "warning"
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return GatewayProcess(process: process, port: port, databasePath: database)
    }

    func waitUntilHealthy() async throws {
        let client = TeacherClient(configuration: TeacherConfiguration(baseURL: "http://127.0.0.1:\(port)", retry: .never))
        for _ in 0..<200 {
            if let response = try? await client.send(TeacherRequest(method: "GET", path: "/healthz")), response.status == 200 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ValidationError("the gateway did not become healthy on port \(port)")
    }

    /// Peak resident set size (VmHWM) of the gateway process.
    func peakRSSMegabytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kb / 1024
    }

    /// Stops the gateway gracefully (it drains its log queue) and counts the logged rows.
    func stopAndCountRows() throws -> Int {
        stop()
        let database = try SQLiteDatabase(path: databasePath)
        return try database.query("SELECT count(*) FROM exchanges").first?.first?.int ?? 0
    }

    func stop() {
        guard process.isRunning else { return }
        process.interrupt()
        process.waitUntilExit()
    }
}
