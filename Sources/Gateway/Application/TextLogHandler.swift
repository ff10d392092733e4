import Foundation
import Logging

/// Log lines on standard error in swift-log's `StreamLogHandler` format
/// (`time level label: key=value … [source] message`), with the metadata written out only
/// when a line is logged.
///
/// Hummingbird gives every request a logger of its own, tagged with a request id.
/// `StreamLogHandler` renders its whole metadata into a string each time a key is set,
/// request id included, so every request paid for a line that was almost never logged.
public struct TextLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let output: @Sendable (String) -> Void

    /// Makes every logger created from now on in this process one of these (once, before
    /// anything logs: the `retort` and `retort-bench` commands do it first thing).
    public static func install() {
        LoggingSystem.bootstrap { TextLogHandler(label: $0) }
    }

    /// A handler for `label` writing each line with `output` (standard error unless told).
    public init(label: String, metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider,
                output: @escaping @Sendable (String) -> Void = TextLogHandler.standardError) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { _, provided in provided } }
        if let explicit = event.metadata { all.merge(explicit) { _, explicit in explicit } }
        if let error = event.error {
            all["error.message"] = "\(error)"
            all["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        output(Self.line(time: Self.timestamp(), level: event.level, label: label, metadata: all, source: event.source,
                         message: event.message))
    }

    @available(*, deprecated, renamed: "log(event:)")
    public func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String,
                    function: String, line: UInt) {
        log(event: LogEvent(level: level, message: message, metadata: metadata, source: source, file: file, function: function,
                            line: line))
    }

    /// One line: `time level label: key=value … [source] message`, the keys sorted.
    static func line(time: String, level: Logger.Level, label: String, metadata: Logger.Metadata, source: String,
                     message: Logger.Message) -> String {
        let pairs = metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        return "\(time) \(level)\(label.isEmpty ? "" : " ")\(label):\(pairs.isEmpty ? "" : " " + pairs) [\(source)] \(message)\n"
    }

    /// The local time as `2026-12-07T17:40:00+0000`.
    static func timestamp() -> String {
        var now = time(nil)
        var parts = tm()
        guard localtime_r(&now, &parts) != nil else { return "<unknown>" }
        var buffer = [CChar](repeating: 0, count: 64)
        let length = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &parts)
        return String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Writes `line` to standard error in one call.
    @Sendable public static func standardError(_ line: String) {
        FileHandle.standardError.write(Data(line.utf8))
    }
}
