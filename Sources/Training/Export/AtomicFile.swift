import Foundation

/// Writes files so that a reader sees either the old file or the whole new one: the bytes
/// go to a temporary name in the same directory, are flushed to disk, and are then renamed
/// over the target (rename is atomic within a file system).
public enum AtomicFile {
    /// Writes `path` by calling `body` with a handle to a temporary file, then renaming it.
    /// The temporary file is removed if `body` throws.
    public static func write(_ path: String, _ body: (FileHandle) throws -> Void) throws {
        let directory = (path as NSString).deletingLastPathComponent
        let temporary = (directory.isEmpty ? "." : directory) + "/.tmp-\(UUID().uuidString)-" + (path as NSString).lastPathComponent
        guard FileManager.default.createFile(atPath: temporary, contents: nil) else {
            throw TrainingError.invalidFile(path: path, reason: "cannot create \(temporary)")
        }
        do {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
            defer { try? handle.close() }
            try body(handle)
            try handle.synchronize()
            guard rename(temporary, path) == 0 else {
                throw TrainingError.invalidFile(path: path, reason: "rename failed: \(String(cString: strerror(errno)))")
            }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            if error is TrainingError { throw error }
            throw TrainingError.invalidFile(path: path, reason: "\(error)")
        }
    }

    /// Writes `bytes` to `path` atomically.
    public static func write(_ path: String, bytes: [UInt8]) throws {
        try write(path) { try $0.write(contentsOf: bytes) }
    }
}

extension FileHandle {
    /// Writes the raw bytes of `values`.
    func write(floats values: [Float]) throws {
        try values.withUnsafeBytes { try write(contentsOf: Data($0)) }
    }
}
