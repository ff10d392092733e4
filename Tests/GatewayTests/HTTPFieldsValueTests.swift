import HTTPTypes
import Testing
@testable import Gateway

/// The header lookup every request makes: the same answers as `HTTPFields`' own subscript.
@Suite struct HTTPFieldsValueTests {
    @Test func readsAsTheSubscriptDoes() {
        var fields: HTTPFields = [.contentType: "application/json", .origin: "https://app.example"]
        fields.append(HTTPField(name: HTTPField.Name("X-Retort-Tags")!, value: "a"))
        fields.append(HTTPField(name: HTTPField.Name("x-retort-tags")!, value: "b"))
        fields.append(HTTPField(name: .cookie, value: "one=1"))
        fields.append(HTTPField(name: .cookie, value: "two=2"))
        let names: [HTTPField.Name] = [.contentType, .origin, .retortTags, .cookie, .contentLength, HTTPField.Name("CONTENT-TYPE")!]
        for name in names {
            #expect(fields.value(name) == fields[name], "\(name)")
        }
        #expect(fields.value(.retortTags) == "a, b")
        #expect(fields.value(.cookie) == "one=1; two=2")
        #expect(fields.value(.contentLength) == nil)
        #expect(HTTPFields().value(.origin) == nil)
    }
}
