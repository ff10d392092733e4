/// Finds exact and near duplicates among short texts: two texts are near duplicates
/// when the Jaccard similarity of their character 3-gram sets (after lower-casing and
/// collapsing whitespace) is at least ``threshold``.
///
/// Prompts of one task often share an instruction template ("Extract the name … Text:
/// …") that would make any two of them look alike; ``learnTemplate(from:)`` finds the
/// text all of them start and end with, and only what varies is compared.
public struct NearDuplicateIndex: Sendable {
    /// Similarity at or above which a text counts as a duplicate.
    public let threshold: Double
    private var exact: Set<String> = []
    private var shingles: [Set<UInt32>] = []
    /// The normalised text every known prompt starts with, and ends with.
    private var prefix = "", suffix = ""

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

    /// Learns the template of `prompts`: their longest common start and end (after
    /// normalising), left out of every later comparison. Needs two prompts or more.
    public mutating func learnTemplate(from prompts: [String]) {
        let keys = prompts.map(Self.normalized)
        guard keys.count >= 2, let first = keys.first else { return }
        var start = Array(first), end = Array(first.reversed())
        for key in keys.dropFirst() {
            start = Array(zip(start, key).prefix { $0 == $1 }.map(\.0))
            end = Array(zip(end, key.reversed()).prefix { $0 == $1 }.map(\.0))
        }
        prefix = String(start)
        suffix = String(end.reversed())
    }

    /// What of `text` is compared: normalised, without the learnt template.
    func key(_ text: String) -> String {
        var key = Self.normalized(text)
        if !prefix.isEmpty, key.hasPrefix(prefix) { key.removeFirst(prefix.count) }
        if !suffix.isEmpty, key.count > suffix.count, key.hasSuffix(suffix) { key.removeLast(suffix.count) }
        return key.isEmpty ? Self.normalized(text) : key
    }

    /// Whether `text` duplicates an indexed text, exactly or nearly.
    public func contains(_ text: String) -> Bool {
        let key = key(text)
        if exact.contains(key) { return true }
        let grams = Self.grams(key)
        return shingles.contains { Self.similarity($0, grams) >= threshold }
    }

    /// Adds `text`.
    public mutating func insert(_ text: String) {
        let key = key(text)
        guard exact.insert(key).inserted else { return }
        shingles.append(Self.grams(key))
    }
}
