import ChatAPI

/// A registered student version (table `students`): immutable files in `directory`
/// and the run that produced them.
public struct StudentVersion: Sendable, Equatable {
    /// e.g. `s-0001`.
    public var version: String
    /// The run that produced it.
    public var runID: String?
    /// The version it was trained from; nil for the base model.
    public var parent: String?
    /// Unix seconds.
    public var createdAt: Double
    /// Directory holding its files.
    public var directory: String
    /// Role → path relative to `directory`: at least `gguf`; `adapter`, `adapter_config`,
    /// `merged` for the safetensors.
    public var files: [String: String]
    /// Final training metrics (and whatever evaluation adds).
    public var metrics: JSONValue?

    /// A version.
    public init(version: String, runID: String?, parent: String?, createdAt: Double, directory: String,
                files: [String: String], metrics: JSONValue?) {
        self.version = version
        self.runID = runID
        self.parent = parent
        self.createdAt = createdAt
        self.directory = directory
        self.files = files
        self.metrics = metrics
    }

    /// The path of the file with `role` (`directory/files[role]`, or the file itself when its
    /// path is absolute, as the serving store reads it), if it has one.
    public func path(of role: String) -> String? {
        files[role].map { Self.path(of: $0, in: directory) }
    }

    /// `file` inside `directory`, or `file` itself when it is absolute.
    static func path(of file: String, in directory: String) -> String {
        if file.hasPrefix("/") { return file }
        return directory.hasSuffix("/") ? directory + file : directory + "/" + file
    }

    /// The version as the admin API shows it.
    public var json: JSONValue {
        .object([
            ("version", .string(version)), ("run_id", runID.map(JSONValue.string) ?? .null),
            ("parent", parent.map(JSONValue.string) ?? .null), ("created_at", .double(createdAt)),
            ("directory", .string(directory)), ("files", filesJSON), ("metrics", metrics ?? .null),
        ])
    }

    /// `files` as a JSON object, keys sorted.
    var filesJSON: JSONValue {
        .object(files.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) })
    }

    /// Columns read by ``init(row:)``.
    static let columns = "version, run_id, parent, created_at, directory, files, metrics"

    /// Decodes a row selected with ``columns``. The JSON columns parse leniently, as before:
    /// unparsable `files` read as none, non-string paths are dropped, unparsable `metrics` as nil.
    init(row: SQLiteRow) throws(SQLiteError) {
        version = try row.text("version")
        runID = try row.optionalText("run_id")
        parent = try row.optionalText("parent")
        createdAt = try row.double("created_at")
        directory = try row.text("directory")
        let filesText = try row.text("files")
        let files = (try? JSONValue.parse(filesText))?.objectValue ?? []
        self.files = Dictionary(files.compactMap { member in member.value.stringValue.map { (member.key, $0) } },
                                uniquingKeysWith: { _, last in last })
        metrics = try row.optionalText("metrics").flatMap { try? JSONValue.parse($0) }
    }
}
