import ChatAPI
import Testing

/// The teacher's token log-probabilities: read from the chat API's `logprobs` object and
/// stored compactly.
@Suite struct TokenLogprobsTests {
    static let wire = #"""
    {"content":[
      {"token":"Hi","logprob":-0.01,"bytes":[72,105],"top_logprobs":[{"token":"Hi","logprob":-0.01,"bytes":[72,105]},{"token":"Hello","logprob":-4.6,"bytes":[72,101,108,108,111]}]},
      {"token":"\u00e9","logprob":-1.5,"bytes":[195],"top_logprobs":[]},
      {"token":"!","logprob":-0.3,"top_logprobs":[{"token":"!","logprob":-0.3}]}
    ],"refusal":null}
    """#

    @Test func readsTokensAsBytesWithTheirAlternatives() throws {
        let logprobs = try #require(TokenLogprobs(choiceLogprobs: try JSONValue.parse(Array(Self.wire.utf8))))
        #expect(logprobs.tokens.count == 3)
        #expect(logprobs.tokens[0].top.map(\.bytes) == [Array("Hi".utf8), Array("Hello".utf8)])
        #expect(logprobs.tokens[1].bytes == [195])  // a split UTF-8 character stays bytes
        #expect(logprobs.tokens[2].bytes == Array("!".utf8))  // no `bytes`: the token's UTF-8
        #expect(logprobs.text == Array("Hi".utf8) + [195] + Array("!".utf8))
        #expect(TokenLogprobs(choiceLogprobs: try JSONValue.parse(Array(#"{"content":null}"#.utf8))) == nil)
        #expect(TokenLogprobs(choiceLogprobs: try JSONValue.parse(Array(#"{"content":[{"token":"a"}]}"#.utf8))) == nil)
    }

    @Test func theStoredFormRoundTripsAtHalfPrecision() throws {
        let logprobs = try #require(TokenLogprobs(choiceLogprobs: try JSONValue.parse(Array(Self.wire.utf8))))
        let encoded = logprobs.encoded
        let decoded = try #require(TokenLogprobs(encoded: encoded))
        #expect(decoded.tokens.map(\.bytes) == logprobs.tokens.map(\.bytes))
        #expect(decoded.tokens.map { $0.top.map(\.bytes) } == logprobs.tokens.map { $0.top.map(\.bytes) })
        for (a, b) in zip(decoded.tokens, logprobs.tokens) {
            #expect(abs(a.logprob - b.logprob) <= 1e-3 * max(1, abs(b.logprob)))
        }
        #expect(encoded.count < 60)
        #expect(TokenLogprobs(encoded: Array(encoded.dropLast())) == nil)
        #expect(TokenLogprobs(encoded: encoded + [0]) == nil)
        #expect(TokenLogprobs(encoded: Array("RLP1".utf8) + [0xFF, 0xFF, 0xFF]) == nil)
        #expect(TokenLogprobs(encoded: []) == nil)
    }
}
