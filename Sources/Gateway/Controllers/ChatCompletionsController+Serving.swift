import ChatAPI
import Corpus
import Distill
import Foundation
import HTTPTypes
import Hummingbird

extension ChatCompletionsController {
    /// Applies the route's serving mode through the runtime's plan. Returns the student's
    /// response when the student answers; nil when the teacher must (the reason recorded,
    /// and a sampled shadow run started once the teacher's exchange is complete). Every
    /// student check has run before this returns, so the response head has not gone out.
    func serveProgressively(_ chat: ChatRequest, route: RouteConfiguration, exchange: PendingExchange,
                            connection: ClientConnection) async -> Response? {
        let plan = services.serving.plan(chat, route: route.name, tags: exchange.tags)
        switch await plan.execute(exchangeID: exchange.id) {
        case .teacher(let servedReason, let shadow):
            exchange.update { $0.servedReason = servedReason }
            if let shadow { exchange.setOnComplete { record in shadow.launch(after: record) } }
            return nil
        case .student(let reply):
            return await respond(with: reply, chat: chat, exchange: exchange, connection: connection)
        }
    }

    /// Sends the student's checked reply: a whole `chat.completion`, or a stream of its
    /// checked tokens followed by the rest as it is generated.
    func respond(with reply: StudentReply, chat: ChatRequest, exchange: PendingExchange, connection: ClientConnection) async -> Response {
        let responses = StudentResponses(completionID: "chatcmpl-" + ExchangeID.compact(exchange.id),
                                         created: Int(Date().timeIntervalSince1970), model: chat.model)
        exchange.update {
            $0.servedBy = "student"
            $0.servedReason = reply.servedReason
            $0.teacherURL = nil
            $0.upstreamModel = reply.version
            $0.completionID = responses.completionID
        }
        if !chat.stream, let result = reply.result {
            exchange.markFirstByte()
            let json = responses.completion(result, logprobs: chat.logprobs)
            exchange.update { $0.apply(completion: json) }
            guard await exchange.complete(status: 200, response: json.jsonString) else {
                return OpenAIError.logUnavailable().response(headers: [.retortExchangeID: exchange.id])
            }
            return .json(json, headers: [.retortExchangeID: exchange.id])
        }
        exchange.setOnAbandon { reply.cancellation.cancel() }
        let headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-cache", .retortExchangeID: exchange.id]
        let events = StudentStream(iterator: reply.remainingEvents())
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            var relay = StudentStreamRelay(chat: chat, exchange: exchange, responses: responses, cancellation: reply.cancellation,
                                           connection: connection)
            try await relay.run(prefix: reply.tokens, events.iterator, into: &writer)
        })
    }
}
