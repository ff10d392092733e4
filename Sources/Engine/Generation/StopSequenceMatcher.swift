/// Finds stop sequences in streamed text, holding back any tail that might be the start
/// of one, so text after a stop sequence is never emitted.
struct StopSequenceMatcher: Sendable {
    private let stops: [[UInt8]]
    private var held: [UInt8] = []

    /// Watches for `stops` (none: everything passes straight through).
    init(stops: [String]) { self.stops = stops.map { Array($0.utf8) } }

    /// Adds complete UTF-8 `text`; returns what is safe to emit and whether a stop
    /// sequence was found (the emitted text then ends just before it).
    mutating func feed(_ text: String) -> (text: String, stopped: Bool) {
        guard !stops.isEmpty else { return (text, false) }
        held.append(contentsOf: text.utf8)
        if let cut = earliestStop() {
            defer { held.removeAll() }
            return (String(decoding: held[..<cut], as: UTF8.self), true)
        }
        let keep = longestPartialStop()
        let emit = String(decoding: held[..<(held.count - keep)], as: UTF8.self)
        held.removeFirst(held.count - keep)
        return (emit, false)
    }

    /// The text held back at the end of generation.
    mutating func flush() -> String {
        defer { held.removeAll() }
        return String(decoding: held, as: UTF8.self)
    }

    private func earliestStop() -> Int? {
        var earliest: Int?
        for stop in stops where stop.count <= held.count {
            for start in 0...(held.count - stop.count) where held[start] == stop[0] {
                if held[start..<start + stop.count].elementsEqual(stop) {
                    earliest = min(earliest ?? start, start)
                    break
                }
            }
        }
        return earliest
    }

    /// Length of the longest suffix of `held` that is a proper prefix of a stop sequence.
    private func longestPartialStop() -> Int {
        var longest = 0
        for stop in stops {
            for length in stride(from: min(stop.count - 1, held.count), to: longest, by: -1)
            where held[(held.count - length)...].elementsEqual(stop[..<length]) {
                longest = length
                break
            }
        }
        return longest
    }
}
