import ChatAPI
import Corpus
import Distill
import Foundation
import HTTPTypes
import Hummingbird

/// Answers one chat completion with the local student, streaming or not.
///
/// The request is checked and the prompt tokenized before the response head goes out,
/// so a prompt beyond the context is a 400, not a broken stream.
struct StudentCompletion: Sendable {
    let backend: StudentBackend
    let chat: ChatRequest
    let exchange: PendingExchange
    let connection: ClientConnection
    let defaultMaxTokens: Int

    func respond() async -> Response {
        if let reason = chat.studentUnsupportedReason(constrained: backend.constrainedDecoding) {
            return await fail(.invalidRequest("The student model does not support \(reason).", code: "unsupported_by_student"))
        }
        let cancellation = CancellationFlag()
        exchange.setOnAbandon { cancellation.cancel() }
        let events: AsyncStream<StudentEvent>
        do {
            events = try backend.start(chat, defaultMaxTokens: defaultMaxTokens, cancellation: cancellation)
        } catch {
            return await fail(error, headers: [.retryAfter: "1"])
        }
        var iterator = events.makeAsyncIterator()
        switch await iterator.next() {
        case .started?: break
        case .failed(let error)?: return await fail(error)
        default: return await fail(.internalError("the student stopped before starting"))
        }
        let responses = StudentResponses(completionID: "chatcmpl-" + ExchangeID.compact(exchange.id),
                                         created: Int(Date().timeIntervalSince1970), model: chat.model)
        exchange.update { $0.completionID = responses.completionID }
        if chat.stream {
            return streamResponse(StudentStream(iterator: iterator), responses: responses, cancellation: cancellation)
        }
        return await wholeResponse(iterator, responses: responses)
    }

    private func wholeResponse(_ iterator: AsyncStream<StudentEvent>.Iterator, responses: StudentResponses) async -> Response {
        var iterator = iterator
        while let event = await iterator.next() {
            switch event {
            case .started, .token, .declined: continue
            case .failed(let error): return await fail(error)
            case .finished(let result):
                exchange.markFirstByte()
                let json = responses.completion(result, logprobs: chat.logprobs)
                exchange.update { $0.apply(completion: json) }
                guard await exchange.complete(status: 200, response: json.jsonString) else {
                    return OpenAIError.logUnavailable().response(headers: [.retortExchangeID: exchange.id])
                }
                return .json(json, headers: [.retortExchangeID: exchange.id])
            }
        }
        return await fail(.internalError("the student stopped without an answer"))
    }

    private func streamResponse(_ stream: StudentStream, responses: StudentResponses, cancellation: CancellationFlag) -> Response {
        let headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-cache", .retortExchangeID: exchange.id]
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            var relay = StudentStreamRelay(chat: chat, exchange: exchange, responses: responses, cancellation: cancellation,
                                           connection: connection)
            try await relay.run(stream.iterator, into: &writer)
        })
    }

    private func fail(_ error: OpenAIError, headers: HTTPFields = [:]) async -> Response {
        await exchange.complete(status: error.status, error: error.message, response: error.json.jsonString)
        var fields = headers
        fields[.retortExchangeID] = exchange.id
        return error.response(headers: fields)
    }
}

/// Sendable box for handing the event iterator to the response body closure.
struct StudentStream: @unchecked Sendable {
    // @unchecked: the iterator is moved into the body closure and used only there.
    let iterator: AsyncStream<StudentEvent>.Iterator
}
