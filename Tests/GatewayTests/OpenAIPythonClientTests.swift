import ChatAPI
import Foundation
import Testing

/// The official `openai` Python package against the live gateway: a plain call, a
/// stream and an error, then the logged rows. The test command (scripts/test.sh)
/// sets RETORT_TEST_PYTHON to a virtual environment that has the package.
@Suite struct OpenAIPythonClientTests {
    static let python = ProcessInfo.processInfo.environment["RETORT_TEST_PYTHON"]

    @Test(.enabled(if: python != nil, "set RETORT_TEST_PYTHON to a python with the openai package (scripts/test.sh does)"))
    func officialClientWorksAndIsLogged() async throws {
        let harness = try GatewayHarness()
        let output = try await harness.run { _, gateway in
            try runPython(script: "Tests/Python/openai_client.py", baseURL: "http://127.0.0.1:\(gateway.port)/v1")
        }
        let result = try JSONValue.parse(output)
        #expect(result["plain"]?["content"]?.stringValue == "python says hi")
        #expect(result["plain"]?["finish_reason"]?.stringValue == "stop")
        #expect(result["stream"]?["content"]?.stringValue == "python streams this")
        #expect(result["error"]?["status"]?.intValue == 404)
        #expect(result["error"]?["code"]?.stringValue == "model_not_found")

        let rows = try harness.rows()
        #expect(rows.count == 2)
        let plain = try #require(rows.first { !$0.stream })
        #expect(plain.id == result["plain"]?["exchange_id"]?.stringValue)
        #expect(plain.completionID == result["plain"]?["id"]?.stringValue)
        #expect(plain.user == "py-user" && plain.status == 200)
        let streamed = try #require(rows.first { $0.stream })
        #expect(streamed.completionID == result["stream"]?["id"]?.stringValue)
        #expect(streamed.responseJSON?.contains("python streams this") == true)
        #expect(streamed.totalTokens != nil)
    }

    func runPython(script: String, baseURL: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python ?? "python3")
        process.arguments = [script]
        var environment = ProcessInfo.processInfo.environment
        environment["RETORT_BASE_URL"] = baseURL
        environment["NO_PROXY"] = "127.0.0.1,localhost"
        process.environment = environment
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw HarnessError("python failed (\(process.terminationStatus)): \(String(decoding: err, as: UTF8.self))")
        }
        return String(decoding: out, as: UTF8.self)
    }
}
