import Foundation
import PakaPipeline
import PakaPluginHost

/// Finds where things are in the raw text of a JSON document, so an edit can change one value
/// and leave everything else — key order, formatting, `${ENV}` placeholders — byte for byte.
///
/// Only locates; validation is `ConfigParser`'s job, so malformed input just yields nil.
struct RawJSONLocator {
    indirect enum Node {
        case object([(key: String, value: Node)], Range<Int>)
        case array([Node], Range<Int>)
        case string(String, Range<Int>)
        case scalar(Range<Int>)

        var range: Range<Int> {
            switch self {
            case .object(_, let r), .array(_, let r), .string(_, let r), .scalar(let r): r
            }
        }

        subscript(key: String) -> Node? {
            if case .object(let members, _) = self { return members.first { $0.key == key }?.value }
            return nil
        }
    }

    private let bytes: [UInt8]
    private var index = 0

    /// The whole document's tree, or nil when it is not JSON.
    static func parse(_ bytes: [UInt8]) -> Node? {
        var locator = RawJSONLocator(bytes: bytes)
        guard let root = locator.value(depth: 0) else { return nil }
        locator.skipWhitespace()
        return locator.index == bytes.count ? root : nil
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private mutating func skipWhitespace() {
        while index < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[index]) { index += 1 }
    }

    private mutating func value(depth: Int) -> Node? {
        guard depth < 64 else { return nil }
        skipWhitespace()
        guard index < bytes.count else { return nil }
        let start = index
        switch bytes[index] {
        case UInt8(ascii: "{"):
            index += 1
            var members: [(String, Node)] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object([], start..<index) }
            while true {
                skipWhitespace()
                guard case .string(let key, _)? = string() else { return nil }
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
                index += 1
                guard let member = value(depth: depth + 1) else { return nil }
                members.append((key, member))
                skipWhitespace()
                guard index < bytes.count else { return nil }
                index += 1
                if bytes[index - 1] == UInt8(ascii: "}") { return .object(members, start..<index) }
                guard bytes[index - 1] == UInt8(ascii: ",") else { return nil }
            }
        case UInt8(ascii: "["):
            index += 1
            var items: [Node] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array([], start..<index) }
            while true {
                guard let item = value(depth: depth + 1) else { return nil }
                items.append(item)
                skipWhitespace()
                guard index < bytes.count else { return nil }
                index += 1
                if bytes[index - 1] == UInt8(ascii: "]") { return .array(items, start..<index) }
                guard bytes[index - 1] == UInt8(ascii: ",") else { return nil }
            }
        case UInt8(ascii: "\""):
            return string()
        default:
            // true, false, null, numbers: up to the next delimiter.
            while index < bytes.count, !",}] \n\r\t".utf8.contains(bytes[index]) { index += 1 }
            return index > start ? .scalar(start..<index) : nil
        }
    }

    private mutating func string() -> Node? {
        let start = index
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
        index += 1
        while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
            index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
        }
        guard index < bytes.count else { return nil }
        index += 1
        // An invalid escape makes this not a string value: nil is this locator's "not found",
        // and the caller's full parse reports the malformed JSON.
        guard let text = try? JSONDecoder().decode(String.self, from: Data(bytes[start..<index])) else { return nil }
        return .string(text, start..<index)
    }
}
