/// A strict RFC 8259 reader: validates a JSON object in one pass and says where the values of
/// chosen members lie, so an audit event is checked without building a dictionary of it and
/// `details` is stored as sent rather than decoded and re-encoded.
///
/// Why not JSONSerialization: it built an NSDictionary of every envelope and then serialised
/// `details` again — ~24 µs per event, half the plugin's time in `scripts/bench --audit-only`
/// (as long as PostgreSQL took to store the rows); this pass takes ~2 µs.
struct JSONMembers {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index: Int
    private static let maxDepth = 256

    private init(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) {
        self.bytes = bytes
        self.index = index
    }

    /// The value ranges of `names` in the object spanning `range` of `bytes` (nil for a name
    /// that is absent; a repeated name's last value wins); nil when `range` is not exactly one
    /// valid JSON object, whitespace aside. `bytes` must be valid UTF-8.
    static func find(_ names: [StaticString], inObject range: Range<Int>, of bytes: UnsafeBufferPointer<UInt8>) -> [Range<Int>?]? {
        var reader = JSONMembers(UnsafeBufferPointer(rebasing: bytes[..<range.upperBound]), at: range.lowerBound)
        var found = [Range<Int>?](repeating: nil, count: names.count)
        reader.skipWhitespace()
        guard reader.object(depth: 0, names: names, found: &found), reader.atEnd else { return nil }
        return found
    }

    /// The text of the string literal spanning `range` (a range `find` returned).
    static func string(_ range: Range<Int>, of bytes: UnsafeBufferPointer<UInt8>) -> String {
        let inner = UnsafeBufferPointer(rebasing: bytes[(range.lowerBound + 1)..<(range.upperBound - 1)])
        guard inner.contains(UInt8(ascii: "\\")) else { return String(decoding: inner, as: UTF8.self) }
        var reader = JSONMembers(UnsafeBufferPointer(rebasing: bytes[..<range.upperBound]), at: range.lowerBound)
        var text: [UInt8] = []
        _ = reader.string(decode: true, into: &text)
        return String(decoding: text, as: UTF8.self)
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
        var none: [Range<Int>?] = []
        switch b {
        case UInt8(ascii: "{"): return object(depth: depth, names: [], found: &none)
        case UInt8(ascii: "["): return array(depth: depth)
        case UInt8(ascii: "\""):
            var ignored: [UInt8] = []
            return string(decode: false, into: &ignored)
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        default: return number()
        }
    }

    private mutating func object(depth: Int, names: [StaticString], found: inout [Range<Int>?]) -> Bool {
        guard expect(UInt8(ascii: "{")) else { return false }
        skipWhitespace()
        if expect(UInt8(ascii: "}")) { return true }
        while true {
            skipWhitespace()
            let keyStart = index
            var ignored: [UInt8] = []
            guard string(decode: false, into: &ignored) else { return false }
            let wanted = names.isEmpty ? nil : Self.name(keyStart..<index, of: bytes, in: names)
            skipWhitespace()
            guard expect(UInt8(ascii: ":")) else { return false }
            skipWhitespace()
            let valueStart = index
            guard value(depth: depth + 1) else { return false }
            if let wanted { found[wanted] = valueStart..<index }
            skipWhitespace()
            if expect(UInt8(ascii: "}")) { return true }
            guard expect(UInt8(ascii: ",")) else { return false }
        }
    }

    /// Which of `names` the key literal at `range` spells, if any (an escaped key is decoded first).
    private static func name(_ range: Range<Int>, of bytes: UnsafeBufferPointer<UInt8>, in names: [StaticString]) -> Int? {
        let raw = UnsafeBufferPointer(rebasing: bytes[(range.lowerBound + 1)..<(range.upperBound - 1)])
        if raw.contains(UInt8(ascii: "\\")) {
            let key = string(range, of: bytes)
            return names.firstIndex { key.utf8.elementsEqual(UnsafeBufferPointer(start: $0.utf8Start, count: $0.utf8CodeUnitCount)) }
        }
        return names.firstIndex { name in
            guard name.utf8CodeUnitCount == raw.count else { return false }
            for i in 0..<raw.count where raw[i] != name.utf8Start[i] { return false }
            return true
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
        _ = expect(UInt8(ascii: "-"))
        guard let first = peek, Self.isDigit(first) else { return false }
        index += 1
        if first != UInt8(ascii: "0") { while let d = peek, Self.isDigit(d) { index += 1 } }
        if expect(UInt8(ascii: ".")) {
            guard let d = peek, Self.isDigit(d) else { return false }
            while let d = peek, Self.isDigit(d) { index += 1 }
        }
        if let e = peek, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            index += 1
            if let sign = peek, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { index += 1 }
            guard let d = peek, Self.isDigit(d) else { return false }
            while let d = peek, Self.isDigit(d) { index += 1 }
        }
        return true
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    /// Validates a string literal, appending its decoded UTF-8 to `text` when `decode` is set.
    private mutating func string(decode: Bool, into text: inout [UInt8]) -> Bool {
        guard expect(UInt8(ascii: "\"")) else { return false }
        while let b = peek {
            index += 1
            switch b {
            case UInt8(ascii: "\""):
                return true
            case UInt8(ascii: "\\"):
                guard let escaped = peek else { return false }
                index += 1
                let decoded: UInt8
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded = escaped
                case UInt8(ascii: "b"): decoded = 0x08
                case UInt8(ascii: "f"): decoded = 0x0C
                case UInt8(ascii: "n"): decoded = 0x0A
                case UInt8(ascii: "r"): decoded = 0x0D
                case UInt8(ascii: "t"): decoded = 0x09
                case UInt8(ascii: "u"):
                    guard let scalar = unicodeEscape() else { return false }
                    if decode { text.append(contentsOf: String(Character(scalar)).utf8) }
                    continue
                default: return false
                }
                if decode { text.append(decoded) }
            case 0..<0x20:
                return false  // control characters must be escaped
            default:
                if decode { text.append(b) }
            }
        }
        return false
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
