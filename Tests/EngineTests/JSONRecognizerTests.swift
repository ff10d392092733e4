import Engine
import Foundation
import TestSupport
import Testing

/// The constrained decoder's recognizer: every prefix of a valid document is accepted,
/// the first wrong byte is refused, and (seeded fuzz) nothing it accepts is invalid by
/// an independent check (Foundation's parser and a validator written here).
@Suite struct JSONRecognizerTests {
    static let person = JSONShape.object(properties: [
        .init(name: "name", shape: .string, required: true),
        .init(name: "age", shape: .integer, required: false),
        .init(name: "tags", shape: .array(items: .literals([#""a""#, #""b""#]), minItems: 1, maxItems: 2), required: true),
        .init(name: "score", shape: .oneOf([.number, .null]), required: true),
    ])

    static func accepts(_ shape: JSONShape, _ text: String) -> (prefixes: Bool, complete: Bool) {
        var recognizer = JSONRecognizer(shape: shape)
        for byte in text.utf8 where !recognizer.feed(byte) { return (false, false) }
        return (true, recognizer.isComplete)
    }

    /// The index of the first byte refused, or nil.
    static func firstRefusal(_ shape: JSONShape, _ text: String) -> Int? {
        var recognizer = JSONRecognizer(shape: shape)
        for (index, byte) in text.utf8.enumerated() where !recognizer.feed(byte) { return index }
        return nil
    }

    @Test(arguments: [
        #"{"name":"Ada","age":36,"tags":["a"],"score":-1.5e3}"#,
        #"{ "name" : "A\"d\\a\u00e9" , "tags" : [ "b" , "a" ] , "score" : null }"#,
        "{\n  \"name\": \"x\",\n  \"tags\": [\"a\"],\n  \"score\": 0\n}",
    ])
    func validDocumentsAreAcceptedWhole(text: String) {
        #expect(Self.accepts(Self.person, text) == (true, true))
    }

    @Test func theFirstWrongByteIsRefused() {
        let cases: [(String, Int)] = [
            (#"{"age":1"#, 2),                          // "name" is required first: `a` cannot start it
            (#"{"name":"x","tags":[]"#, 20),            // minItems 1
            (#"{"name":"x","tags":["a","b","#, 27),     // maxItems 2: no third
            (#"{"name":"x","tags":["c"]"#, 21),         // not in the enum
            (#"{"name":"x","tags":["a"],"score":01"#, 34), // no leading zeros
            (#"{"name":"x","tags":["a"],"score":null}x"#, 38), // nothing after the value
            (#"{"name":"x","tags":["a"],"score":1,}"#, 34),   // no key after the last declared one
            ("{\"name\":\"a\nb\"", 10),                 // a raw newline in a string
            (#"{"a":[1,]}"#, 0),                          // (shape below) no trailing comma in arrays
        ]
        for (text, index) in cases.dropLast() {
            #expect(Self.firstRefusal(Self.person, text) == index, "\(text)")
        }
        #expect(Self.firstRefusal(.anyObject, #"{"a":[1,]}"#) == 8)
        #expect(Self.accepts(.anyObject, "[1]").prefixes == false)
        #expect(Self.accepts(.anyObject, #"{"a":[1,{"b":true}],"c":"d"}"#) == (true, true))
        #expect(Self.accepts(.anyObject, "{\n" + String(repeating: " ", count: JSONRecognizer.maximumIndent)).prefixes == true)
        #expect(Self.accepts(.anyObject, "{\n" + String(repeating: " ", count: JSONRecognizer.maximumIndent + 1)).prefixes == false)
        #expect(Self.accepts(.anyObject, "{  ").prefixes == false)
        #expect(Self.accepts(.anyObject, "{\t").prefixes == false)
    }

    /// A random shape of bounded depth.
    static func randomShape(_ random: inout SplitMix64, depth: Int = 0) -> JSONShape {
        let pick = Int(random.next() % (depth > 2 ? 6 : 9))
        switch pick {
        case 0: return .string
        case 1: return .number
        case 2: return .integer
        case 3: return .boolean
        case 4: return .literals([#""x""#, #""xy""#, "12", "null"])
        case 5: return .oneOf([.string, .null])
        case 6: return .array(items: randomShape(&random, depth: depth + 1), minItems: Int(random.next() % 2), maxItems: 3)
        case 7: return .any
        default:
            let count = Int(random.next() % 4)
            return .object(properties: (0..<count).map { index in
                .init(name: "k\(index)", shape: randomShape(&random, depth: depth + 1), required: random.next() % 2 == 0)
            })
        }
    }

    /// A document of `shape`, written with random whitespace.
    static func randomDocument(_ shape: JSONShape, _ random: inout SplitMix64, depth: Int = 0) -> String {
        let space = random.next() % 4 == 0 ? " " : ""
        switch shape {
        case .any: return depth > 3 ? "1" : randomDocument(randomShape(&random, depth: 3), &random, depth: depth + 1)
        case .string: return ["\"\"", "\"a b\"", "\"\\u00e9\\n\"", "\"q\\\"\""][Int(random.next() % 4)]
        case .number: return ["0", "-1.25", "3e-2", "42"][Int(random.next() % 4)]
        case .integer: return ["0", "-7", "123"][Int(random.next() % 3)]
        case .boolean: return random.next() % 2 == 0 ? "true" : "false"
        case .null: return "null"
        case .literals(let texts): return texts[Int(random.next() % UInt64(texts.count))]
        case .oneOf(let shapes): return randomDocument(shapes[Int(random.next() % UInt64(shapes.count))], &random, depth: depth + 1)
        case .array(let items, let minItems, let maxItems):
            let count = minItems + Int(random.next() % UInt64((maxItems ?? 3) - minItems + 1))
            return count == 0 ? "[]" : "[" + space + (0..<count).map { _ in randomDocument(items, &random, depth: depth + 1) }.joined(separator: "," + space) + "]"
        case .object(let properties):
            if properties.isEmpty { return "{" + space + "\"free\"" + space + ":" + space + "[true]}" }
            let members = properties.filter { $0.required || random.next() % 2 == 0 }
                .map { "\"\($0.name)\"" + space + ":" + space + randomDocument($0.shape, &random, depth: depth + 1) }
            return members.isEmpty ? "{}" : "{" + space + members.joined(separator: "," + space) + space + "}"
        }
    }

    /// Whether Foundation read `value` from `true` or `false` (an NSNumber of type `c`).
    static func isBoolean(_ value: Any) -> Bool {
        (value as? NSNumber).map { String(cString: $0.objCType) == "c" } ?? false
    }

    /// An independent check that `value` (from JSONSerialization) is of `shape`.
    static func conforms(_ value: Any, _ shape: JSONShape) -> Bool {
        switch shape {
        case .any: return true
        case .string: return value is String
        case .number: return value is NSNumber && !isBoolean(value)
        case .integer:
            guard let number = value as? NSNumber, !isBoolean(value) else { return false }
            return number.doubleValue.rounded() == number.doubleValue
        case .boolean: return isBoolean(value)
        case .null: return value is NSNull
        case .literals(let texts):
            return texts.contains { text in
                (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed)).map { "\($0)" == "\(value)" } ?? false
            }
        case .oneOf(let shapes): return shapes.contains { conforms(value, $0) }
        case .array(let items, let minItems, let maxItems):
            guard let array = value as? [Any], array.count >= minItems, array.count <= (maxItems ?? .max) else { return false }
            return array.allSatisfy { conforms($0, items) }
        case .object(let properties):
            guard let object = value as? [String: Any] else { return false }
            if properties.isEmpty { return true }
            let names = Set(properties.map(\.name))
            return object.keys.allSatisfy(names.contains)
                && properties.allSatisfy { property in object[property.name].map { conforms($0, property.shape) } ?? !property.required }
        }
    }

    @Test func generatedDocumentsAreAcceptedAndMutantsItAcceptsAreValid() throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["RETORT_FUZZ_SEED"] ?? "") ?? 7
        var random = SplitMix64(seed: seed)
        var acceptedMutants = 0
        let iterations = Int(ProcessInfo.processInfo.environment["RETORT_FUZZ_ITERATIONS"] ?? "") ?? 3000
        for iteration in 0..<iterations {
            let shape = JSONShape.object(properties: [.init(name: "v", shape: Self.randomShape(&random), required: true)])
            let document = Self.randomDocument(shape, &random)
            #expect(Self.accepts(shape, document) == (true, true), "seed \(seed) iteration \(iteration): \(document)")
            var bytes = Array(document.utf8)
            for _ in 0..<(1 + Int(random.next() % 3)) {
                let position = Int(random.next() % UInt64(bytes.count))
                let replacement = Array(#"{}[],:"\ 0123456789.-+eEtrufalsn xy"#.utf8)
                bytes[position] = replacement[Int(random.next() % UInt64(replacement.count))]
            }
            let mutant = String(decoding: bytes, as: UTF8.self)
            guard Self.accepts(shape, mutant) == (true, true) else { continue }
            acceptedMutants += 1
            let parsed = try? JSONSerialization.jsonObject(with: Data(bytes), options: .fragmentsAllowed)
            #expect(parsed.map { Self.conforms($0, shape) } == true, "seed \(seed) iteration \(iteration): accepted \(mutant)")
        }
        #expect(acceptedMutants > iterations / 100, "too few mutants accepted to test anything")
    }
}
