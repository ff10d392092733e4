import ChatAPI
import Testing

/// Requests of the Responses and Messages surfaces read into chat form, and answers
/// written back, against hand-written expected documents (the APIs' published shapes).
@Suite struct SurfaceTranslationTests {
    static func json(_ text: String) throws -> JSONValue { try JSONValue.parse(text) }

    @Test func responsesRequestBecomesTheChatRequestItDescribes() throws {
        let request = try Self.json("""
            {"model":"default","instructions":"Be brief.","max_output_tokens":64,"temperature":0.2,"stream":true,
             "input":[{"role":"user","content":[{"type":"input_text","text":"Weather in Paris?"}]},
                      {"type":"function_call","call_id":"call_1","name":"weather","arguments":"{\\"city\\":\\"Paris\\"}"},
                      {"type":"function_call_output","call_id":"call_1","output":"18C"},
                      {"type":"reasoning","id":"rs_1","summary":[]}],
             "tools":[{"type":"function","name":"weather","description":"Look it up","parameters":{"type":"object"}}],
             "tool_choice":{"type":"function","name":"weather"},
             "text":{"format":{"type":"json_schema","name":"answer","schema":{"type":"object"},"strict":true}}}
            """)
        let chat = try ResponsesRequest.chatRequest(request)
        let expected = try Self.json("""
            {"model":"default","messages":[{"role":"system","content":"Be brief."},
              {"role":"user","content":"Weather in Paris?"},
              {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"weather","arguments":"{\\"city\\":\\"Paris\\"}"}}]},
              {"role":"tool","tool_call_id":"call_1","content":"18C"}],
             "stream":true,"stream_options":{"include_usage":true},"max_completion_tokens":64,"temperature":0.2,
             "tools":[{"type":"function","function":{"name":"weather","description":"Look it up","parameters":{"type":"object"}}}],
             "tool_choice":{"type":"function","function":{"name":"weather"}},
             "response_format":{"type":"json_schema","json_schema":{"name":"answer","schema":{"type":"object"},"strict":true}}}
            """)
        #expect(chat == expected)
        // The user turn with one text part stays a part list (users may mix in images).
        #expect(try ChatRequest(json: chat).messages.map(\.role) == ["system", "user", "assistant", "tool"])
    }

