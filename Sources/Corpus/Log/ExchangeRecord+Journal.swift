import ChatAPI

/// The binary form of an ``ExchangeRecord`` in the acknowledgement journal
/// (``AckJournal``): every field in declaration order, strings and blobs length-prefixed,
/// optionals behind a presence byte, integers and doubles as 8 little-endian bytes.
///
/// A journal lives only until the next open of the corpus replays it, so the layout is
/// versioned by its first byte and a binary reads only its own version; a record of
/// another version is left in its file rather than guessed at.
extension ExchangeRecord {
    /// The layout version written first in every encoded record.
    static let journalVersion: UInt8 = 1

    /// The record's bytes for the journal.
    var journalBytes: [UInt8] {
        var out = JournalWriter()
        out.bytes.reserveCapacity(256 + requestJSON.utf8.count + (responseJSON?.utf8.count ?? 0)
                                  + (rawRequestJSON?.utf8.count ?? 0) + (rawResponseJSON?.utf8.count ?? 0))
        out.byte(Self.journalVersion)
        out.string(id); out.double(createdAt); out.double(completedAt)
        out.string(route); out.string(servedBy); out.string(servedReason)
        out.string(teacherURL); out.string(upstreamModel); out.string(completionID)
        out.int(status); out.string(error); out.double(latencyMs); out.double(ttftMs)
        out.int(promptTokens); out.int(completionTokens); out.int(totalTokens)
        out.string(finishReason); out.byte(stream ? 1 : 0); out.int(attempts); out.string(user)
        out.int(tags.count)
        for tag in tags { out.string(tag) }
        out.string(metadata); out.string(promptHash); out.string(requestJSON); out.string(responseJSON)
        out.string(surface); out.string(rawRequestJSON); out.string(rawResponseJSON)
        out.blob(teacherLogprobs?.encoded)
        return out.bytes
    }

    /// Decodes ``journalBytes``; nil if the bytes are not exactly one record of this version.
    init?(journalBytes bytes: ArraySlice<UInt8>) {
        var input = JournalReader(bytes: bytes)
        guard input.byte() == Self.journalVersion,
              let id = input.string(), let createdAt = input.double(), let completedAt = input.optionalDouble(),
              let route = input.string(), let servedBy = input.string(), let servedReason = input.optionalString(),
              let teacherURL = input.optionalString(), let upstreamModel = input.optionalString(),
              let completionID = input.optionalString(), let status = input.int(), let error = input.optionalString(),
              let latencyMs = input.optionalDouble(), let ttftMs = input.optionalDouble(),
              let promptTokens = input.optionalInt(), let completionTokens = input.optionalInt(),
              let totalTokens = input.optionalInt(), let finishReason = input.optionalString(),
              let stream = input.byte(), let attempts = input.int(), let user = input.optionalString(),
              let tagCount = input.int(), (0...bytes.count).contains(tagCount)
        else { return nil }
        var tags: [String] = []
        for _ in 0..<tagCount {
            guard let tag = input.string() else { return nil }
            tags.append(tag)
        }
        guard let metadata = input.optionalString(), let promptHash = input.string(), let requestJSON = input.string(),
              let responseJSON = input.optionalString(), let surface = input.string(),
              let rawRequestJSON = input.optionalString(), let rawResponseJSON = input.optionalString(),
              let logprobs = input.optionalBlob(), input.isAtEnd
        else { return nil }
        self.init(id: id, createdAt: createdAt, route: route, servedBy: servedBy, status: status, stream: stream != 0,
                  promptHash: promptHash, requestJSON: requestJSON)
        self.completedAt = completedAt
        self.servedReason = servedReason
        self.teacherURL = teacherURL
        self.upstreamModel = upstreamModel
        self.completionID = completionID
        self.error = error
        self.latencyMs = latencyMs
        self.ttftMs = ttftMs
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.totalTokens = totalTokens
        self.finishReason = finishReason
        self.attempts = attempts
        self.user = user
        self.tags = tags
        self.metadata = metadata
        self.responseJSON = responseJSON
        self.surface = surface
        self.rawRequestJSON = rawRequestJSON
        self.rawResponseJSON = rawResponseJSON
        if let logprobs {
            guard let decoded = TokenLogprobs(encoded: logprobs) else { return nil }
            teacherLogprobs = decoded
        }
    }
}

/// Appends the journal's field encodings.
struct JournalWriter {
    var bytes: [UInt8] = []

    mutating func byte(_ value: UInt8) { bytes.append(value) }

    mutating func word(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func int(_ value: Int) { word(UInt64(bitPattern: Int64(value))) }

    mutating func int(_ value: Int?) {
        byte(value == nil ? 0 : 1)
        if let value { int(value) }
    }

    mutating func double(_ value: Double) { word(value.bitPattern) }

    mutating func double(_ value: Double?) {
        byte(value == nil ? 0 : 1)
        if let value { double(value) }
    }

    mutating func string(_ value: String) {
        int(value.utf8.count)
        bytes.append(contentsOf: value.utf8)
    }

    mutating func string(_ value: String?) {
        byte(value == nil ? 0 : 1)
        if let value { string(value) }
    }

    mutating func blob(_ value: [UInt8]?) {
        byte(value == nil ? 0 : 1)
        if let value {
            int(value.count)
            bytes.append(contentsOf: value)
        }
    }
}

/// Reads what ``JournalWriter`` wrote; every read is nil past the end or on a bad value.
struct JournalReader {
    let bytes: ArraySlice<UInt8>
    var index: Int

    init(bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        index = bytes.startIndex
    }

    var isAtEnd: Bool { index == bytes.endIndex }

    mutating func byte() -> UInt8? {
        guard index < bytes.endIndex else { return nil }
        defer { index += 1 }
        return bytes[index]
    }

    mutating func word() -> UInt64? {
        guard bytes.endIndex - index >= 8 else { return nil }
        var value: UInt64 = 0
        for offset in (0..<8).reversed() { value = value << 8 | UInt64(bytes[index + offset]) }
        index += 8
        return value
    }

    mutating func int() -> Int? { word().map { Int(Int64(bitPattern: $0)) } }

    mutating func double() -> Double? { word().map(Double.init(bitPattern:)) }

    mutating func string() -> String? { rawBytes().map { String(decoding: $0, as: UTF8.self) } }

    mutating func optionalInt() -> Int?? { optional { $0.int() } }

    mutating func optionalDouble() -> Double?? { optional { $0.double() } }

    mutating func optionalString() -> String?? { optional { $0.string() } }

    mutating func optionalBlob() -> [UInt8]?? { optional { $0.rawBytes().map(Array.init) } }

    /// An optional behind its presence byte: `.some(nil)` when absent, nil when the byte
    /// is neither 0 nor 1 or the value cannot be read.
    private mutating func optional<T>(_ read: (inout JournalReader) -> T?) -> T?? {
        switch byte() {
        case 0: return .some(nil)
        case 1: return read(&self).map { .some($0) }
        default: return nil
        }
    }

    private mutating func rawBytes() -> ArraySlice<UInt8>? {
        guard let count = int(), count >= 0, bytes.endIndex - index >= count else { return nil }
        defer { index += count }
        return bytes[index..<index + count]
    }
}
