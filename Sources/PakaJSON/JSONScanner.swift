import Glibc

/// A strict RFC 8259 validator that says where chosen members' values lie, shared by the host
/// (the consumer's poison check, once per event) and plugins (the audit logger reads its events
/// with it), so neither builds a dictionary of a document to look at three of its members.
///
/// Why not JSONDecoder / JSONSerialization: decoding three attributes cost ~17 µs per event in
/// the host and ~24 µs in the audit plugin — most of each one's per-event budget (scripts/bench);
/// this single pass costs well under a microsecond for a typical envelope.
///
/// Input must be valid UTF-8 (callers check it first): string contents are scanned eight bytes
/// at a time without looking inside multi-byte characters.
public struct JSONScanner {
    public enum Failure: Error, Equatable { case notJSON, notAnObject }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index: Int
    private static let maxDepth = 256

    private init(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int = 0) {
        self.bytes = bytes
        self.index = index
    }

    /// Validates that `range` of `bytes` is exactly one JSON value (whitespace aside) and an
    /// object; returns where the values of the members named `names[i]` lie (nil for an absent
    /// one; a repeated name's last value wins).
    ///
    /// Why names as bytes and ranges: this runs once per consumed event, so member names are
    /// compared in place (no String per key) and only the values a caller keeps are decoded.
    public static func members(_ names: [[UInt8]], inObject range: Range<Int>, of bytes: UnsafeBufferPointer<UInt8>) -> Result<[Range<Int>?], Failure> {
        var scanner = JSONScanner(UnsafeBufferPointer(rebasing: bytes[..<range.upperBound]), at: range.lowerBound)
        scanner.skipWhitespace()
        guard scanner.peek == UInt8(ascii: "{") else {
            return .failure(scanner.value(depth: 0) && scanner.atEnd ? .notAnObject : .notJSON)
        }
        var found = [Range<Int>?](repeating: nil, count: names.count)
        guard scanner.object(depth: 0, capture: names, into: &found), scanner.atEnd else { return .failure(.notJSON) }
        return .success(found)
    }

    /// The text of the string literal spanning `range` (quotes included), a range `members`
    /// returned for a value that starts with `"`.
    public static func string(_ range: Range<Int>, of bytes: UnsafeBufferPointer<UInt8>) -> String {
        let content = (range.lowerBound + 1)..<(range.upperBound - 1)
        return JSONScanner(bytes).decode(StringToken(content: content, escaped: bytes[content].contains(UInt8(ascii: "\\"))))
    }

    /// Validates `document`; for each top-level member whose name is `names[i]` and whose value is
    /// a string, calls `found(i, value)`. nil when the document is JSON and an object.
    public static func scan(_ document: [UInt8], capturing names: [[UInt8]], _ found: (Int, String) -> Void) -> Failure? {
        document.withUnsafeBufferPointer { buffer in
            switch members(names, inObject: 0..<buffer.count, of: buffer) {
            case .failure(let failure): return failure
            case .success(let ranges):
                for (i, range) in ranges.enumerated() {
                    if let range, buffer[range.lowerBound] == UInt8(ascii: "\"") { found(i, string(range, of: buffer)) }
                }
                return nil
            }
        }
    }

    /// Validates `document` and returns the top-level members named in `names` that are strings.
    public static func topLevelStrings(_ names: Set<String>, in document: [UInt8]) -> Result<[String: String], Failure> {
        let ordered = Array(names)
        var found: [String: String] = [:]
        let failure = scan(document, capturing: ordered.map { Array($0.utf8) }) { found[ordered[$0]] = $1 }
        return failure.map { .failure($0) } ?? .success(found)
    }

    private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    private var atEnd: Bool {
        mutating get {
            skipWhitespace()
            return index == bytes.count
        }
    }

    private mutating func skipWhitespace() {
        while let b = peek, b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { index += 1 }
    }

    private mutating func expect(_ byte: UInt8) -> Bool {
        guard peek == byte else { return false }
        index += 1
        return true
    }

    private mutating func value(depth: Int) -> Bool {
        skipWhitespace()
        guard let b = peek, depth < Self.maxDepth else { return false }
        switch b {
        case UInt8(ascii: "{"):
            var none: [Range<Int>?] = []
            return object(depth: depth, capture: [], into: &none)
        case UInt8(ascii: "["): return array(depth: depth)
        case UInt8(ascii: "\""): return string() != nil
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        default: return number()
        }
    }

    private mutating func object(depth: Int, capture names: [[UInt8]], into found: inout [Range<Int>?]) -> Bool {
        guard expect(UInt8(ascii: "{")) else { return false }
        skipWhitespace()
        if expect(UInt8(ascii: "}")) { return true }
        while true {
            skipWhitespace()
            guard let key = string() else { return false }
            skipWhitespace()
            guard expect(UInt8(ascii: ":")) else { return false }
            skipWhitespace()
            let start = index
            guard value(depth: depth + 1) else { return false }
            // A plain loop, not `firstIndex(where:)`: its closure cost a retain and release per member.
            for wanted in names.indices where matches(key, names[wanted]) {
                found[wanted] = start..<index
                break
            }
            skipWhitespace()
            if expect(UInt8(ascii: "}")) { return true }
            guard expect(UInt8(ascii: ",")) else { return false }
        }
    }

    private mutating func array(depth: Int) -> Bool {
        guard expect(UInt8(ascii: "[")) else { return false }
        skipWhitespace()
        if expect(UInt8(ascii: "]")) { return true }
        while true {
            guard value(depth: depth + 1) else { return false }
            skipWhitespace()
            if expect(UInt8(ascii: "]")) { return true }
            guard expect(UInt8(ascii: ",")) else { return false }
        }
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        for i in 0..<count where bytes[index + i] != word.utf8Start[i] { return false }
        index += count
        return true
    }

