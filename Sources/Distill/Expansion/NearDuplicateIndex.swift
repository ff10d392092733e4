/// Finds exact and near duplicates among short texts: two texts are near duplicates
/// when the Jaccard similarity of their character 3-gram sets (after lower-casing and
/// collapsing whitespace) is at least ``threshold``.
public struct NearDuplicateIndex: Sendable {
    /// Similarity at or above which a text counts as a duplicate.
    public let threshold: Double
    private var exact: Set<String> = []
    private var shingles: [Set<UInt32>] = []

    /// An empty index.
    public init(threshold: Double = 0.8) {
        self.threshold = threshold
    }

    /// Texts indexed so far.
    public var count: Int { exact.count }

    /// `text` lower-cased with runs of whitespace as one space, trimmed.
    static func normalized(_ text: String) -> String {
        text.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// The set of character 3-grams of `text` (hashed; a text of fewer than three
    /// characters is its own single gram).
    static func grams(_ text: String) -> Set<UInt32> {
        let scalars = Array(text.unicodeScalars.map(\.value))
        guard scalars.count >= 3 else { return [scalars.reduce(2_166_136_261) { ($0 ^ $1) &* 16_777_619 }] }
        var grams = Set<UInt32>()
        for index in 0...(scalars.count - 3) {
            grams.insert(((scalars[index] &* 31 &+ scalars[index + 1]) &* 31 &+ scalars[index + 2]) &* 2_654_435_761)
        }
        return grams
    }

    /// Jaccard similarity of two gram sets.
    static func similarity(_ a: Set<UInt32>, _ b: Set<UInt32>) -> Double {
        let union = a.union(b).count
        return union == 0 ? 1 : Double(a.intersection(b).count) / Double(union)
    }

    /// Whether `text` duplicates an indexed text, exactly or nearly.
    public func contains(_ text: String) -> Bool {
        let key = Self.normalized(text)
        if exact.contains(key) { return true }
        let grams = Self.grams(key)
        return shingles.contains { Self.similarity($0, grams) >= threshold }
    }

    /// Adds `text`.
    public mutating func insert(_ text: String) {
        let key = Self.normalized(text)
        guard exact.insert(key).inserted else { return }
        shingles.append(Self.grams(key))
    }
}
