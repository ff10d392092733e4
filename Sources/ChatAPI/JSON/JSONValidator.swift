/// Whether a text is JSON, or could still become JSON.
public enum JSONValidity: String, Sendable, Hashable, Codable {
    /// One complete JSON value (RFC 8259), with optional surrounding whitespace.
    case valid
    /// Not JSON yet, but a prefix of some JSON text (for checking a stream's first tokens).
    case incomplete
    /// No continuation can make it JSON.
    case invalid
}

/// Classifies texts with the grammar of ``JSONValue/parse(_:)``: what it parses is
/// valid, what it gives up on at the end of the input is incomplete.
///
/// Nesting deeper than ``maximumDepth`` is reported invalid instead of recursing further.
public enum JSONValidator {
    /// Nesting limit of objects and arrays (deeper than the parser's: an answer is only
    /// classified, not taken apart).
    public static let maximumDepth = 512

    /// Classifies `text`; an empty or all-whitespace text is `incomplete`.
    public static func validate(_ text: String) -> JSONValidity {
        var parser = JSONParser(bytes: Array(text.utf8), maximumDepth: maximumDepth)
        do {
            _ = try parser.parseDocument()
            return .valid
        } catch {
            return error.truncated ? .incomplete : .invalid
        }
    }

    /// Whether `text` is one complete JSON value.
    public static func isValid(_ text: String) -> Bool {
        validate(text) == .valid
    }
}
