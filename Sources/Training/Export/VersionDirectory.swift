import Foundation

/// A student version's directory, `<root>/<version>/`, created whole or not at all: the
/// files are written into a hidden temporary directory beside it, which is renamed into
/// place only when every file is complete. An existing version is never overwritten, and
/// its files are made read-only.
public enum VersionDirectory {
    /// Creates `<root>/<version>/` with the files `write` puts into the directory it is
    /// given; `write` returns role → file name (relative to the directory).
    /// - Returns: the final directory and the role → file map.
    /// - Throws: `TrainingError.invalidFile` if the version exists or a write fails; nothing
    ///   is left behind then.
    public static func create(root: String, version: String,
                              write: (String) throws -> [String: String]) throws -> (directory: String, files: [String: String]) {
        let manager = FileManager.default
        let final = (root as NSString).appendingPathComponent(version)
        guard !manager.fileExists(atPath: final) else {
            throw TrainingError.invalidFile(path: final, reason: "student version \(version) already exists")
        }
        try manager.createDirectory(atPath: root, withIntermediateDirectories: true)
        let temporary = (root as NSString).appendingPathComponent(".tmp-\(version)-\(UUID().uuidString)")
        try manager.createDirectory(atPath: temporary, withIntermediateDirectories: false)
        do {
            let files = try write(temporary)
            for name in files.values {
                try manager.setAttributes([.posixPermissions: 0o444], ofItemAtPath: (temporary as NSString).appendingPathComponent(name))
            }
            guard rename(temporary, final) == 0 else {
                throw TrainingError.invalidFile(path: final, reason: "rename failed: \(String(cString: strerror(errno)))")
            }
            return (final, files)
        } catch {
            try? manager.removeItem(atPath: temporary)
            if error is TrainingError { throw error }
            throw TrainingError.invalidFile(path: final, reason: "\(error)")
        }
    }
}
