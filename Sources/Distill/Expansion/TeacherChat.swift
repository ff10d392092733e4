import ChatAPI
import Teacher

/// One chat completion from the teacher, whatever API it speaks (`teacher.api`): the
/// request is written in that API and the answer read back as a `chat.completion`.
public struct TeacherChat: Sendable {
    /// The client.
    public let client: TeacherClient
    /// The API the teacher speaks.
    public let api: APISurface
    /// The largest answer read.
    public var maxResponseBytes = 16 << 20

    /// A caller of `client`, which speaks `api`.
    public init(client: TeacherClient, api: APISurface) {
        self.client = client
        self.api = api
    }

    /// Sends `chat` (a non-streamed chat-completions request) and returns the answer as a
    /// `chat.completion`.
    /// - Throws: ``ExpansionError/teacherFailed(_:)`` for a transport error or an error status.
    public func complete(_ chat: JSONValue) async throws -> JSONValue {
        let body: JSONValue = switch api {
        case .chat: chat
        case .responses: ResponsesRequest.fromChat(chat)
        case .messages: MessagesRequest.fromChat(chat)
        }
        var headers = [("Content-Type", "application/json"), ("Accept", "application/json")]
        if api == .messages { headers.append(("anthropic-version", "2023-06-01")) }
        let bytes: [UInt8]
        let status: Int
        do {
            let response = try await client.send(TeacherRequest(path: api.path, headers: headers, body: body.serialized()))
            status = response.status
            bytes = try await response.body.collect(upTo: maxResponseBytes)
        } catch {
            throw ExpansionError.teacherFailed("\(error)")
        }
        guard status == 200, let json = try? JSONValue.parse(bytes) else {
            throw ExpansionError.teacherFailed("status \(status): \(String(decoding: bytes.prefix(300), as: UTF8.self))")
        }
        switch api {
        case .chat: return json
        case .responses: return ResponsesObject.parts(json).completionJSON
        case .messages: return MessagesObject.parts(json).completionJSON
        }
    }
}

/// Why `retort augment` stopped short.
public enum ExpansionError: Error, Equatable, CustomStringConvertible {
    /// The route has no curated train-split exchange to take examples from.
    case noExamples(route: String)
    /// A teacher call failed.
    case teacherFailed(String)

    public var description: String {
        switch self {
        case .noExamples(let route): return "route '\(route)' has no logged train-split exchange to take examples from"
        case .teacherFailed(let reason): return "the teacher call failed: \(reason)"
        }
    }
}
