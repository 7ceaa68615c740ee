import Foundation

/// A CloudEvents 1.0 structured-mode JSON envelope: what travels on every Paka topic.
public struct CloudEvent: Sendable, Equatable {
    public var id: String
    public var source: String
    public var type: String
    public var time: Date
    public var subject: String
    /// The `data` member, raw JSON.
    public var data: [UInt8]

    public init(id: String = UUID().uuidString.lowercased(), source: String, type: String, time: Date = Date(), subject: String, data: [UInt8]) {
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
        !data.isEmpty && (try? JSONSerialization.jsonObject(with: Data(data), options: [.fragmentsAllowed])) != nil
    }

    /// The envelope, with `data` embedded verbatim.
    public var jsonBytes: [UInt8] {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        func quoted(_ s: String) -> String {
            String(decoding: (try? JSONEncoder().encode(s)) ?? Data("\"\"".utf8), as: UTF8.self)
        }
        var out = Array(#"{"specversion":"1.0","id":"#.utf8)
        out += Array(quoted(id).utf8)
        out += Array(#","source":"#.utf8) + Array(quoted(source).utf8)
        out += Array(#","type":"#.utf8) + Array(quoted(type).utf8)
        out += Array(#","time":"#.utf8) + Array(quoted(formatter.string(from: time)).utf8)
        out += Array(#","subject":"#.utf8) + Array(quoted(subject).utf8)
        out += Array(#","datacontenttype":"application/json","data":"#.utf8)
        out += data.isEmpty ? Array("null".utf8) : data
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// The required context attributes, for the consumer's hot path: validates the whole
    /// document as JSON but decodes only three strings (no copy of `data`).
    public static func requiredAttributes(of bytes: [UInt8]) -> Result<(id: String, type: String, source: String), DecodingFailure> {
        struct Attributes: Decodable { let id: String?; let type: String?; let source: String? }
        let decoded: Attributes
        do {
            decoded = try attributeDecoder.decode(Attributes.self, from: Data(bytes))
        } catch DecodingError.typeMismatch(let type, _) where type == [String: Any].self || "\(type)".contains("Dictionary") {
            return .failure(.notAnObject)
        } catch DecodingError.typeMismatch {
            return .failure(.missing("id"))
        } catch {
            return .failure(.notJSON)
        }
        guard let id = decoded.id, !id.isEmpty else { return .failure(.missing("id")) }
        guard let type = decoded.type, !type.isEmpty else { return .failure(.missing("type")) }
        guard let source = decoded.source, !source.isEmpty else { return .failure(.missing("source")) }
        return .success((id, type, source))
    }

    private static let attributeDecoder = JSONDecoder()

    /// Parses an envelope: `id`, `type`, `source` required; poison payloads are reported, not thrown past the caller.
    public static func parse(_ bytes: [UInt8]) -> Result<CloudEvent, DecodingFailure> {
        guard let root = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) else { return .failure(.notJSON) }
        guard let object = root as? [String: Any] else { return .failure(.notAnObject) }
        for field in ["id", "type", "source"] where (object[field] as? String)?.isEmpty ?? true {
            return .failure(.missing(field))
        }
        let data = object["data"].flatMap { try? JSONSerialization.data(withJSONObject: $0, options: [.fragmentsAllowed]) }.map(Array.init) ?? Array("null".utf8)
        let time = (object["time"] as? String).flatMap { ISO8601DateFormatter.flexible($0) } ?? Date()
        return .success(CloudEvent(id: object["id"] as! String, source: object["source"] as! String, type: object["type"] as! String,
                                   time: time, subject: object["subject"] as? String ?? "", data: data))
    }
}

extension ISO8601DateFormatter {
    static func flexible(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}
