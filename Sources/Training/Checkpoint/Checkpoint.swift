import Foundation

/// A training checkpoint file: the trainable parameters, AdamW's moments and the run's
/// position, written atomically (a crash mid-write leaves the previous checkpoint intact).
///
/// Layout (little-endian): `"RTCK"`, u32 format version (1), u64 header length, the
/// header (``CheckpointState`` as JSON), then `parameterCount` f32 parameters followed by
/// `2 · parameterCount` f32 moments (m then v).
public enum Checkpoint {
    static let magic: [UInt8] = Array("RTCK".utf8)
    static let formatVersion: UInt32 = 1

    /// Saves `state` with `parameters` (count floats) and `optimizer`'s moments to `path`.
    public static func write(_ state: CheckpointState, parameters: UnsafePointer<Float>, optimizer: AdamW,
                             to path: String) throws {
        guard optimizer.count == state.parameterCount else {
            throw TrainingError.invalidConfiguration("optimizer has \(optimizer.count) parameters, state says \(state.parameterCount)")
        }
        let header = try JSONEncoder().encode(state)
        try AtomicFile.write(path) { handle in
            var prefix = magic
            withUnsafeBytes(of: formatVersion.littleEndian) { prefix += $0 }
            withUnsafeBytes(of: UInt64(header.count).littleEndian) { prefix += $0 }
            try handle.write(contentsOf: prefix)
            try handle.write(contentsOf: header)
            try handle.write(contentsOf: Data(buffer: UnsafeBufferPointer(start: parameters, count: state.parameterCount)))
            try handle.write(contentsOf: Data(buffer: UnsafeBufferPointer(start: optimizer.moments, count: 2 * optimizer.count)))
        }
    }

    /// Reads only the header of the checkpoint at `path`.
    public static func readState(_ path: String) throws -> CheckpointState {
        try read(path, parameters: nil, optimizer: nil)
    }

    /// Restores `parameters` (state.parameterCount floats) and `optimizer` from `path`.
    /// - Throws: `TrainingError.invalidFile` for a truncated or foreign file, or when the
    ///   sizes differ from the model and optimizer given.
    @discardableResult
    public static func restore(_ path: String, parameters: UnsafeMutablePointer<Float>, optimizer: AdamW) throws -> CheckpointState {
        try read(path, parameters: parameters, optimizer: optimizer)
    }

    private static func read(_ path: String, parameters: UnsafeMutablePointer<Float>?, optimizer: AdamW?) throws -> CheckpointState {
        func fail(_ reason: String) -> TrainingError { .invalidFile(path: path, reason: reason) }
        guard let data = FileManager.default.contents(atPath: path) else { throw fail("cannot read") }
        return try data.withUnsafeBytes { bytes in
            guard bytes.count >= 16, Array(bytes[0..<4]) == magic else { throw fail("not a Retort checkpoint") }
            let version = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
            guard version == formatVersion else { throw fail("checkpoint format \(version), expected \(formatVersion)") }
            let headerLength = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            guard headerLength <= UInt64(bytes.count - 16) else { throw fail("header runs past the end") }
            let bodyStart = 16 + Int(headerLength)
            guard let state = try? JSONDecoder().decode(CheckpointState.self, from: data[16..<bodyStart]) else {
                throw fail("unreadable header")
            }
            guard let parameters, let optimizer else { return state }
            let count = state.parameterCount
            guard count == optimizer.count else { throw fail("\(count) parameters saved, the model trains \(optimizer.count)") }
            guard bytes.count - bodyStart == 3 * count * 4 else { throw fail("truncated: \(bytes.count - bodyStart) data bytes") }
            let body = UnsafeRawBufferPointer(rebasing: bytes[bodyStart...])
            UnsafeMutableRawBufferPointer(start: parameters, count: 4 * count)
                .copyMemory(from: UnsafeRawBufferPointer(rebasing: body[0..<(4 * count)]))
            UnsafeMutableRawBufferPointer(start: optimizer.moments, count: 8 * count)
                .copyMemory(from: UnsafeRawBufferPointer(rebasing: body[(4 * count)...]))
            optimizer.stepCount = state.optimizerSteps
            return state
        }
    }
}
