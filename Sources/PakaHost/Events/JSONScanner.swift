/// A strict RFC 8259 validator that also picks out chosen top-level string members.
///
/// Why not JSONDecoder: the consumer must reject poison (anything that is not JSON) before a
/// plugin sees it, and decoding three attributes with JSONDecoder costs ~17 µs per event —
/// most of the host's per-event budget (measured in scripts/bench). This single pass costs
/// well under a microsecond for a typical envelope.
struct JSONScanner {
    enum Failure: Error, Equatable { case notJSON, notAnObject }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private static let maxDepth = 256

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// Validates `document` and returns the top-level members named in `names` that are strings.
    static func topLevelStrings(_ names: Set<String>, in document: [UInt8]) -> Result<[String: String], Failure> {
        document.withUnsafeBufferPointer { buffer in
            var scanner = JSONScanner(buffer)
            scanner.skipWhitespace()
            guard scanner.peek == UInt8(ascii: "{") else {
                return scanner.value(depth: 0) && scanner.atEnd ? .failure(.notAnObject) : .failure(.notJSON)
            }
            var found: [String: String] = [:]
            guard scanner.object(depth: 0, capture: names, into: &found), scanner.atEnd else { return .failure(.notJSON) }
            return .success(found)
        }
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
        var ignored: [String: String] = [:]
        switch b {
        case UInt8(ascii: "{"): return object(depth: depth, capture: [], into: &ignored)
        case UInt8(ascii: "["): return array(depth: depth)
        case UInt8(ascii: "\""): return string(decode: false) != nil
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        default: return number()
        }
    }

    private mutating func object(depth: Int, capture names: Set<String>, into found: inout [String: String]) -> Bool {
        guard expect(UInt8(ascii: "{")) else { return false }
        skipWhitespace()
        if expect(UInt8(ascii: "}")) { return true }
        while true {
            skipWhitespace()
            guard let key = string(decode: !names.isEmpty) else { return false }
            skipWhitespace()
            guard expect(UInt8(ascii: ":")) else { return false }
            skipWhitespace()
            if !names.isEmpty, names.contains(key), peek == UInt8(ascii: "\"") {
                guard let text = string(decode: true) else { return false }
                found[key] = text
            } else if !value(depth: depth + 1) {
                return false
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

    /// Validates a string literal; returns its decoded text ("" when `decode` is false), or nil.
    private mutating func string(decode: Bool) -> String? {
        guard expect(UInt8(ascii: "\"")) else { return nil }
        var text: [UInt8] = []
        while let b = peek {
            index += 1
            switch b {
            case UInt8(ascii: "\""):
                return decode ? String(decoding: text, as: UTF8.self) : ""
            case UInt8(ascii: "\\"):
                guard let escaped = peek else { return nil }
                index += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): text.append(escaped)
                case UInt8(ascii: "b"): text.append(0x08)
                case UInt8(ascii: "f"): text.append(0x0C)
                case UInt8(ascii: "n"): text.append(0x0A)
                case UInt8(ascii: "r"): text.append(0x0D)
                case UInt8(ascii: "t"): text.append(0x09)
                case UInt8(ascii: "u"):
                    guard let scalar = unicodeEscape() else { return nil }
                    if decode { text += Array(String(Character(scalar)).utf8) }
                default: return nil
                }
            case 0..<0x20:
                return nil  // control characters must be escaped
            default:
                if decode { text.append(b) }
            }
        }
        return nil
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
