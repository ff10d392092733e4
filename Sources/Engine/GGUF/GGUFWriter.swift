import Foundation

/// Builds a GGUF v3 file in memory and writes it out (the layout of facts/engine.md §2.1).
///
/// Used by the tiny test model and by round-trip tests; it stores F32, F16 and Q8_0
/// tensors, quantizing from f32 as asked.
public struct GGUFWriter: Sendable {
    private var metadata: [(key: String, value: GGUFValue)] = []
    private var tensors: [(name: String, shape: [Int], type: GGMLType, bytes: [UInt8])] = []
    /// Data-section alignment (written as `general.alignment` when not 32).
    public var alignment: Int = 32

    /// An empty file.
    public init() {}

    /// Adds (or replaces) a metadata entry.
    public mutating func set(_ key: String, _ value: GGUFValue) {
        metadata.removeAll { $0.key == key }
        metadata.append((key, value))
    }

    /// Adds a tensor with `shape` = `ne` (fastest first), stored as `type` (F32, F16 or Q8_0).
    public mutating func addTensor(_ name: String, shape: [Int], values: [Float], as type: GGMLType = .f32) {
        precondition(shape.reduce(1, *) == values.count, "shape \(shape) does not match \(values.count) values")
        let bytes: [UInt8]
        switch type {
        case .f32: bytes = values.withUnsafeBytes { Array($0) }
        case .f16: bytes = values.map { Float16($0) }.withUnsafeBytes { Array($0) }
        case .q8_0: bytes = Quantize.q8_0(values)
        default: preconditionFailure("GGUFWriter stores F32, F16 and Q8_0 only, not \(type)")
        }
        tensors.append((name, shape, type, bytes))
    }

    /// Adds a tensor from already-encoded bytes of `type`.
    public mutating func addRawTensor(_ name: String, shape: [Int], type: GGMLType, bytes: [UInt8]) {
        tensors.append((name, shape, type, bytes))
    }

    /// The encoded file.
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        append(&out, GGUFFile.magic)
        append(&out, UInt32(3))
        append(&out, UInt64(tensors.count))
        var entries = metadata
        if alignment != 32 { entries.append(("general.alignment", .uint32(UInt32(alignment)))) }
        append(&out, UInt64(entries.count))
        for (key, value) in entries {
            appendString(&out, key)
            append(&out, value.typeID)
            appendValue(&out, value)
        }
        var offset = 0
        var offsets: [Int] = []
        for tensor in tensors {
            offsets.append(offset)
            offset = padded(offset + tensor.bytes.count)
        }
        for (tensor, tensorOffset) in zip(tensors, offsets) {
            appendString(&out, tensor.name)
            append(&out, UInt32(tensor.shape.count))
            for extent in tensor.shape { append(&out, UInt64(extent)) }
            append(&out, tensor.type.rawValue)
            append(&out, UInt64(tensorOffset))
        }
        out.append(contentsOf: repeatElement(0, count: padded(out.count) - out.count))
        for tensor in tensors {
            out.append(contentsOf: tensor.bytes)
            out.append(contentsOf: repeatElement(0, count: padded(out.count) - out.count))
        }
        return out
    }

    /// Writes the encoded file to `path` atomically.
    public func write(to path: String) throws {
        do {
            try Data(encoded()).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw EngineError.fileUnreadable(path: path, reason: "cannot write: \(error)")
        }
    }

    private func padded(_ count: Int) -> Int { (count + alignment - 1) / alignment * alignment }

    private func append<T: FixedWidthInteger>(_ out: inout [UInt8], _ value: T) {
        withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }

    private func appendString(_ out: inout [UInt8], _ string: String) {
        append(&out, UInt64(string.utf8.count))
        out.append(contentsOf: string.utf8)
    }

    private func appendValue(_ out: inout [UInt8], _ value: GGUFValue) {
        switch value {
        case let .uint8(v): append(&out, v)
        case let .int8(v): append(&out, v)
        case let .uint16(v): append(&out, v)
        case let .int16(v): append(&out, v)
        case let .uint32(v): append(&out, v)
        case let .int32(v): append(&out, v)
        case let .float32(v): append(&out, v.bitPattern)
        case let .bool(v): append(&out, UInt8(v ? 1 : 0))
        case let .string(v): appendString(&out, v)
        case let .array(elementType, values):
            append(&out, elementType)
            append(&out, UInt64(values.count))
            for element in values { appendValue(&out, element) }
        case let .uint64(v): append(&out, v)
        case let .int64(v): append(&out, v)
        case let .float64(v): append(&out, v.bitPattern)
        }
    }
}
