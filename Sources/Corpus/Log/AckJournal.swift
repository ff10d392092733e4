import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The acknowledgement journal: append-only files next to the database that hold every
/// exchange from the moment it is acknowledged until the writer has it in SQLite.
///
/// Appending a record is one `write(2)` of a checksummed frame to a file this process
/// owns (an exclusive `flock`). Once the call returns, the bytes are in the kernel's page
/// cache, so they survive the process being killed, exactly as a SQLite commit with
/// `synchronous=NORMAL` does; that is what lets the gateway acknowledge an exchange
/// without waiting for its SQLite transaction. When every record of a segment is in
/// SQLite the segment is emptied (or deleted, once the journal has moved to a newer one).
///
/// A journal left behind by a process that died is **recovered** by the next
/// ``ExchangeLog`` opened on the database (``recover(databasePath:insert:)``): the files no
/// live process holds are read, the records SQLite does not have yet are inserted, and
/// the files are deleted. A torn last frame (the process died inside the write) was
/// never acknowledged and is ignored.
///
/// Frame: payload length (4 bytes, little-endian), FNV-1a checksum of the payload
/// (4 bytes), payload (``ExchangeRecord/journalBytes``).
final class AckJournal: @unchecked Sendable {
    // @unchecked: all mutable state is guarded by `lock`.
    private let lock = NSLock()
    private let base: String
    private var segments: [Int: Segment] = [:]
    private var current: Segment
    private var nextNumber = 1
    private var totalBytes = 0
    private var closed = false

    /// Most bytes the journal's files may hold; an append beyond it is refused (and the
    /// caller waits for SQLite instead), so a stalled database cannot fill the disk here.
    let limit: Int
    /// Size past which appends move to a new segment.
    let segmentBytes: Int

    /// Bytes in the journal's files: records not all in SQLite yet (a segment is emptied
    /// once all of its are).
    var pendingBytes: Int { lock.withLock { totalBytes } }

    /// Which segment a record went to, handed back to ``indexed(_:)`` once it is in SQLite.
    struct Ticket: Sendable {
        let segment: Int
    }

    private final class Segment {
        let number: Int
        let path: String
        let descriptor: Int32
        var size = 0
        /// Records appended and not yet indexed.
        var outstanding = 0

        init(number: Int, path: String, descriptor: Int32) {
            self.number = number
            self.path = path
            self.descriptor = descriptor
        }
    }

    /// Creates the first segment beside `databasePath`.
    init(databasePath: String, limit: Int, segmentBytes: Int = 16 << 20) throws {
        self.limit = limit
        self.segmentBytes = segmentBytes
        base = Self.prefix(databasePath) + "\(getpid())-\(UInt32.random(in: 0...UInt32.max))-"
        current = try Self.openSegment(number: 0, path: base + "0")
        segments[0] = current
    }

    /// The file name prefix every journal of `databasePath` shares.
    static func prefix(_ databasePath: String) -> String { databasePath + "-acks-" }

