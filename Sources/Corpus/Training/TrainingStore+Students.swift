import ChatAPI
import Foundation

extension TrainingStore {
    /// Registers `student`. Versions are immutable: registering an existing name fails.
    public func register(_ student: StudentVersion) throws {
        try reader.withDatabase { db in
            guard try db.fetchOne("SELECT version FROM students WHERE version = ?", [student.version], { try $0.text("version") }) == nil else {
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
            try db.fetchAll("SELECT \(StudentVersion.columns) FROM students ORDER BY created_at DESC, version DESC", [],
                            StudentVersion.init(row:))
        }
    }

    /// Version `name`, or nil.
    public func student(version name: String) throws -> StudentVersion? {
        try reader.withDatabase { db in
            try db.fetchOne("SELECT \(StudentVersion.columns) FROM students WHERE version = ?", [name], StudentVersion.init(row:))
        }
    }

    /// The next free version name: `s-0001`, `s-0002`, ...
    public func nextVersionName() throws -> String {
        let highest = try reader.withDatabase { db in
            try db.fetchAll("SELECT version FROM students WHERE version LIKE 's-%'") { try $0.text("version") }
                .compactMap { Int($0.dropFirst(2)) }.max() ?? 0
        }
        let number = String(highest + 1)
        return "s-" + String(repeating: "0", count: max(0, 4 - number.count)) + number
    }
}
