import ChatAPI
import Foundation

/// Exchange identifiers: UUIDv7 (RFC 9562), so ids sort by creation time and the
/// feedback endpoint can tell how old a target is.
public enum ExchangeID {
    /// A new UUIDv7 string for the current time, its random bits from the kernel's
    /// generator (through ``EntropyPool``, which fetches them in bulk).
    public static func make(now: Date = Date()) -> String {
        var rng = PooledRandomNumberGenerator()
        return make(milliseconds: UInt64(now.timeIntervalSince1970 * 1000), using: &rng)
    }

    /// Where a UUID's text has its dashes: before these bytes.
    private static let dashes: [(offset: Int, character: UInt8)] = [4, 6, 8, 10].map { ($0, UInt8(ascii: "-")) }

    /// A UUIDv7 string for `milliseconds` since the epoch with random bits from `rng`.
    public static func make(milliseconds: UInt64, using rng: inout some RandomNumberGenerator) -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<6 { bytes[i] = UInt8(truncatingIfNeeded: milliseconds >> (40 - 8 * UInt64(i))) }
        let random = rng.next() as UInt64
        let random2 = rng.next() as UInt64
        for i in 6..<16 { bytes[i] = UInt8(truncatingIfNeeded: (i < 11 ? random : random2) >> (8 * UInt64(i % 8))) }
        bytes[6] = 0x70 | (bytes[6] & 0x0F)  // version 7
        bytes[8] = 0x80 | (bytes[8] & 0x3F)  // variant 10
        return Hex.string(bytes, separators: dashes)
    }

    /// `id` without its dashes: the 32 hex digits that answer object ids (`chatcmpl-…`,
    /// `resp_…`, `msg_…`) carry. Bytewise, as it runs on every request.
    public static func compact(_ id: String) -> String {
        String(decoding: id.utf8.filter { $0 != UInt8(ascii: "-") }, as: UTF8.self)
    }

    /// The creation time encoded in a UUIDv7 string, or nil if it is not one.
    public static func timestamp(of id: String) -> Date? {
        let hex = compact(id)
        guard hex.count == 32, hex[hex.index(hex.startIndex, offsetBy: 12)] == "7",
              let ms = UInt64(hex.prefix(12), radix: 16) else { return nil }
        return Date(timeIntervalSince1970: Double(ms) / 1000)
    }
}
