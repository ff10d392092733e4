import Foundation

/// An incremental HTTP/1.1 request parser for ``MockTeacher``: feed it bytes as they arrive,
/// take complete requests out. Bodies may carry `Content-Length` or be chunked.
struct MockHTTPParser {
    /// A request that cannot be parsed.
    struct Malformed: Error {}

    /// The parsed parts of one request, before it is tied to a connection.
    struct Parsed {
        /// The method, e.g. `POST`.
        var method: String
        /// The request target.
        var path: String
        /// The protocol version, e.g. `HTTP/1.1`.
        var version: String
        /// The header fields in order.
        var headers: [(name: String, value: String)]
        /// The (de-chunked) body.
        var body: [UInt8]
    }

    private var buffer: [UInt8] = []

    /// Adds received bytes.
    mutating func append(_ bytes: ArraySlice<UInt8>) {
        buffer += bytes
    }

    /// The next complete request, `nil` when more bytes are needed.
    mutating func next() throws(Malformed) -> Parsed? {
        guard let headEnd = find([13, 10, 13, 10], in: buffer[...]) else { return nil }
        let head = String(decoding: buffer[..<headEnd], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count == 3 else { throw Malformed() }
        var headers: [(name: String, value: String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { throw Malformed() }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        let value = { (name: String) in headers.first { $0.name.lowercased() == name }?.value }
        let bodyStart = headEnd + 4
        let body: [UInt8]
        let consumed: Int
        if value("transfer-encoding")?.lowercased().contains("chunked") == true {
            guard let (decoded, end) = try decodeChunked(from: bodyStart) else { return nil }
            (body, consumed) = (decoded, end)
        } else {
            let length = Int(value("content-length") ?? "0") ?? -1
            guard length >= 0 else { throw Malformed() }
            guard buffer.count >= bodyStart + length else { return nil }
            (body, consumed) = (Array(buffer[bodyStart..<bodyStart + length]), bodyStart + length)
        }
        buffer.removeFirst(consumed)
        return Parsed(
            method: String(requestLine[0]), path: String(requestLine[1]), version: String(requestLine[2]),
            headers: headers, body: body)
    }

    /// Decodes a chunked body starting at `start`: the bytes and the index after the final
    /// CRLF, or `nil` when it is not complete yet (trailers are not supported).
    private func decodeChunked(from start: Int) throws(Malformed) -> ([UInt8], Int)? {
        var body: [UInt8] = []
        var position = start
        while true {
            guard let lineEnd = find([13, 10], in: buffer[position...]) else { return nil }
            let sizeText = String(decoding: buffer[position..<lineEnd], as: UTF8.self)
            guard let size = Int(sizeText.split(separator: ";").first.map(String.init) ?? "", radix: 16) else {
                throw Malformed()
            }
            let dataStart = lineEnd + 2
            guard buffer.count >= dataStart + size + 2 else { return nil }
            if size == 0 { return (body, dataStart + 2) }
            body += buffer[dataStart..<dataStart + size]
            position = dataStart + size + 2
        }
    }

    /// The index where `pattern` first occurs in `slice`.
    private func find(_ pattern: [UInt8], in slice: ArraySlice<UInt8>) -> Int? {
        guard slice.count >= pattern.count else { return nil }
        var index = slice.startIndex
        while index + pattern.count <= slice.endIndex {
            if slice[index] == pattern[0] && slice[index..<index + pattern.count].elementsEqual(pattern) {
                return index
            }
            index += 1
        }
        return nil
    }
}
