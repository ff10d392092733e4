import Engine
import Testing

/// The byte-level BPE tokenizer on the real SmolLM2 vocabulary.
@Suite struct TokenizerTests {
    @Test func digitsSplitOneByOne() throws {
        let tokenizer = try RealModel.load().tokenizer
        #expect(tokenizer.encode(" 12345") == [216, 33, 34, 35, 36, 37])
    }

    @Test(arguments: ["Hello, world!", "naïve café 日本語 👋🏽 🇫🇷", "line\r\nbreak\ttab  spaces   ",
                      "don't I'll we've they're", "func f(x: Int) -> Int { x * 2 }", "\u{00A0}nbsp", ""])
    func roundTrip(text: String) throws {
        let tokenizer = try RealModel.load().tokenizer
        #expect(tokenizer.decode(tokenizer.encode(text)) == text)
    }

    @Test func specialTokensOnlyWhenAsked() throws {
        let tokenizer = try RealModel.load().tokenizer
        #expect(tokenizer.encode("<|im_start|>user", parseSpecial: true) == [1, 4093])
        let plain = tokenizer.encode("<|im_start|>user")
        #expect(!plain.contains(1))
        #expect(tokenizer.decode(plain) == "<|im_start|>user")
        // Control tokens render as nothing; logprobs show their name.
        #expect(tokenizer.decode([1, 4093, 2]) == "user")
        #expect(tokenizer.displayText(of: 2) == "<|im_end|>")
    }
}
