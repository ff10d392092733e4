import ChatAPI
import Corpus
import Hummingbird

/// `POST /v1/responses`: the OpenAI Responses API. The request is read into chat form
/// and answered like a chat completion (routing, student, teacher, log); the answer
/// goes back as a `response` object or its event stream. A Responses teacher
/// (`teacher.api: responses`) gets the request as sent.
struct ResponsesController {
    let completions: ChatCompletionsController

    func addRoutes(to group: RouterGroup<GatewayRequestContext>) {
        group.post("responses") { request, context in
            try await self.create(request, connection: self.completions.connection(context))
        }
    }

    func create(_ request: Request, connection: ClientConnection) async throws -> Response {
        let (body, raw) = try await SurfaceBody.read(request, completions: completions, connection: connection)
        var previous: [JSONValue]?
        if let responseID = raw["previous_response_id"]?.stringValue {
            previous = try await offLoop { try conversation(before: responseID) }  // a SQLite read
        }
        let passthrough = completions.services.configuration.teacher.api == .responses
        // A Responses teacher keeps its own conversations: one it knows and we don't is
        // still a valid request, translated without the earlier turns.
        let chatJSON = try ResponsesRequest.chatRequest(passthrough && previous == nil ? raw.removing("previous_response_id") : raw,
                                                        previous: previous)
        let ingress = try Ingress(surface: .responses, raw: raw, rawBody: body, chatJSON: chatJSON)
        return try await completions.answer(ingress, headers: request.headers, connection: connection)
    }

    /// The conversation of a logged response, in chat form: its messages and its answer.
    func conversation(before responseID: String) throws -> [JSONValue]? {
        let reader = completions.services.reader
        let record = try ClientSurface.exchangeID(responseID: responseID).flatMap { try reader.exchange(id: $0) }
            ?? reader.exchange(completionID: responseID)
        guard let record, record.status == 200,
              let request = try? JSONValue.parse(record.requestJSON), let messages = request["messages"]?.arrayValue,
              let response = record.responseJSON.flatMap({ try? JSONValue.parse($0) }),
              let answer = response["choices"]?.arrayValue?.first?["message"] else { return nil }
        return messages + [answer]
    }
}

/// A request body of the Responses or Messages surface, read with chat's size limit and
/// timeout and parsed with its bound on JSON values.
enum SurfaceBody {
    static func read(_ request: Request, completions: ChatCompletionsController,
                     connection: ClientConnection) async throws -> (bytes: [UInt8], json: JSONValue) {
        var request = request
        let body = try await connection.closing(after: connection.readTimeout) { try await completions.collectBody(&request) }
        do {
            return (body, try JSONValue.parse(body, maximumValues: ChatRequest.maximumJSONValues))
        } catch {
            throw OpenAIError.invalidRequest("We could not parse the JSON body of your request (\(error)).", code: "invalid_json")
        }
    }
}