    private mutating func number() -> Bool {
        let start = index
        _ = expect(UInt8(ascii: "-"))
        guard let first = peek, isDigit(first) else { return false }
        index += 1
        if first != UInt8(ascii: "0") { while let d = peek, isDigit(d) { index += 1 } }
        if expect(UInt8(ascii: ".")) {
            guard let d = peek, isDigit(d) else { return false }
            while let d = peek, isDigit(d) { index += 1 }
        }
        if let e = peek, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            index += 1
            if let sign = peek, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { index += 1 }
            guard let d = peek, isDigit(d) else { return false }
            while let d = peek, isDigit(d) { index += 1 }
        }
        return index > start
    }

    private func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    /// A validated string literal: where its content lies (between the quotes) and whether it
    /// holds escapes, so callers decode only the strings they keep.
    private struct StringToken {
        var content: Range<Int>
        var escaped: Bool
    }

    /// Validates a string literal without decoding it; nil when it is not one.
    ///
    /// Most of an envelope's bytes are inside strings, so the plain-character run is scanned
    /// with a local index (kept in a register) and only escapes go through `self.index`.
    private mutating func string() -> StringToken? {
        guard expect(UInt8(ascii: "\"")) else { return nil }
        let start = index
        var escaped = false
        guard let base = bytes.baseAddress else { return nil }
        let end = bytes.count
        var i = index
        while i < end {
            if i + 8 <= end {
                // Jump straight to the first byte that ends, escapes or breaks the string (the
                // lowest flagged byte is exact; borrows only flag bytes above a true one).
                let special = Self.specialBytes(UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
                if special == 0 {
                    i += 8
                    continue
                }
                i += special.trailingZeroBitCount >> 3
            }
            let b = base[i]
            i += 1
            if b == UInt8(ascii: "\"") {
                index = i
                return StringToken(content: start..<(i - 1), escaped: escaped)
            }
            if b < 0x20 { return nil }  // control characters must be escaped
            guard b == UInt8(ascii: "\\") else { continue }
            guard i < end else { return nil }
            let e = base[i]
            i += 1
            escaped = true
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                 UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                break
            case UInt8(ascii: "u"):
                index = i
                guard unicodeEscape() != nil else { return nil }
                i = index
            default: return nil
            }
        }
        return nil
    }

    /// The high bit of each of eight bytes (little-endian) that ends or escapes a string or is a
    /// control character, 0 when all are plain (SWAR: a byte equal to the pattern, or below 0x20,
    /// sets its high bit). A borrow can also flag a byte above a flagged one, never below, so the
    /// lowest flag is exact. Bytes of multi-byte UTF-8 characters count as plain; the payload's
    /// UTF-8 was validated before.
    private static func specialBytes(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        func zeroByte(_ x: UInt64) -> UInt64 { (x &- ones) & ~x & highs }
        let quote = zeroByte(word ^ (ones &* 0x22))
        let backslash = zeroByte(word ^ (ones &* 0x5C))
        let control = (word &- ones &* 0x20) & ~word & highs
        return quote | backslash | control
    }

    /// Whether a member name equals `name` (given as UTF-8).
    private func matches(_ key: StringToken, _ name: [UInt8]) -> Bool {
        if key.escaped { return Array(decode(key).utf8) == name }
        guard key.content.count == name.count else { return false }
        return name.withUnsafeBufferPointer { memcmp(bytes.baseAddress! + key.content.lowerBound, $0.baseAddress!, $0.count) == 0 }
    }

    /// The text of a string the scanner already validated.
    private func decode(_ token: StringToken) -> String {
        let raw = UnsafeBufferPointer(rebasing: bytes[token.content])
        guard token.escaped else { return String(decoding: raw, as: UTF8.self) }
        var text: [UInt8] = []
        text.reserveCapacity(raw.count)
        var decoder = JSONScanner(raw)
        while let b = decoder.peek {
            decoder.index += 1
            guard b == UInt8(ascii: "\\"), let e = decoder.peek else { text.append(b); continue }
            decoder.index += 1
            switch e {
            case UInt8(ascii: "b"): text.append(0x08)
            case UInt8(ascii: "f"): text.append(0x0C)
            case UInt8(ascii: "n"): text.append(0x0A)
            case UInt8(ascii: "r"): text.append(0x0D)
            case UInt8(ascii: "t"): text.append(0x09)
            case UInt8(ascii: "u"): text += decoder.unicodeEscape().map { Array(String(Character($0)).utf8) } ?? []
            default: text.append(e)  // \" \\ \/
            }
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// `\uXXXX`, with a following `\uXXXX` low surrogate when the first is a high one.
    private mutating func unicodeEscape() -> Unicode.Scalar? {
        guard let high = hex4() else { return nil }
        if (0xD800...0xDBFF).contains(high) {
            guard expect(UInt8(ascii: "\\")), expect(UInt8(ascii: "u")), let low = hex4(), (0xDC00...0xDFFF).contains(low) else { return nil }
            return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
        }
        return Unicode.Scalar(high)  // nil for a lone low surrogate
    }

    private mutating func hex4() -> UInt32? {
        guard index + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[index]
            index += 1
            let digit: UInt8
            switch b {
            case 0x30...0x39: digit = b - 0x30
            case 0x41...0x46: digit = b - 0x41 + 10
            case 0x61...0x66: digit = b - 0x61 + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }
}
