import ChatAPI
import Hummingbird

/// `POST /v1/messages`: Anthropic's Messages API. The request is read into chat form and
/// answered like a chat completion (routing, student, teacher, log); the answer goes
/// back as a `message` or its event stream, errors in Anthropic's shape. An Anthropic
/// teacher (`teacher.api: anthropic`) gets the request as sent.
struct MessagesController {
    let completions: ChatCompletionsController

    func addRoutes(to group: RouterGroup<GatewayRequestContext>) {
        group.post("messages") { request, context in
            try await self.create(request, connection: self.completions.connection(context))
        }
    }

    func create(_ request: Request, connection: ClientConnection) async throws -> Response {
        let (body, raw) = try await SurfaceBody.read(request, completions: completions, connection: connection)
        let ingress = try Ingress(surface: .messages, raw: raw, rawBody: body, chatJSON: MessagesRequest.chatRequest(raw))
        return try await completions.answer(ingress, headers: request.headers, connection: connection)
    }
}
