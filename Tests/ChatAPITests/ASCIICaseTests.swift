import ChatAPI
import Testing

/// Header-name comparison without regard to ASCII case, and nothing else folded.
struct ASCIICaseTests {
    @Test func prefixesAndEqualityIgnoreASCIICaseOnly() {
        #expect("X-RateLimit-Limit".hasPrefixIgnoringASCIICase("x-ratelimit-"))
        #expect("Content-Type".equalsIgnoringASCIICase("content-type"))
        #expect("TEXT/Event-Stream; charset=utf-8".hasPrefixIgnoringASCIICase("text/event-stream"))
        #expect(!"Content-Types".equalsIgnoringASCIICase("content-type"))
        #expect(!"Content".hasPrefixIgnoringASCIICase("content-type"))
        #expect(!"x_ratelimit".hasPrefixIgnoringASCIICase("x-ratelimit"))
        #expect("".hasPrefixIgnoringASCIICase(""))
        // Only A–Z fold: "@" (0x40) and "`" (0x60) differ by the same bit and stay apart;
        // a non-ASCII letter is compared byte for byte.
        #expect(!"@".equalsIgnoringASCIICase("`"))
        #expect(!"É".equalsIgnoringASCIICase("é"))
        #expect(UInt8(ascii: "Z").asciiLowercased == UInt8(ascii: "z") && UInt8(ascii: "[").asciiLowercased == UInt8(ascii: "["))
    }
}
