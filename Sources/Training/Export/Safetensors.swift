import Foundation

/// The safetensors format (huggingface/safetensors): an 8-byte little-endian header size,
/// a JSON header `{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}`
/// padded with spaces to a multiple of 8, then the tensors' raw bytes back to back.
/// Retort writes F32 only.
public enum Safetensors {
    /// One tensor to write: its name, shape (row-major, slowest first) and a producer of its
    /// values, called once while writing so only one tensor is in memory at a time.
    public struct Tensor {
        /// Tensor name, e.g. `model.layers.0.self_attn.q_proj.weight`.
        public var name: String
        /// Shape, slowest dimension first (PyTorch order).
        public var shape: [Int]
        /// Produces the `shape.reduce(1, *)` values in row-major order.
        public var values: () -> [Float]

        /// A tensor.
        public init(name: String, shape: [Int], values: @escaping () -> [Float]) {
            self.name = name
            self.shape = shape
            self.values = values
        }
    }

    /// Writes `tensors` (in the given order) and string `metadata` to `path` atomically.
    public static func write(_ tensors: [Tensor], metadata: [String: String] = [:], to path: String) throws {
        var header: [String: Any] = ["__metadata__": metadata.merging(["format": "pt"]) { mine, _ in mine }]
        var offset = 0
        for tensor in tensors {
            let bytes = tensor.shape.reduce(1, *) * 4
            header[tensor.name] = ["dtype": "F32", "shape": tensor.shape, "data_offsets": [offset, offset + bytes]]
            offset += bytes
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        json.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - json.count % 8) % 8))
        try AtomicFile.write(path) { handle in
            try handle.write(contentsOf: withUnsafeBytes(of: UInt64(json.count).littleEndian) { Data($0) })
            try handle.write(contentsOf: json)
            for tensor in tensors {
                let values = tensor.values()
                guard values.count == tensor.shape.reduce(1, *) else {
                    throw TrainingError.invalidFile(path: path, reason: "\(tensor.name): \(values.count) values for shape \(tensor.shape)")
                }
                try handle.write(floats: values)
            }
        }
    }

    /// A parsed safetensors file: F32 tensors by name, with their shapes, and the metadata.
    public struct File {
        /// Shape and values of each tensor.
        public var tensors: [String: (shape: [Int], values: [Float])]
        /// The `__metadata__` strings.
        public var metadata: [String: String]
    }

    /// Reads an F32 safetensors file, checking every offset against the file size.
    public static func read(_ path: String) throws -> File {
        func fail(_ reason: String) -> TrainingError { .invalidFile(path: path, reason: reason) }
        guard let data = FileManager.default.contents(atPath: path) else { throw fail("cannot read") }
        guard data.count >= 8 else { throw fail("shorter than its header size") }
        let size = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard size <= UInt64(data.count - 8) else { throw fail("header size \(size) runs past the end") }
        let start = 8 + Int(size)
        guard let header = try? JSONSerialization.jsonObject(with: data[8..<start]) as? [String: Any] else {
            throw fail("header is not a JSON object")
        }
        var file = File(tensors: [:], metadata: header["__metadata__"] as? [String: String] ?? [:])
        for (name, value) in header where name != "__metadata__" {
            guard let entry = value as? [String: Any], entry["dtype"] as? String == "F32",
                  let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int], offsets.count == 2,
                  offsets[0] >= 0, offsets[1] - offsets[0] == shape.reduce(1, *) * 4, start + offsets[1] <= data.count
            else { throw fail("tensor \(name): not F32 or bad offsets") }
            let bytes = data[(start + offsets[0])..<(start + offsets[1])]
            var values = [Float](repeating: 0, count: shape.reduce(1, *))
            values.withUnsafeMutableBytes { _ = bytes.copyBytes(to: $0) }
            file.tensors[name] = (shape, values)
        }
        return file
    }
}
