import ChatAPI
import Foundation
import Gateway
import TestSupport
import Testing

/// The official `openai` (Responses, embeddings) and `anthropic` (Messages) Python
/// packages against the live gateway, with a chat-completions teacher (translated) and
/// with a teacher of each client's own API (forwarded). The test command
/// (scripts/test.sh) sets RETORT_TEST_PYTHON to a virtual environment with both.
@Suite struct SurfacesPythonClientTests {
    static let python = ProcessInfo.processInfo.environment["RETORT_TEST_PYTHON"]

    /// Answers embeddings; everything else goes to `teacher`.
    static func withEmbeddings(_ teacher: @escaping @Sendable (MockRequest) -> MockReply) -> @Sendable (MockRequest) -> MockReply {
        { request in
            guard request.path.hasSuffix("/embeddings") else { return teacher(request) }
            return .json(body: #"{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.5,0.25,0.125]}],"model":"embedder","usage":{"prompt_tokens":4,"total_tokens":4}}"#)
        }
    }

    static func check(_ result: JSONValue, followUpEchoes: Bool) {
        #expect(result["responses"]?["text"]?.stringValue == "responses via python")
        #expect(result["responses"]?["status"]?.stringValue == "completed")
        #expect(result["responses"]?["input_tokens"]?.intValue != nil)
        #expect(result["responses_stream"]?["text"]?.stringValue == "streamed responses via python")
        #expect(result["responses_stream"]?["completed_text"]?.stringValue == "streamed responses via python")
        #expect(result["responses_stream"]?["output_tokens"]?.intValue != nil)
        if followUpEchoes { #expect(result["responses_follow_up"]?["text"]?.stringValue == "and again") }
        #expect(result["messages"]?["text"]?.stringValue == "messages via python")
        #expect(result["messages"]?["stop_reason"]?.stringValue == "end_turn")
        #expect(result["messages_stream"]?["text"]?.stringValue == "streamed messages via python")
        #expect(result["messages_stream"]?["final_text"]?.stringValue == "streamed messages via python")
        #expect(result["messages_stream"]?["output_tokens"]?.intValue == 4)
        #expect(result["messages_error"]?["status"]?.intValue == 404)
        #expect(result["messages_error"]?["type"]?.stringValue == "not_found_error")
        #expect(result["embeddings"]?["dimensions"]?.intValue == 3 && result["embeddings"]?["prompt_tokens"]?.intValue == 4)
    }

    @Test(.enabled(if: python != nil, "set RETORT_TEST_PYTHON to a python with openai and anthropic (scripts/test.sh does)"))
    func officialClientsThroughAChatTeacher() async throws {
        let harness = try GatewayHarness(handler: Self.withEmbeddings(MockTeacher.defaultReply))
        let output = try await harness.run { _, gateway in
            try OpenAIPythonClientTests().runPython(script: "Tests/Python/surfaces_client.py", baseURL: "http://127.0.0.1:\(gateway.port)/v1")
        }
        Self.check(try JSONValue.parse(output), followUpEchoes: true)
        let rows = try harness.rows().filter { $0.status == 200 }
        #expect(rows.filter { $0.surface == "responses" }.count == 3 && rows.filter { $0.surface == "messages" }.count == 2)
        #expect(rows.allSatisfy { $0.promptTokens != nil && $0.completionTokens != nil && $0.rawResponseJSON != nil })
        // The follow-up carried the first turn to the teacher.
        let followUp = try #require(rows.first { $0.rawRequestJSON?.contains("previous_response_id") == true })
        // Its messages: the first turn (not its instructions, as on OpenAI), the answer, the new input.
        #expect((try JSONValue.parse(followUp.requestJSON))["messages"]?.arrayValue?.compactMap { $0["content"]?.stringValue }
                == ["responses via python", "responses via python", "and again"])
    }

    @Test(.enabled(if: python != nil, "set RETORT_TEST_PYTHON to a python with openai and anthropic (scripts/test.sh does)"),
          arguments: [APISurface.responses, .messages])
    func officialClientsThroughANativeTeacher(api: APISurface) async throws {
        // One teacher answers its own API natively; the other surface reaches it translated.
        let native: @Sendable (MockRequest) -> MockReply = api == .responses ? MockTeacher.responsesReply : MockTeacher.anthropicReply
        let harness = try GatewayHarness(handler: Self.withEmbeddings(native), configure: { $0.teacher.api = api })
        let output = try await harness.run { _, gateway in
            try OpenAIPythonClientTests().runPython(script: "Tests/Python/surfaces_client.py", baseURL: "http://127.0.0.1:\(gateway.port)/v1")
        }
        Self.check(try JSONValue.parse(output), followUpEchoes: true)
        let paths = Set(harness.mock.requests.map(\.path))
        #expect(paths == [api.path.replacingOccurrences(of: "/", with: "/v1/", options: .anchored), "/v1/embeddings"])
        let rows = try harness.rows().filter { $0.status == 200 }
        #expect(rows.count == 5 && rows.allSatisfy { $0.promptTokens != nil && $0.completionTokens != nil })
    }
}
