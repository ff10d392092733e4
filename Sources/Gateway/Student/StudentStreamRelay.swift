import ChatAPI
import Distill
import Hummingbird

/// Writes the student's tokens to the client as `chat.completion.chunk` events and
/// logs the whole answer at the end (499 with the partial text if the client left).
/// The closing `data: [DONE]` goes out only once the exchange is committed; if it cannot
/// be, the stream ends with an error event instead.
struct StudentStreamRelay {
    let chat: ChatRequest
    let exchange: PendingExchange
    let responses: StudentResponses
    let cancellation: CancellationFlag
    let connection: ClientConnection

    /// Sends the role chunk, then `prefix` (tokens already generated and checked), then
    /// every event of `iterator` as it comes.
    mutating func run(prefix: [StudentToken] = [], _ iterator: AsyncStream<StudentEvent>.Iterator,
                      into writer: inout any ResponseBodyWriter) async throws {
        var iterator = iterator
        var text = ""
        guard await send(responses.chunk(delta: .object([("role", .string("assistant")), ("content", .string(""))])), &writer) else {
            return await abandon(text: text)
        }
        for token in prefix {
            text += token.text
            guard await sendToken(token, &writer) else { return await abandon(text: text) }
        }
        while let event = await iterator.next() {
            switch event {
            case .started, .declined: continue
            case .token(let token):
                text += token.text
                guard await sendToken(token, &writer) else { return await abandon(text: text) }
            case .failed(let error):
                _ = await send(error.json, &writer)
                await exchange.complete(status: error.status, error: error.message, response: nil)
                try? await writer.finish(nil)
                return
            case .finished(let result):
                await finish(result, &writer)
                return
            }
        }
        await abandon(text: text)
    }

    private func finish(_ result: StudentResult, _ writer: inout any ResponseBodyWriter) async {
        var ok = await send(responses.chunk(delta: .object([]), finishReason: result.finishReason), &writer)
        if ok && chat.includeUsage { ok = await send(responses.usageChunk(result), &writer) }
        let json = responses.completion(result, logprobs: chat.logprobs)
        exchange.update { $0.apply(completion: json) }
        guard ok && !result.cancelled else {
            await exchange.complete(status: 499, error: "client disconnected mid-stream", response: json.jsonString)
            return
        }
        if await exchange.complete(status: 200, response: json.jsonString) {
            _ = await sendRaw(Array("data: [DONE]\n\n".utf8), &writer)
        } else {
            _ = await send(OpenAIError.logUnavailable().json, &writer)
        }
        try? await writer.finish(nil)
    }

    /// Sends one token's chunk (nothing for an empty piece unless logprobs are asked for).
    private func sendToken(_ token: StudentToken, _ writer: inout any ResponseBodyWriter) async -> Bool {
        exchange.markFirstByte()
        guard !token.text.isEmpty || chat.logprobs else { return true }
        let logprobs = chat.logprobs ? StudentResponses.logprobs(token) : .null
        return await send(responses.chunk(delta: .object([("content", .string(token.text))]), logprobs: logprobs), &writer)
    }

    private func abandon(text: String) async {
        cancellation.cancel()
        let partial = responses.partialCompletion(text: text)
        await exchange.complete(status: 499, error: "client disconnected mid-stream", response: partial.jsonString)
    }

    private func send(_ json: JSONValue, _ writer: inout any ResponseBodyWriter) async -> Bool {
        await sendRaw(StudentResponses.event(json), &writer)
    }

    private func sendRaw(_ bytes: [UInt8], _ writer: inout any ResponseBodyWriter) async -> Bool {
        do {
            try await connection.write(ByteBuffer(bytes: bytes), to: &writer)
            return true
        } catch {
            cancellation.cancel()
            return false
        }
    }
}
