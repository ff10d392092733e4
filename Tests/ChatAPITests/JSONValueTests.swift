import ChatAPI
import Testing

@Suite struct JSONValueTests {
    @Test func roundTripKeepsOrderAndNumberText() throws {
        let text = #"{"z":1,"a":[true,false,null],"seed":12345678901234567890,"t":1.50,"e":-2E+3,"s":"q\"\\\n\u00e9\ud83d\ude00"}"#
        let value = try JSONValue.parse(text)
        #expect(value["seed"] == .number("12345678901234567890"))
        #expect(value["t"] == .number("1.50"))
        #expect(value["s"]?.stringValue == "q\"\\\né😀")
        let again = try JSONValue.parse(value.serialized())
        #expect(again == value)
        #expect(value.objectValue?.map(\.key) == ["z", "a", "seed", "t", "e", "s"])
        #expect(value.jsonString.hasPrefix(#"{"z":1,"a":[true,false,null],"seed":12345678901234567890,"t":1.50"#))
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\":}", "01", "1.", "-", "tru", "\"abc", "{\"a\" 1}", "[1 2]", "nul", "\"\\x\"",
        "\"\\ud800\"", "{} x", "\"\u{01}\"", "1e", "{1:2}",
    ])
    func rejectsMalformed(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
    }

    @Test func rejectsDeepNesting() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(deep) }
    }

    /// Strings are read two ways (straight from the input when they have no escape, byte
    /// by byte after the first one): both must decode the same and refuse the same.
    @Test func stringsWithAndWithoutEscapesDecodeAlikeAndRefuseBadBytes() throws {
        #expect(try JSONValue.parse(Array(#"["plain é😀",  "",  "a\nb", "é\u00e9\t"]"#.utf8))
            == .array([.string("plain é😀"), .string(""), .string("a\nb"), .string("éé\t")]))
        let refused: [[UInt8]] = [
            [0x22, 0x61, 0xFF, 0x22],              // not UTF-8, no escape
            [0x22, 0x5C, 0x6E, 0xC3, 0x28, 0x22],  // not UTF-8, after an escape
            [0x22, 0x61, 0x0A, 0x22],              // a raw line feed
            [0x22, 0x61, 0x62],                    // unterminated
        ]
        for bytes in refused {
            #expect(throws: JSONParseError.self) { try JSONValue.parse(bytes) }
        }
    }

    @Test func settingReplacesInPlace() throws {
        let value = try JSONValue.parse(#"{"model":"a","x":1}"#)
        #expect(value.setting("model", to: .string("b")).jsonString == #"{"model":"b","x":1}"#)
        #expect(value.setting("y", to: .bool(true)).jsonString == #"{"model":"a","x":1,"y":true}"#)
    }

    @Test func sha256MatchesKnownVectors() {
        #expect(SHA256.hex(Array("".utf8)) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let long = Array(String(repeating: "a", count: 1000).utf8)
        #expect(SHA256.hex(long) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }
}
