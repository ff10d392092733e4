/// Where one tensor lives in a GGUF file and how it is laid out.
public struct GGUFTensorInfo: Sendable, Equatable {
    /// The tensor's name, e.g. `blk.0.attn_q.weight`.
    public let name: String
    /// `ne`: the extent of each dimension, the contiguous (fastest) one first.
    public let shape: [Int]
    /// The element type.
    public let type: GGMLType
    /// Offset of the first byte, relative to the start of the data section.
    public let offset: Int

    /// Total number of elements.
    public var elementCount: Int { shape.reduce(1, *) }
    /// Elements per row (`ne[0]`).
    public var rowLength: Int { shape.first ?? 1 }
    /// Number of rows (the product of `ne[1...]`).
    public var rowCount: Int { shape.dropFirst().reduce(1, *) }
    /// Bytes the tensor occupies (rows are whole blocks; checked when the file is read).
    public var byteCount: Int { rowCount * (type.rowBytes(elements: rowLength) ?? 0) }
}

extension ByteCursor {
    /// Reads one tensor-info record and validates its shape against its type.
    mutating func readTensorInfo() throws -> GGUFTensorInfo {
        let name = try readString("tensor name")
        let dimensions = try read(UInt32.self, "dimension count of '\(name)'")
        guard (1...4).contains(dimensions) else {
            throw EngineError.invalidTensor(name: name, reason: "\(dimensions) dimensions (1 to 4 allowed)")
        }
        var shape: [Int] = []
        var elements = 1
        for _ in 0..<dimensions {
            let extent = try readCount("shape of '\(name)'", limit: 1 << 40)
            let (product, overflow) = elements.multipliedReportingOverflow(by: extent)
            guard !overflow, product <= 1 << 40 else {
                throw EngineError.invalidTensor(name: name, reason: "too many elements")
            }
            elements = product
            shape.append(extent)
        }
        let typeID = try read(UInt32.self, "type of '\(name)'")
        guard let type = GGMLType(rawValue: typeID) else {
            throw EngineError.unsupportedTensorType(name: name, typeID: typeID)
        }
        guard type.rowBytes(elements: shape[0]) != nil else {
            throw EngineError.invalidTensor(
                name: name, reason: "row of \(shape[0]) is not a multiple of the \(type) block size \(type.blockElements)")
        }
        let offset = try readCount("offset of '\(name)'", limit: 1 << 50)
        return GGUFTensorInfo(name: name, shape: shape, type: type, offset: offset)
    }
}