    @Test func responsesRequestsBeyondChatAreRefusedByParameter() throws {
        let builtIn = try Self.json(#"{"model":"m","input":"hi","tools":[{"type":"web_search"}]}"#)
        #expect(throws: OpenAIError.self) { try ResponsesRequest.chatRequest(builtIn) }
        do {
            _ = try ResponsesRequest.chatRequest(builtIn)
        } catch {
            #expect(error.status == 400 && error.param == "tools[0].type")
        }
        let missing = try Self.json(#"{"model":"m"}"#)
        do {
            _ = try ResponsesRequest.chatRequest(missing)
            Issue.record("no input was accepted")
        } catch {
            #expect(error.param == "input")
        }
        let unknownPrevious = try Self.json(#"{"model":"m","input":"hi","previous_response_id":"resp_x"}"#)
        do {
            _ = try ResponsesRequest.chatRequest(unknownPrevious)
            Issue.record("an unknown previous response was accepted")
        } catch {
            #expect(error.code == "previous_response_not_found")
        }
        let previous = [try Self.json(#"{"role":"system","content":"old"}"#), try Self.json(#"{"role":"user","content":"a"}"#),
                        try Self.json(#"{"role":"assistant","content":"b"}"#)]
        let chat = try ResponsesRequest.chatRequest(try Self.json(#"{"model":"m","input":"c","previous_response_id":"resp_x"}"#), previous: previous)
        #expect(chat["messages"]?.arrayValue?.compactMap { $0["content"]?.stringValue } == ["a", "b", "c"])
    }

    @Test func messagesRequestBecomesTheChatRequestItDescribes() throws {
        let request = try Self.json("""
            {"model":"default","max_tokens":100,"system":[{"type":"text","text":"You help."}],"stop_sequences":["END"],
             "metadata":{"user_id":"u1"},"tool_choice":{"type":"any","disable_parallel_tool_use":true},
             "tools":[{"name":"weather","description":"Look it up","input_schema":{"type":"object"}}],
             "messages":[{"role":"user","content":[{"type":"text","text":"Paris?"},
                          {"type":"image","source":{"type":"base64","media_type":"image/png","data":"AAAA"}}]},
                         {"role":"assistant","content":[{"type":"text","text":"Checking."},
                          {"type":"tool_use","id":"toolu_1","name":"weather","input":{"city":"Paris"}}]},
                         {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"18C"},
                          {"type":"text","text":"And tomorrow?"}]}]}
            """)
        let chat = try MessagesRequest.chatRequest(request)
        let expected = try Self.json("""
            {"model":"default","messages":[{"role":"system","content":"You help."},
              {"role":"user","content":[{"type":"text","text":"Paris?"},{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}}]},
              {"role":"assistant","content":"Checking.","tool_calls":[{"id":"toolu_1","type":"function","function":{"name":"weather","arguments":"{\\"city\\":\\"Paris\\"}"}}]},
              {"role":"tool","tool_call_id":"toolu_1","content":"18C"},
              {"role":"user","content":"And tomorrow?"}],
             "max_tokens":100,"stop":["END"],"user":"u1",
             "tools":[{"type":"function","function":{"name":"weather","description":"Look it up","parameters":{"type":"object"}}}],
             "tool_choice":"required","parallel_tool_calls":false}
            """)
        #expect(chat == expected)
    }

    @Test func messagesRequestWithoutMaxTokensIsRefusedInAnthropicsShape() throws {
        let request = try Self.json(#"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#)
        let expected = try Self.json(#"{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: Field required"}}"#)
        do {
            _ = try MessagesRequest.chatRequest(request)
            Issue.record("accepted without max_tokens")
        } catch {
            #expect(error.status == 400 && error.param == "max_tokens")
            #expect(error.anthropicJSON == expected)
        }
    }

    @Test func chatRequestsTranslateToMessagesAndBack() throws {
        let chat = try Self.json("""
            {"model":"m","messages":[{"role":"system","content":"S"},{"role":"user","content":"Q"},
              {"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{\\"a\\":1}"}}]},
              {"role":"tool","tool_call_id":"c1","content":"R"}],"max_tokens":50,"temperature":1.5,"stop":"X"}
            """)
        let messages = MessagesRequest.fromChat(chat)
        let expected = try Self.json("""
            {"model":"m","system":"S","messages":[{"role":"user","content":[{"type":"text","text":"Q"}]},
              {"role":"assistant","content":[{"type":"tool_use","id":"c1","name":"f","input":{"a":1}}]},
              {"role":"user","content":[{"type":"tool_result","tool_use_id":"c1","content":"R"}]}],
             "max_tokens":50,"temperature":1.0,"stop_sequences":["X"]}
            """)
        #expect(messages == expected)
        let back = try MessagesRequest.chatRequest(messages)
        #expect(back["messages"]?.arrayValue?.map { $0["role"]?.stringValue } == ["system", "user", "assistant", "tool"])
        let responses = ResponsesRequest.fromChat(chat)
        #expect(responses["input"]?.arrayValue?.map { $0["type"]?.stringValue ?? $0["role"]?.stringValue } == ["system", "user", "function_call", "function_call_output"])
        #expect(responses["max_output_tokens"]?.intValue == 50)
    }

    static let parts: CompletionParts = {
        var parts = CompletionParts()
        parts.id = "chatcmpl-1"
        parts.model = "teacher"
        parts.created = 1_700_000_000
        parts.text = "It is 18C."
        parts.toolCalls = [.init(id: "call_1", name: "weather", arguments: #"{"city":"Paris"}"#)]
        parts.finishReason = "tool_calls"
        parts.usage = .init(input: 12, output: 7, cachedInput: 2)
        return parts
    }()

    @Test func answersWriteAndReadBackInEachSurface() throws {
        let parts = Self.parts
        #expect(CompletionParts(completion: parts.completionJSON) == parts)

        let response = ResponsesObject.json(parts, id: "resp_abc", createdAt: 5, request: try Self.json(#"{"model":"default"}"#))
        #expect(response["status"]?.stringValue == "completed")
        #expect(response["output"]?.arrayValue?.map { $0["type"]?.stringValue } == ["message", "function_call"])
        #expect(response["output"]?.arrayValue?.first?["content"]?.arrayValue?.first?["text"]?.stringValue == "It is 18C.")
        #expect(response["usage"] == (try Self.json("""
            {"input_tokens":12,"input_tokens_details":{"cached_tokens":2},"output_tokens":7,
             "output_tokens_details":{"reasoning_tokens":0},"total_tokens":19}
            """)))
        var read = ResponsesObject.parts(response)
        #expect(read.text == parts.text && read.toolCalls == parts.toolCalls && read.usage == parts.usage && read.finishReason == "tool_calls")

        let message = MessagesObject.json(parts, id: "msg_abc", model: "default")
        #expect(message["stop_reason"]?.stringValue == "tool_use")
        #expect(message["content"]?.arrayValue?.last == (try Self.json(#"{"type":"tool_use","id":"call_1","name":"weather","input":{"city":"Paris"}}"#)))
        #expect(message["usage"] == (try Self.json(#"{"input_tokens":10,"cache_creation_input_tokens":0,"cache_read_input_tokens":2,"output_tokens":7}"#)))
        read = MessagesObject.parts(message)
        #expect(read.text == parts.text && read.usage == parts.usage && read.finishReason == "tool_calls")
        #expect(read.toolCalls.first?.name == "weather")

        var truncated = parts
        truncated.finishReason = "length"
        truncated.toolCalls = []
        let incomplete = ResponsesObject.json(truncated, id: "resp_abc", createdAt: 5, request: .object([]))
        #expect(incomplete["status"]?.stringValue == "incomplete")
        #expect(incomplete["incomplete_details"]?["reason"]?.stringValue == "max_output_tokens")
        #expect(MessagesObject.json(truncated, id: "m", model: "x")["stop_reason"]?.stringValue == "max_tokens")
    }
}