    private static func openSegment(number: Int, path: String) throws -> Segment {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw JournalError(path: path, operation: "open", code: errno) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            Glibc.close(descriptor)
            throw JournalError(path: path, operation: "lock", code: code)
        }
        return Segment(number: number, path: path, descriptor: descriptor)
    }

    /// Appends `record`; nil when it could not be written whole (the disk is full, the
    /// journal at its limit, or closed). A refused record leaves no bytes behind.
    func append(_ record: ExchangeRecord) -> Ticket? {
        let frame = Self.frame(record.journalBytes)
        return lock.withLock {
            guard !closed, totalBytes + frame.count <= limit else { return nil }
            if current.size >= segmentBytes { rotate() }
            let segment = current
            guard Self.writeAll(frame, to: segment.descriptor) else {
                _ = ftruncate(segment.descriptor, off_t(segment.size))  // no torn frame behind a refusal
                return nil
            }
            segment.size += frame.count
            segment.outstanding += 1
            totalBytes += frame.count
            return Ticket(segment: segment.number)
        }
    }

    /// Says the records behind `tickets` are in SQLite: a segment with nothing left to
    /// index is emptied, or deleted if appends have moved on from it.
    func indexed(_ tickets: [Ticket]) {
        guard !tickets.isEmpty else { return }
        lock.withLock {
            var touched = Set<Int>()
            for ticket in tickets {
                guard let segment = segments[ticket.segment] else { continue }
                segment.outstanding -= 1
                touched.insert(ticket.segment)
            }
            for number in touched {
                guard let segment = segments[number], segment.outstanding == 0 else { continue }
                if segment !== current {
                    totalBytes -= segment.size
                    remove(segment)
                } else if segment.size > 0, ftruncate(segment.descriptor, 0) == 0 {
                    totalBytes -= segment.size
                    segment.size = 0
                }
            }
        }
    }

    /// Closes the journal: segments whose records are all in SQLite are deleted; the
    /// others stay for the next open to recover.
    func close() {
        lock.withLock {
            closed = true
            for segment in segments.values {
                if segment.outstanding == 0 {
                    remove(segment)
                } else {
                    Glibc.close(segment.descriptor)  // releases the lock: the file is now an orphan
                }
            }
            segments = [:]
        }
    }

    /// Moves appends to a new segment; the old one stays until its records are indexed.
    /// Called with `lock` held.
    private func rotate() {
        guard let next = try? Self.openSegment(number: nextNumber, path: base + String(nextNumber)) else { return }
        nextNumber += 1
        let previous = current
        segments[next.number] = next
        current = next
        if previous.outstanding == 0 {
            totalBytes -= previous.size
            remove(previous)
        }
    }

    /// Deletes a segment's file, then closes it (in that order, so no other process can
    /// take the lock of a file about to disappear and read it as an orphan). Called with
    /// `lock` held.
    private func remove(_ segment: Segment) {
        unlink(segment.path)
        Glibc.close(segment.descriptor)
        segments[segment.number] = nil
    }

    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> Bool {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += written
            }
            return true
        }
    }

    // MARK: - Frames

    static func frame(_ payload: [UInt8]) -> [UInt8] {
        var frame: [UInt8] = []
        frame.reserveCapacity(payload.count + 8)
        withUnsafeBytes(of: UInt32(payload.count).littleEndian) { frame.append(contentsOf: $0) }
        withUnsafeBytes(of: checksum(payload[...]).littleEndian) { frame.append(contentsOf: $0) }
        frame.append(contentsOf: payload)
        return frame
    }

    /// The payloads of the whole, intact frames in `bytes`, in order. Reading stops at the
    /// first frame that is cut off or fails its checksum: frames are written one after the
    /// other, so only the last can be torn.
    static func payloads(in bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var payloads: [ArraySlice<UInt8>] = []
        var offset = 0
        while bytes.count - offset >= 8 {
            let length = Int(word32(bytes, at: offset))
            let sum = word32(bytes, at: offset + 4)
            guard bytes.count - offset - 8 >= length else { break }
            let payload = bytes[(offset + 8)..<(offset + 8 + length)]
            guard checksum(payload) == sum else { break }
            payloads.append(payload)
            offset += 8 + length
        }
        return payloads
    }

    private static func word32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
    }

    /// 32-bit FNV-1a.
    static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var hash: UInt32 = 0x811C_9DC5
        for byte in bytes {
            hash = (hash ^ UInt32(byte)) &* 0x0100_0193
        }
        return hash
    }

    // MARK: - Recovery

    /// Recovers the journals of `databasePath` that no live process holds: hands each
    /// one's records to `insert` (which skips those SQLite has, and returns how many it
    /// wrote and how many SQLite refused) and deletes the file once all are in. A file
    /// with refused records stays for the next open to try again (the ones written are
    /// skipped then); one with records of another layout version is kept aside as
    /// `….unreadable`. Nothing is dropped and nothing here stops the log from opening.
    /// Returns how many records were written.
    static func recover(databasePath: String,
                        insert: ([ExchangeRecord]) throws -> (written: Int, refused: Int)) throws -> Int {
        let url = URL(fileURLWithPath: databasePath)
        let directory = url.deletingLastPathComponent().path
        let prefix = url.lastPathComponent + "-acks-"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var recovered = 0
        for name in names.sorted() where name.hasPrefix(prefix) && !name.hasSuffix(".unreadable") {
            let path = directory + "/" + name
            let descriptor = open(path, O_RDWR | O_CLOEXEC)
            guard descriptor >= 0 else { continue }
            defer { Glibc.close(descriptor) }
            guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else { continue }  // a live process's journal
            // Read through the locked descriptor rather than opening the file a second time.
            let bytes = FileHandle(fileDescriptor: descriptor, closeOnDealloc: false).readDataToEndOfFile()
            let frames = payloads(in: Array(bytes))
            let records = frames.compactMap { ExchangeRecord(journalBytes: $0) }
            let (written, refused) = try insert(records)
            recovered += written
            guard refused == 0 else { continue }
            if records.count == frames.count {
                unlink(path)
            } else {
                rename(path, path + ".unreadable")
            }
        }
        return recovered
    }
}

/// A journal file could not be created.
struct JournalError: Error, CustomStringConvertible {
    let path: String
    let operation: String
    let code: Int32

    var description: String { "acknowledgement journal \(path): \(operation) failed: \(String(cString: strerror(code)))" }
}
