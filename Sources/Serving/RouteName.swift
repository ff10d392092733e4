/// The name of a route: the `model` a client sends, which selects the route's teacher
/// model, serving state and student. One type from the request to the store, so a route
/// is never confused with a model name sent upstream or a student version.
public struct RouteName: Sendable, Hashable, Comparable, Codable, CustomStringConvertible,
    ExpressibleByStringLiteral {
    /// The name as clients send it.
    public let rawValue: String

    /// The route called `rawValue`.
    public init(_ rawValue: String) { self.rawValue = rawValue }

    /// A literal route name (tests, defaults).
    public init(stringLiteral value: String) { rawValue = value }

    /// Decodes a bare JSON string.
    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    /// Encodes a bare JSON string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// The name.
    public var description: String { rawValue }

    /// Orders by name.
    public static func < (lhs: RouteName, rhs: RouteName) -> Bool { lhs.rawValue < rhs.rawValue }
}
