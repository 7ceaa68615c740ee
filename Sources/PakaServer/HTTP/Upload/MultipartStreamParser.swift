/// A streaming `multipart/form-data` parser (RFC 7578 over RFC 2046) that cannot trap on input.
///
/// Why not multipart-kit's `MultipartParser`: version 4.7.1 indexes a 128-entry table with any
/// header-name byte, so one byte ≥ 0x80 in a part header (`Ö` in a fuzzed body) killed the whole
/// host. This parser touches bytes only through bounds-checked searches, caps what it buffers,
/// and answers every malformed input with a `Malformed` error that says what was wrong.
///
/// Feed it chunks with `feed(_:)`, then call `finish()`; it calls `onPart` when a part's headers
/// are complete, `onBody` with the part's bytes (possibly several times), `onPartEnd` after each.
struct MultipartStreamParser {
    struct Malformed: Error, Equatable, CustomStringConvertible {
        var description: String
    }

    /// RFC 2046: 1 to 70 characters.
    static let maximumBoundaryLength = 70
    /// One part's header block; a form field needs a few hundred bytes.
    static let maximumHeaderBytes = 16 * 1024

    var onPart: ([String: String]) throws -> Void = { _ in }
    var onBody: (ArraySlice<UInt8>) throws -> Void = { _ in }
    var onPartEnd: () throws -> Void = {}

    private enum State {
        /// Before the first delimiter; its bytes are ignored.
        case preamble
        /// Just after a delimiter: `--` closes the body, optional blanks and CRLF open a part.
        case afterDelimiter
        case headers
        case body
        /// After the closing delimiter; its bytes are ignored.
        case epilogue
    }

    /// `\r\n--boundary`: every delimiter but the first is preceded by CRLF, which belongs to it.
    private let delimiter: [UInt8]
    private var pending: [UInt8]
    private var state = State.preamble

    init(boundary: String) throws(Malformed) {
        let bytes = Array(boundary.utf8)
        guard !bytes.isEmpty, bytes.count <= Self.maximumBoundaryLength else {
            throw Malformed(description: "the multipart boundary must be 1 to \(Self.maximumBoundaryLength) characters")
        }
        delimiter = Array("\r\n--".utf8) + bytes
        // The first delimiter may start the body without a CRLF: pretend one came before it.
        pending = [13, 10]
    }

    /// True once the closing delimiter was seen.
    var isComplete: Bool { if case .epilogue = state { true } else { false } }

    mutating func feed(_ bytes: some Sequence<UInt8>) throws {
        if case .epilogue = state { return }
        pending.append(contentsOf: bytes)
        var start = 0
        defer { pending.removeFirst(min(start, pending.count)) }
        while start < pending.count {
            let progressed: Int
            switch state {
            case .preamble:
                progressed = skipPreamble(from: start)
            case .afterDelimiter:
                progressed = try readDelimiterEnd(from: start)
            case .headers:
                progressed = try readHeaders(from: start)
            case .body:
                progressed = try readBody(from: start)
            case .epilogue:
                start = pending.count
                return
            }
            guard progressed > 0 else { return }
            start += progressed
        }
    }

    /// Throws unless the closing delimiter arrived: a body cut short is malformed.
    func finish() throws(Malformed) {
        guard isComplete else {
            throw Malformed(description: "multipart body ended before its closing boundary (--boundary--)")
        }
    }

    // MARK: States

    private mutating func skipPreamble(from start: Int) -> Int {
        if let found = find(delimiter, from: start) {
            state = .afterDelimiter
            return found - start + delimiter.count
        }
        // Keep what could be the beginning of a delimiter split across chunks.
        return max(0, pending.count - start - (delimiter.count - 1))
    }

