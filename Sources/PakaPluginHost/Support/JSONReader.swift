/// JSON (RFC 8259, plus the one trailing comma `JSONDecoder` tolerates) to `JSONValue`, in one
/// pass over the bytes.
///
/// Why not `JSONDecoder`: decoding the generic `JSONValue` through `Decodable` tries each type in
/// turn and throws on every miss; it was 11 % of the publish route's CPU (perf, release,
/// wrk -c64). This reader accepts exactly what `JSONDecoder` accepts — a differential test
/// (`JSONReaderTests`) runs both on thousands of mutated documents — and never traps: every
/// index is checked, nesting is capped at `maximumDepth`.
struct JSONReader {
    struct Invalid: Error {}

    static let maximumDepth = 512

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    static func parse(_ input: some Collection<UInt8>) throws(Invalid) -> JSONValue {
        // `Invalid` carries nothing: the `try?`s only move it across the closures; nil rethrows it below.
        let result: JSONValue? = input.withContiguousStorageIfAvailable { buffer in
            var reader = JSONReader(bytes: buffer)
            return try? reader.document()
        } ?? Array(input).withUnsafeBufferPointer { buffer in
            var reader = JSONReader(bytes: buffer)
            return try? reader.document()
        }
        guard let result else { throw Invalid() }
        return result
    }

    private init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    private mutating func document() throws(Invalid) -> JSONValue {
        let value = try value(depth: 0)
        skipWhitespace()
        guard index == bytes.count else { throw Invalid() }
        return value
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
    }

    private mutating func value(depth: Int) throws(Invalid) -> JSONValue {
        guard depth < Self.maximumDepth else { throw Invalid() }
        skipWhitespace()
        switch current {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case .some(let byte) where byte == UInt8(ascii: "-") || (byte >= 0x30 && byte <= 0x39): return .number(try number())
        default: throw Invalid()
        }
    }

    private mutating func object(depth: Int) throws(Invalid) -> JSONValue {
        index += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if current == UInt8(ascii: "}") { index += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw Invalid() }
            let key = try string()
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw Invalid() }
            index += 1
            let member = try value(depth: depth + 1)
            if members[key] == nil { members[key] = member }  // JSONDecoder keeps the first of duplicates
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","):
                index += 1
                // JSONDecoder accepts one trailing comma; so does this reader.
                skipWhitespace()
                if current == UInt8(ascii: "}") { index += 1; return .object(members) }
            case UInt8(ascii: "}"): index += 1; return .object(members)
            default: throw Invalid()
            }
        }
    }

    private mutating func array(depth: Int) throws(Invalid) -> JSONValue {
        index += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") { index += 1; return .array(items) }
        while true {
            items.append(try value(depth: depth + 1))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","):
                index += 1
                skipWhitespace()
                if current == UInt8(ascii: "]") { index += 1; return .array(items) }
            case UInt8(ascii: "]"): index += 1; return .array(items)
            default: throw Invalid()
            }
        }
    }

    private mutating func literal(_ word: StaticString) throws(Invalid) {
        let count = word.utf8CodeUnitCount
        guard bytes.count - index >= count else { throw Invalid() }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { throw Invalid() }
        index += count
    }

    /// RFC 8259 number grammar; the value must be a finite Double.
    private mutating func number() throws(Invalid) -> Double {
        let start = index
        if current == UInt8(ascii: "-") { index += 1 }
        guard let first = current, first >= 0x30 && first <= 0x39 else { throw Invalid() }
        index += 1
        if first != 0x30 { skipDigits() }
        if current == UInt8(ascii: ".") {
            index += 1
            guard try digits() > 0 else { throw Invalid() }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard try digits() > 0 else { throw Invalid() }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else { throw Invalid() }
        return value
    }

    private mutating func skipDigits() { while let byte = current, byte >= 0x30 && byte <= 0x39 { index += 1 } }

    private mutating func digits() throws(Invalid) -> Int {
        let start = index
        skipDigits()
        return index - start
    }

    /// A string with its escapes decoded; invalid UTF-8, control characters and lone surrogates
    /// are refused.
    private mutating func string() throws(Invalid) -> String {
        index += 1
        let start = index
        // Fast path: no escape before the closing quote.
        while let byte = current, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") {
            guard byte >= 0x20 else { throw Invalid() }
            index += 1
        }
        guard let stop = current else { throw Invalid() }
        var scalars = try Self.validated(UnsafeBufferPointer(rebasing: bytes[start..<index]))
        if stop == UInt8(ascii: "\"") {
            index += 1
            return scalars
        }
        while true {
            guard let byte = current else { throw Invalid() }
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return scalars
            case UInt8(ascii: "\\"):
                index += 1
                scalars.unicodeScalars.append(try escape())
            default:
                let runStart = index
                while let next = current, next != UInt8(ascii: "\""), next != UInt8(ascii: "\\") {
                    guard next >= 0x20 else { throw Invalid() }
                    index += 1
                }
                scalars += try Self.validated(UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
            }
        }
    }

    private static func validated(_ run: UnsafeBufferPointer<UInt8>) throws(Invalid) -> String {
        guard let text = String(validating: run, as: UTF8.self) else { throw Invalid() }
        return text
    }

    private mutating func escape() throws(Invalid) -> Unicode.Scalar {
        guard let byte = current else { throw Invalid() }
        index += 1
        switch byte {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let unit = try hex4()
            if (0xD800...0xDBFF).contains(unit) {
                guard current == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") else { throw Invalid() }
                index += 2
                let low = try hex4()
                guard (0xDC00...0xDFFF).contains(low), let scalar = Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)) else {
                    throw Invalid()
                }
                return scalar
            }
            guard let scalar = Unicode.Scalar(unit) else { throw Invalid() }
            return scalar
        default:
            throw Invalid()
        }
    }

    private mutating func hex4() throws(Invalid) -> UInt32 {
        guard bytes.count - index >= 4 else { throw Invalid() }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case 0x30...0x39: digit = UInt32(byte - 0x30)
            case 0x41...0x46: digit = UInt32(byte - 0x41 + 10)
            case 0x61...0x66: digit = UInt32(byte - 0x61 + 10)
            default: throw Invalid()
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }
}
