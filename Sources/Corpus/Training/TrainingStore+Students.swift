import ChatAPI
import Foundation

extension TrainingStore {
    /// Registers `student`. Versions are immutable: registering an existing name fails.
    public func register(_ student: StudentVersion) throws {
        try reader.withDatabase { db in
            guard try db.query("SELECT 1 FROM students WHERE version = ?", [student.version]).isEmpty else {
                throw CorpusError.unprocessable("Student version \(student.version) already exists.", parameter: "version")
            }
            try db.prepare("INSERT INTO students (\(StudentVersion.columns)) VALUES (?,?,?,?,?,?,?)")
                .run([student.version, student.runID, student.parent, student.createdAt, student.directory,
                      student.filesJSON.jsonString, student.metrics?.jsonString])
        }
    }

    /// Every version, newest first.
    public func students() throws -> [StudentVersion] {
        try reader.withDatabase { db in
            try db.query("SELECT \(StudentVersion.columns) FROM students ORDER BY created_at DESC, version DESC")
                .map(StudentVersion.init(row:))
        }
    }

    /// Version `name`, or nil.
    public func student(version name: String) throws -> StudentVersion? {
        try reader.withDatabase { db in
            try db.query("SELECT \(StudentVersion.columns) FROM students WHERE version = ?", [name]).first
                .map(StudentVersion.init(row:))
        }
    }

    /// The next free version name: `s-0001`, `s-0002`, ...
    public func nextVersionName() throws -> String {
        let highest = try reader.withDatabase { db in
            try db.query("SELECT version FROM students WHERE version LIKE 's-%'").compactMap { $0.first?.string }
                .compactMap { Int($0.dropFirst(2)) }.max() ?? 0
        }
        let number = String(highest + 1)
        return "s-" + String(repeating: "0", count: max(0, 4 - number.count)) + number
    }
}
