import ChatAPI
import Testing

@Suite struct JSONValidatorTests {
    @Test(arguments: [
        "{}", "[]", "0", "-0", "12.5e-3", "1E+2", "true", "false", "null", "\"\"",
        " {\"a\": [1, 2, {\"b\": null}], \"c\": \"x\\n\\u00e9\\\"\"} \n",
        "\"héllo ✓\"", "[[[[]]]]", "{\"a\":{}}",
    ])
    func acceptsValidJSON(text: String) {
        #expect(JSONValidator.validate(text) == .valid)
        #expect(JSONValidator.isValid(text))
    }

    @Test(arguments: [
        "{\"a\":1,}", "[1,]", "01", "1.x", "+1", "tru e", "nul!", "{a:1}", "{\"a\" 1}", "[1 2]",
        "\"\\x\"", "\"\\u12G4\"", "\"tab\there\"", "{} {}", "}", "NaN", "'a'", "[1]]", "1.e3", "-a",
    ])
    func rejectsInvalidJSON(text: String) {
        #expect(JSONValidator.validate(text) == .invalid, "\(text)")
    }

    @Test(arguments: [
        "", "   ", "{", "{\"a\"", "{\"a\":", "{\"a\": [1, 2", "[1,", "\"abc", "\"\\", "\"\\u12",
        "tr", "fals", "-", "1.", "1e", "1e+", "{\"a\":1,",
    ])
    func recognizesPrefixes(text: String) {
        #expect(JSONValidator.validate(text) == .incomplete, "\(text)")
    }

    @Test func limitsNesting() {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(JSONValidator.validate(deep) == .invalid)
        let fine = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect(JSONValidator.validate(fine) == .valid)
    }

    /// One grammar: the parser accepts what validates (within its own nesting limit) and
    /// flags as truncated exactly what is incomplete.
    @Test(arguments: [
        "{\"a\": [1, 2, {\"b\": null}]}", "-0.5E-2", "[1,]", "01", "tru e", "\"\\u12G4\"", "{",
        "\"\\u12", "1e+", "{\"a\":1,", "",
    ])
    func agreesWithTheParser(text: String) {
        let validity = JSONValidator.validate(text)
        do {
            _ = try JSONValue.parse(text)
            #expect(validity == .valid, "\(text)")
        } catch {
            #expect(validity == (error.truncated ? .incomplete : .invalid), "\(text)")
        }
    }

    /// An escaped UTF-16 surrogate must be paired, as the parser decodes it: a lone one is
    /// invalid, a high one at the end of the text incomplete.
    @Test func pairsSurrogates() {
        #expect(JSONValidator.validate("\"\\ud83d\\ude00\"") == .valid)
        #expect(JSONValidator.validate("\"\\ud83d\"") == .invalid)
        #expect(JSONValidator.validate("\"\\ude00\"") == .invalid)
        #expect(JSONValidator.validate("\"\\ud83d") == .incomplete)
        #expect(JSONValidator.validate("\"\\ud83d\\u") == .incomplete)
    }

    @Test func everyPrefixOfValidJSONIsAPrefix() {
        let text = "{\"name\": \"Ada\", \"tags\": [\"x\", 1.5e2, true, null], \"n\": -12}"
        let bytes = Array(text.utf8)
        for length in 0..<bytes.count {
            let prefix = String(decoding: bytes[0..<length], as: UTF8.self)
            #expect(JSONValidator.validate(prefix) != .invalid, "\(prefix)")
        }
    }
}
