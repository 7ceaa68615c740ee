import Foundation
import PakaJSON

/// A CloudEvents 1.0 structured-mode JSON envelope: what travels on every Paka topic.
public struct CloudEvent: Sendable, Equatable {
    public var id: String
    public var source: String
    public var type: String
    public var time: Date
    public var subject: String
    /// The `data` member, raw JSON.
    public var data: [UInt8]

    public init(id: String = EventID.random(), source: String, type: String, time: Date = Date(), subject: String, data: [UInt8]) {
        self.id = id
        self.source = source
        self.type = type
        self.time = time
        self.subject = subject
        self.data = data
    }

    public var topic: String { type }

    public enum DecodingFailure: Error, Equatable, CustomStringConvertible {
        case notJSON
        case notAnObject
        case missing(String)
        public var description: String {
            switch self {
            case .notJSON: "payload is not valid JSON (UTF-8)"
            case .notAnObject: "payload is not a JSON object"
            case .missing(let field): "CloudEvent attribute '\(field)' is missing or not a string"
            }
        }
    }

    /// Checks that `data` is one JSON value (what the host table promises plugins).
    public static func isJSONValue(_ data: [UInt8]) -> Bool {
        // A yes/no question: the parse error's detail is not needed by any caller.
        !data.isEmpty && (try? JSONSerialization.jsonObject(with: Data(data), options: [.fragmentsAllowed])) != nil
    }

    /// The envelope, with `data` embedded verbatim. Built by hand: it runs once per published
    /// event, and a JSONEncoder plus a date formatter per field cost more than the produce call.
    public var jsonBytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(192 + id.utf8.count + source.utf8.count + type.utf8.count + subject.utf8.count + data.count)
        Self.appendLiteral(#"{"specversion":"1.0","id":"#, to: &out)
        Self.appendQuoted(id, to: &out)
        Self.appendLiteral(#","source":"#, to: &out)
        Self.appendQuoted(source, to: &out)
        Self.appendLiteral(#","type":"#, to: &out)
        Self.appendQuoted(type, to: &out)
        Self.appendLiteral(#","time":""#, to: &out)
        EnvelopeTime.append(time, to: &out)
        Self.appendLiteral(#"","subject":"#, to: &out)
        Self.appendQuoted(subject, to: &out)
        Self.appendLiteral(#","datacontenttype":"application/json","data":"#, to: &out)
        out += data.isEmpty ? Array("null".utf8) : data
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// Appends a fixed piece of the envelope as one copy (`+= "…".utf8` goes byte by byte).
    private static func appendLiteral(_ text: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Appends `text` as a JSON string literal (RFC 8259 escaping).
    package static func appendQuoted(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Ids, sources, types and subjects almost never need escaping: scan the contiguous UTF-8
        // and copy it in one go (iterating `String.UTF8View` byte by byte cost ~5 % of a publish).
        var text = text
        let copied = text.withUTF8 { utf8 -> Bool in
            if utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) { return false }
            out.append(contentsOf: utf8)
            return true
        }
        if copied {
            out.append(UInt8(ascii: "\""))
            return
        }
        let hex: StaticString = "0123456789abcdef"
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "\\"))
            case 0x0A: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "r"))
            case 0x09: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "t"))
            case 0..<0x20:
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), 0x30, 0x30])
                out.append(hex.utf8Start[Int(byte >> 4)])
                out.append(hex.utf8Start[Int(byte & 0xF)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// The required context attributes, for the consumer's hot path: validates the whole
    /// document as JSON in one pass but decodes only three strings (no copy of `data`).
    public static func requiredAttributes(of bytes: [UInt8]) -> Result<(id: String, type: String, source: String), DecodingFailure> {
        var found: (id: String?, type: String?, source: String?)
        switch JSONScanner.scan(bytes, capturing: requiredNames, { index, text in
            switch index {
            case 0: found.id = text
            case 1: found.type = text
            default: found.source = text
            }
        }) {
        case .notAnObject: return .failure(.notAnObject)
        case .notJSON: return .failure(.notJSON)
        case nil:
            guard let id = found.id, !id.isEmpty else { return .failure(.missing("id")) }
            guard let type = found.type, !type.isEmpty else { return .failure(.missing("type")) }
            guard let source = found.source, !source.isEmpty else { return .failure(.missing("source")) }
            return .success((id, type, source))
        }
    }

    private static let requiredNames = ["id", "type", "source"].map { Array($0.utf8) }

    /// The consumer's poison check: the same verdict as ``requiredAttributes(of:)`` (the whole
    /// document validated, `id`, `type` and `source` non-empty strings) but only `id` is decoded.
    ///
    /// Why: it runs once per consumed event, and building the `type` and `source` Strings only
    /// to see that they are not empty was a share of the check. A validated string literal is
    /// empty exactly when nothing lies between its quotes (every escape decodes to something).
    public static func validatedId(of bytes: [UInt8]) -> Result<String, DecodingFailure> {
        bytes.withUnsafeBufferPointer { buffer in
            switch JSONScanner.members(requiredNames, inObject: 0..<buffer.count, of: buffer) {
            case .failure(.notAnObject): return .failure(.notAnObject)
            case .failure(.notJSON): return .failure(.notJSON)
            case .success(let ranges):
                func isNonEmptyString(_ range: Range<Int>?) -> Bool {
                    guard let range else { return false }
                    return buffer[range.lowerBound] == UInt8(ascii: "\"") && range.count > 2
                }
                guard isNonEmptyString(ranges[0]), let id = ranges[0] else { return .failure(.missing("id")) }
                guard isNonEmptyString(ranges[1]) else { return .failure(.missing("type")) }
                guard isNonEmptyString(ranges[2]) else { return .failure(.missing("source")) }
                return .success(JSONScanner.string(id, of: buffer))
            }
        }
    }

    /// Parses an envelope: `id`, `type`, `source` required; poison payloads are reported, not thrown past the caller.
    public static func parse(_ bytes: [UInt8]) -> Result<CloudEvent, DecodingFailure> {
        // Foundation's parse errors say little more than "not JSON", which the failure reports.
        guard let root = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) else { return .failure(.notJSON) }
        guard let object = root as? [String: Any] else { return .failure(.notAnObject) }
        for field in ["id", "type", "source"] where (object[field] as? String)?.isEmpty ?? true {
            return .failure(.missing(field))
        }
        // Re-serialising what was just parsed cannot fail; a missing `data` is JSON null.
        let data = object["data"].flatMap { try? JSONSerialization.data(withJSONObject: $0, options: [.fragmentsAllowed]) }.map(Array.init) ?? Array("null".utf8)
        let time = (object["time"] as? String).flatMap { ISO8601DateFormatter.flexible($0) } ?? Date()
        return .success(CloudEvent(id: object["id"] as! String, source: object["source"] as! String, type: object["type"] as! String,
                                   time: time, subject: object["subject"] as? String ?? "", data: data))
    }
}

extension ISO8601DateFormatter {
    /// An RFC 3339 time with or without fractional seconds (Foundation's ISO-8601 format styles),
    /// each field in its range (Foundation alone rolls `T25:00:00Z` over into the next day).
    public static func flexible(_ text: String) -> Date? {
        guard ISO8601Fields.areInRange(text) else { return nil }
        // Two formats tried in turn: a parse error only means "not this one"; nil when neither.
        return (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)) ?? (try? Date.ISO8601FormatStyle().parse(text))
    }
}
