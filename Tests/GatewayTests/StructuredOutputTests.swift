import ChatAPI
import Engine
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// `response_format` on the gateway: a schema the student can enforce is answered in it
/// (on every surface), one it cannot is refused by the student route, an invalid one is a
/// 400 before any model runs.
@Suite struct StructuredOutputTests {
    static let schema = #"{"type":"object","properties":{"kind":{"enum":["cat","dog"]},"ok":{"type":"boolean"},"list":{"type":"array","items":{"type":"boolean"},"maxItems":2}},"required":["kind","ok","list"],"additionalProperties":false}"#

    @Test func theStudentAnswersInTheSchemaOnEverySurface() async throws {
        let harness = try StudentRouteTests.harness()
        let format = #"{"type":"json_schema","json_schema":{"name":"pet","strict":true,"schema":\#(Self.schema)}}"#
        let requests = [
            ("/v1/chat/completions", #"{"model":"student","max_tokens":120,"seed":3,"response_format":\#(format),"messages":[{"role":"user","content":"pet?"}]}"#),
            ("/v1/responses", #"{"model":"student","max_output_tokens":120,"text":{"format":{"type":"json_schema","name":"pet","schema":\#(Self.schema)}},"input":"pet?"}"#),
        ]
        let bodies = try await harness.run { client, _ in
            var bodies: [JSONValue] = []
            for (path, body) in requests {
                let answer = try await SurfacesTests.post(client, path, body)
                #expect(answer.status == 200)
                bodies.append(try JSONValue.parse(answer.body))
            }
            return bodies
        }
        let answers = [(bodies[0]["choices"]?.arrayValue?.first?["message"]?["content"]?.stringValue,
                        bodies[0]["choices"]?.arrayValue?.first?["finish_reason"]?.stringValue == "length"),
                       (bodies[1]["output"]?.arrayValue?.first?["content"]?.arrayValue?.first?["text"]?.stringValue,
                        bodies[1]["status"]?.stringValue == "incomplete")]
        let shape = JSONShape.object(properties: [
            .init(name: "kind", shape: .literals([#""cat""#, #""dog""#]), required: true), .init(name: "ok", shape: .boolean, required: true),
            .init(name: "list", shape: .array(items: .boolean, minItems: 0, maxItems: 2), required: true),
        ])
        for (index, (text, cut)) in answers.enumerated() {
            // The tiny random model may run out of tokens: then its text is a valid start.
            var recognizer = JSONRecognizer(shape: shape)
            let accepted = recognizer.feed(Array((text ?? "").utf8))
            #expect(accepted && (cut || recognizer.isComplete), "answer \(index): \(bodies[index].jsonString)")
            guard !cut else { continue }
            let value = try #require(text.flatMap { try? JSONValue.parse($0) }, "answer \(index): \(bodies[index].jsonString)")
            #expect(["cat", "dog"].contains(value["kind"]?.stringValue ?? ""))
            #expect(value["ok"]?.boolValue != nil && (value["list"]?.arrayValue?.count ?? 9) <= 2)
        }
    }

    @Test func unenforceableAndInvalidSchemasAreRefused() async throws {
        let harness = try StudentRouteTests.harness()
        let pattern = #"{"type":"json_schema","json_schema":{"name":"p","schema":{"type":"object","properties":{"id":{"type":"string","pattern":"^[a-z]+$"}}}}}"#
        let invalid = #"{"type":"json_schema","json_schema":{"name":"p","schema":{"type":"object","properties":{"id":{"type":"text"}}}}}"#
        let unnamed = #"{"type":"json_schema","json_schema":{"schema":{"type":"object"}}}"#
        let answers = try await harness.run { client, _ in
            [try await SurfacesTests.post(client, "/v1/chat/completions", #"{"model":"student","response_format":\#(pattern),"messages":[{"role":"user","content":"x"}]}"#),
             try await SurfacesTests.post(client, "/v1/chat/completions", #"{"model":"default","response_format":\#(invalid),"messages":[{"role":"user","content":"x"}]}"#),
             try await SurfacesTests.post(client, "/v1/chat/completions", #"{"model":"default","response_format":\#(unnamed),"messages":[{"role":"user","content":"x"}]}"#)]
        }
        #expect(answers.map(\.status) == [400, 400, 400])
        let codes = try answers.map { try JSONValue.parse($0.body)["error"]?["code"]?.stringValue }
        #expect(codes == ["unsupported_by_student", "invalid_json_schema", "missing_required_parameter"])
        #expect(try JSONValue.parse(answers[0].body)["error"]?["message"]?.stringValue?.contains("pattern") == true)
        #expect(harness.mock.requests.isEmpty)
    }
}
