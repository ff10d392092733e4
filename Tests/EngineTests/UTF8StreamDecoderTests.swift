import Testing
@testable import Engine

/// Multi-byte characters split at every possible point come out whole and exactly once.
@Suite struct UTF8StreamDecoderTests {
    @Test(arguments: ["héllo", "日本語のテキスト", "emoji 👋🏽 and 🇫🇷!", "mixed ß✓€ end"])
    func everySplitPoint(text: String) {
        let bytes = Array(text.utf8)
        for cut in 0...bytes.count {
            var decoder = UTF8StreamDecoder()
            let first = decoder.append(bytes[..<cut])
            let second = decoder.append(bytes[cut...])
            #expect(first + second + decoder.flush() == text)
            // Nothing emitted early is a broken character.
            #expect(!first.contains("\u{FFFD}"))
        }
    }

    @Test func byteByByte() {
        let text = "a🤖b"
        var decoder = UTF8StreamDecoder()
        let outputs = Array(text.utf8).map { decoder.append([$0]) }
        #expect(outputs == ["a", "", "", "", "🤖", "b"])
    }

    @Test func invalidBytesBecomeReplacement() {
        var decoder = UTF8StreamDecoder()
        #expect(decoder.append([0x61, 0xFF, 0x62]) == "a\u{FFFD}b")
        #expect(decoder.append([0xE6, 0x97]) == "")
        #expect(decoder.flush() == "\u{FFFD}")
    }
}
