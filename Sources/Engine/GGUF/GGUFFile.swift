/// A memory-mapped GGUF v2/v3 file: metadata, tensor infos, and raw tensor bytes.
///
/// Parsing checks every length and offset against the file size (facts/engine.md §2.1),
/// so a corrupt or truncated file is reported as `EngineError.invalidGGUF` or
/// `.invalidTensor` naming the problem.
///
/// `@unchecked Sendable`: all stored properties are immutable after `init`, and the
/// mapping is read-only.
public final class GGUFFile: @unchecked Sendable {
    /// The path the file was opened from.
    public let path: String
    /// The GGUF format version (2 or 3).
    public let version: UInt32
    /// All metadata key-value pairs.
    public let metadata: [String: GGUFValue]
    /// Tensor infos in file order.
    public let tensors: [GGUFTensorInfo]
    /// Offset of the data section from the start of the file.
    public let dataOffset: Int
    private let tensorIndex: [String: Int]
    private let mapping: MappedFile

    /// The `GGUF` magic as a little-endian u32.
    static let magic: UInt32 = 0x4655_4747

    /// Opens, maps and parses the file at `path`.
    public init(path: String) throws {
        self.path = path
        mapping = try MappedFile(path: path)
        var cursor = ByteCursor(mapping.bytes)
        guard try cursor.read(UInt32.self, "magic") == Self.magic else {
            throw EngineError.invalidGGUF("bad magic: \(path) is not a GGUF file")
        }
        version = try cursor.read(UInt32.self, "version")
        guard version == 2 || version == 3 else {
            throw EngineError.invalidGGUF("unsupported GGUF version \(version) (2 and 3 are supported)")
        }
        let tensorCount = try cursor.readCount("tensor count", limit: cursor.remaining / 24)
        let keyCount = try cursor.readCount("metadata count", limit: cursor.remaining / 13)
        var metadata: [String: GGUFValue] = [:]
        for _ in 0..<keyCount {
            let key = try cursor.readString("metadata key")
            let typeID = try cursor.read(UInt32.self, "value type of '\(key)'")
            metadata[key] = try cursor.readValue(typeID: typeID, key: key)
        }
        var tensors: [GGUFTensorInfo] = []
        var index: [String: Int] = [:]
        for _ in 0..<tensorCount {
            let info = try cursor.readTensorInfo()
            guard index[info.name] == nil else { throw EngineError.invalidGGUF("duplicate tensor '\(info.name)'") }
            index[info.name] = tensors.count
            tensors.append(info)
        }
        let alignment = metadata["general.alignment"]?.intValue ?? 32
        guard alignment > 0, alignment & (alignment - 1) == 0 else {
            throw EngineError.invalidGGUF("general.alignment \(alignment) is not a power of two")
        }
        dataOffset = (cursor.offset + alignment - 1) / alignment * alignment
        self.metadata = metadata
        self.tensors = tensors
        tensorIndex = index
        try validateExtents(alignment: alignment)
    }

    private func validateExtents(alignment: Int) throws {
        let dataSize = mapping.bytes.count - dataOffset
        for info in tensors {
            guard info.offset % alignment == 0 else {
                throw EngineError.invalidTensor(name: info.name, reason: "offset \(info.offset) is not aligned to \(alignment)")
            }
            guard dataSize >= 0, info.offset <= dataSize, info.byteCount <= dataSize - info.offset else {
                throw EngineError.invalidTensor(
                    name: info.name,
                    reason: "data (\(info.byteCount) bytes at \(info.offset)) runs past the end of the file; the file is truncated")
            }
        }
    }

    /// The info of tensor `name`, or `nil`.
    public func tensorInfo(_ name: String) -> GGUFTensorInfo? {
        tensorIndex[name].map { tensors[$0] }
    }

    /// The raw bytes of tensor `name`; valid as long as this file object is alive.
    public func tensorBytes(_ name: String) throws -> UnsafeRawBufferPointer {
        guard let info = tensorInfo(name) else {
            throw EngineError.invalidTensor(name: name, reason: "missing from the file")
        }
        return tensorBytes(info)
    }

    /// The raw bytes of `info` (already bounds-checked at load).
    public func tensorBytes(_ info: GGUFTensorInfo) -> UnsafeRawBufferPointer {
        let start = dataOffset + info.offset
        return UnsafeRawBufferPointer(rebasing: mapping.bytes[start..<start + info.byteCount])
    }

    /// Tensor `name` converted to f32, in storage order (row-major, `ne[0]` fastest).
    public func dequantizedTensor(_ name: String) throws -> [Float] {
        guard let info = tensorInfo(name) else {
            throw EngineError.invalidTensor(name: name, reason: "missing from the file")
        }
        let bytes = tensorBytes(info)
        var values = [Float](repeating: 0, count: info.elementCount)
        values.withUnsafeMutableBufferPointer { buffer in
            Dequantize.values(bytes, type: info.type, into: buffer)
        }
        return values
    }

    /// Metadata value for `key`, or throws `missingMetadata`.
    public func require(_ key: String) throws -> GGUFValue {
        guard let value = metadata[key] else { throw EngineError.missingMetadata(key: key) }
        return value
    }
}
