import Foundation
import Logging
import Testing
@testable import Gateway

/// The log handler `retort` installs: swift-log's `StreamLogHandler` line format, with the
/// metadata rendered only when a line is written (Hummingbird sets a request id on every
/// request's logger, and `StreamLogHandler` renders its metadata on every set).
@Suite struct TextLogHandlerTests {
    /// A metadata value that counts how often it is rendered.
    final class CountedValue: CustomStringConvertible, @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        var renders: Int { lock.withLock { count } }
        var description: String {
            lock.withLock { count += 1 }
            return "req-7"
        }
    }

    /// Collects written lines (also a stream for `StreamLogHandler`).
    final class Collected: TextOutputStream, @unchecked Sendable {
        private let lock = NSLock()
        private var written: [String] = []
        var lines: [String] { lock.withLock { written } }
        func write(_ string: String) { lock.withLock { written.append(string) } }
    }

    func logger(into collected: Collected) -> Logger {
        Logger(label: "retort") { TextLogHandler(label: $0, metadataProvider: nil, output: { collected.write($0) }) }
    }

    @Test func metadataIsRenderedOnlyWhenALineIsWritten() {
        let id = CountedValue()
        let collected = Collected()
        var logger = logger(into: collected)
        logger[metadataKey: "hb.request.id"] = .stringConvertible(id)
        logger[metadataKey: "route"] = "default"
        logger.debug("below the level")
        #expect(id.renders == 0)
        #expect(collected.lines.isEmpty)
        logger.info("answered", metadata: ["status": "200"])
        #expect(id.renders == 1)
        #expect(collected.lines.count == 1)
        #expect(collected.lines.first?.hasSuffix(" info retort: hb.request.id=req-7 route=default status=200 [GatewayTests] answered\n") == true)
    }

    @Test func linesReadAsStreamLogHandlerWritesThem() {
        let ours = Collected()
        let theirs = Collected()
        var loggers = [logger(into: ours), Logger(label: "retort") { StreamLogHandler(label: $0, stream: theirs, metadataProvider: nil) }]
        for index in loggers.indices {
            loggers[index][metadataKey: "b"] = "2"
            loggers[index][metadataKey: "a"] = .array(["x", "y"])
            loggers[index].notice("started")
            loggers[index].warning("slow", metadata: ["a": "override"])
            loggers[index].error("failed", error: CocoaError(.fileNoSuchFile))
            loggers[index].info("plain")
        }
        // The lines start with the local time to the second, which may have turned between the two.
        func withoutTime(_ lines: [String]) -> [String] { lines.map { String($0.drop { $0 != " " }) } }
        #expect(ours.lines.count == 4)
        #expect(withoutTime(ours.lines) == withoutTime(theirs.lines))
        #expect(ours.lines.allSatisfy { $0.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} "#, options: .regularExpression) != nil })
    }
}