    private mutating func readDelimiterEnd(from start: Int) throws -> Int {
        var index = start
        guard index + 1 < pending.count else { return 0 }
        if pending[index] == 45, pending[index + 1] == 45 {  // "--"
            state = .epilogue
            return 2
        }
        // RFC 2046 allows transport padding (blanks) before the CRLF.
        while index < pending.count, pending[index] == 32 || pending[index] == 9 { index += 1 }
        guard index + 1 < pending.count else {
            guard index - start <= 64 else { throw Malformed(description: "multipart delimiter line is too long") }
            return 0
        }
        guard pending[index] == 13, pending[index + 1] == 10 else {
            throw Malformed(description: "multipart delimiter must be followed by CRLF or '--'")
        }
        state = .headers
        return index + 2 - start
    }

    private mutating func readHeaders(from start: Int) throws -> Int {
        // An empty header block is a lone CRLF.
        if pending.count - start >= 2, pending[start] == 13, pending[start + 1] == 10 {
            try startPart([:])
            return 2
        }
        guard let end = find([13, 10, 13, 10], from: start) else {
            guard pending.count - start <= Self.maximumHeaderBytes else {
                throw Malformed(description: "multipart part headers are larger than \(Self.maximumHeaderBytes) bytes")
            }
            return 0
        }
        guard end - start <= Self.maximumHeaderBytes else {
            throw Malformed(description: "multipart part headers are larger than \(Self.maximumHeaderBytes) bytes")
        }
        var headers: [String: String] = [:]
        for line in pending[start..<end].split(separator: 10, omittingEmptySubsequences: false) {
            let (name, value) = try Self.header(line.last == 13 ? line.dropLast() : line)
            headers[name] = value
        }
        try startPart(headers)
        return end + 4 - start
    }

    private mutating func readBody(from start: Int) throws -> Int {
        if let found = find(delimiter, from: start) {
            if found > start { try onBody(pending[start..<found]) }
            try onPartEnd()
            state = .afterDelimiter
            return found - start + delimiter.count
        }
        let safe = max(0, pending.count - start - (delimiter.count - 1))
        if safe > 0 { try onBody(pending[start..<(start + safe)]) }
        return safe
    }

    private mutating func startPart(_ headers: [String: String]) throws {
        state = .body
        try onPart(headers)
    }

    // MARK: Helpers

    /// `Name: value` with an RFC 7230 token as name (lower-cased); the value is trimmed UTF-8.
    private static func header(_ line: ArraySlice<UInt8>) throws(Malformed) -> (String, String) {
        guard let colon = line.firstIndex(of: 58), colon > line.startIndex else {
            throw Malformed(description: "multipart part header line has no 'Name:'")
        }
        let name = line[line.startIndex..<colon]
        guard name.allSatisfy(isTokenCharacter) else {
            throw Malformed(description: "multipart part header name contains a character not allowed in a header name")
        }
        let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingBlanks()
        return (String(decoding: name, as: UTF8.self).lowercased(), value)
    }

    /// RFC 7230 `tchar`: visible ASCII except separators.
    private static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case 48...57, 65...90, 97...122: true  // digits, letters
        case 33, 35, 36, 37, 38, 39, 42, 43, 45, 46, 94, 95, 96, 124, 126: true  // !#$%&'*+-.^_`|~
        default: false
        }
    }

    /// First index ≥ `from` where `needle` starts in `pending`, nil when absent.
    private func find(_ needle: [UInt8], from: Int) -> Int? {
        guard let first = needle.first, pending.count - from >= needle.count else { return nil }
        var index = from
        let last = pending.count - needle.count
        while index <= last {
            guard let candidate = pending[index...last].firstIndex(of: first) else { return nil }
            if pending[candidate..<(candidate + needle.count)].elementsEqual(needle) { return candidate }
            index = candidate + 1
        }
        return nil
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    fileprivate func trimmingBlanks() -> String {
        var view = Substring(self)
        while view.first == " " || view.first == "\t" { view = view.dropFirst() }
        while view.last == " " || view.last == "\t" { view = view.dropLast() }
        return String(view)
    }
}
