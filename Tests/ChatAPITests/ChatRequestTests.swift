import ChatAPI
import Testing

@Suite struct ChatRequestTests {
    func parse(_ text: String) throws(OpenAIError) -> ChatRequest { try ChatRequest(body: Array(text.utf8)) }

    @Test func readsFields() throws {
        let request = try parse(#"{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"hi"},{"type":"image_url","image_url":{"url":"x"}}]}],"stream":true,"stream_options":{"include_usage":true},"n":2,"tools":[{"type":"function"}],"stop":"END","max_tokens":5,"custom":{"x":1}}"#)
        #expect(request.model == "m")
        #expect(request.messages == [ChatMessage(role: "user", content: "hi")])
        #expect(request.stream && request.includeUsage && request.hasTools && request.hasNonTextContent)
        #expect(request.choiceCount == 2 && request.stop == ["END"] && request.maxTokens == 5)
    }

    @Test(arguments: [("json_object", true), ("json_schema", true), ("text", false)])
    func wantsJSONFollowsTheResponseFormat(type: String, wanted: Bool) throws {
        let schema = type == "json_schema" ? #","json_schema":{"name":"x","schema":{"type":"object"}}"# : ""
        let request = try parse(#"{"model":"m","messages":[{"role":"user","content":"x"}],"response_format":{"type":"\#(type)"\#(schema)}}"#)
        #expect(request.wantsJSON == wanted)
        #expect(try parse(#"{"model":"m","messages":[{"role":"user","content":"x"}]}"#).wantsJSON == false)
    }

    @Test func samePromptSameHash() throws {
        let a = try parse(#"{"model":"a","messages":[{"role":"user","content":"x"}],"temperature":0}"#)
        let b = try parse(#"{"model":"b","messages":[{"role":"user","content":"x"}]}"#)
        let c = try parse(#"{"model":"a","messages":[{"role":"user","content":"y"}]}"#)
        #expect(a.promptHash == b.promptHash && a.promptHash != c.promptHash && a.promptHash.count == 64)
    }

    @Test(arguments: [
        ("not json", nil as String?),
        ("[]", nil),
        (#"{"messages":[{"role":"user","content":"x"}]}"#, "model"),
        (#"{"model":"","messages":[{"role":"user","content":"x"}]}"#, "model"),
        (#"{"model":3,"messages":[{"role":"user","content":"x"}]}"#, "model"),
        (#"{"model":"m"}"#, "messages"),
        (#"{"model":"m","messages":[]}"#, "messages"),
        (#"{"model":"m","messages":"hi"}"#, "messages"),
        (#"{"model":"m","messages":[1]}"#, "messages[0]"),
        (#"{"model":"m","messages":[{"content":"x"}]}"#, "messages[0].role"),
        (#"{"model":"m","messages":[{"role":"wizard","content":"x"}]}"#, "messages[0].role"),
        (#"{"model":"m","messages":[{"role":"user"}]}"#, "messages[0].content"),
        (#"{"model":"m","messages":[{"role":"user","content":5}]}"#, "messages[0].content"),
        (#"{"model":"m","messages":[{"role":"user","content":"x"}],"stream":"yes"}"#, "stream"),
        (#"{"model":"m","messages":[{"role":"user","content":"x"}],"temperature":3}"#, "temperature"),
        (#"{"model":"m","messages":[{"role":"user","content":"x"}],"n":0}"#, "n"),
        (#"{"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":1.5}"#, "max_tokens"),
        (#"{"model":"m","messages":[{"role":"user","content":"x"}],"stop":[1]}"#, "stop"),
        (#"{"model":"m","messages":[{"role":"user","content":"x"}],"stream_options":{"include_usage":1}}"#, "stream_options.include_usage"),
    ])
    func rejectsInvalid(_ body: String, _ param: String?) {
        do {
            _ = try parse(body)
            Issue.record("accepted invalid body \(body)")
        } catch {
            #expect(error.status == 400)
            #expect(error.type == "invalid_request_error")
            #expect(error.param == param)
        }
    }
}
