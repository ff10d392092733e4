/// The stable key that makes canary assignment sticky.
public enum CanaryKey: Sendable, Hashable {
    /// The request's `user` field.
    case user(String)
    /// A tag naming the caller or episode (e.g. an `X-Retort-Tag` value).
    case tag(String)
    /// The prompt, or any stable digest of it, when there is neither user nor tag.
    case prompt(String)

    /// Picks the key by precedence: the user, else the tag, else the prompt. Empty strings
    /// count as absent.
    public static func choose(user: String?, tag: String?, prompt: String) -> CanaryKey {
        if let user, !user.isEmpty { return .user(user) }
        if let tag, !tag.isEmpty { return .tag(tag) }
        return .prompt(prompt)
    }

    /// The text that is hashed: the kind, a colon and the value, so a user and a tag with
    /// the same value land in different buckets.
    public var hashedText: String {
        switch self {
        case .user(let value): "user:\(value)"
        case .tag(let value): "tag:\(value)"
        case .prompt(let value): "prompt:\(value)"
        }
    }
}

/// Sticky canary assignment: a key goes to the student when its bucket is below the percent.
///
/// `bucket = StableHash.fnv1a64Mixed(route + "\0" + key) % 10_000`; the key is in the canary
/// when `bucket < round(percent × 100)`. The route is part of the hash so the same users are
/// not the first canaries of every route. Raising the percent only adds keys: a key in a
/// 5% canary stays in at 10%.
public enum CanaryAssignment {
    /// The number of buckets: percentages resolve to 0.01%.
    public static let bucketCount: UInt64 = 10_000

    /// The key's bucket on `route`, in `0..<10_000`; the same in every process.
    public static func bucket(for key: CanaryKey, route: RouteName) -> Int {
        Int(StableHash.fnv1a64Mixed(route.rawValue + "\u{0}" + key.hashedText) % bucketCount)
    }

    /// Whether `key` is served by the student on a canary of `percent` (0…100; values
    /// outside are clamped, so 0 takes nobody and 100 takes everybody).
    public static func isInCanary(_ key: CanaryKey, route: RouteName, percent: Double) -> Bool {
        guard percent.isFinite else { return false }
        let clamped = min(max(percent, 0), 100)
        let threshold = Int((clamped * 100).rounded())
        return bucket(for: key, route: route) < threshold
    }
}
