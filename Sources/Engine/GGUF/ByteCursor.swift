/// A bounds-checked little-endian reader over a read-only byte buffer.
///
/// Every read checks the remaining length first and throws `EngineError.invalidGGUF`
/// naming what was being read, so a truncated or corrupt file never crashes the process.
struct ByteCursor {
    /// The buffer being parsed.
    let base: UnsafeRawBufferPointer
    /// Offset of the next byte to read.
    private(set) var offset: Int

    /// Starts reading `base` at `offset`.
    init(_ base: UnsafeRawBufferPointer, offset: Int = 0) {
        self.base = base
        self.offset = offset
    }

    /// Bytes left after `offset`.
    var remaining: Int { base.count - offset }

    /// Advances past `count` bytes, checking they exist.
    mutating func skip(_ count: Int, what: String) throws {
        guard count >= 0, count <= remaining else {
            throw EngineError.invalidGGUF("truncated while reading \(what) at byte \(offset)")
        }
        offset += count
    }

    /// Reads a fixed-width little-endian integer.
    mutating func read<T: FixedWidthInteger>(_ type: T.Type, _ what: String) throws -> T {
        let size = MemoryLayout<T>.size
        guard size <= remaining else {
            throw EngineError.invalidGGUF("truncated while reading \(what) at byte \(offset)")
        }
        let value = base.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += size
        return T(littleEndian: value)
    }

    /// Reads a u64 and checks it fits `limit` (a sanity bound against absurd lengths).
    mutating func readCount(_ what: String, limit: Int) throws -> Int {
        let raw = try read(UInt64.self, what)
        guard raw <= UInt64(limit) else {
            throw EngineError.invalidGGUF("\(what) \(raw) exceeds the limit \(limit) at byte \(offset - 8)")
        }
        return Int(raw)
    }

    /// Reads a `gguf_string`: a u64 byte length then UTF-8 bytes.
    mutating func readString(_ what: String) throws -> String {
        let length = try readCount("length of \(what)", limit: remaining)
        let start = offset
        try skip(length, what: what)
        let bytes = UnsafeRawBufferPointer(rebasing: base[start..<start + length])
        return String(decoding: bytes, as: UTF8.self)
    }
}
