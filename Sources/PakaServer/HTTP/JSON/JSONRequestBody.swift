import Hummingbird
import PakaPipeline
import PakaPluginHost

/// A JSON object request body, read and checked field by field so that every 400 names the
/// field and what it must be (a `Decodable` struct would only say "data corrupted").
struct JSONRequestBody {
    let fields: [String: JSONValue]

    /// Reads the body of a JSON route: 415 unless the content type is JSON, 413 past the
    /// context's limit, 400 unless it is one JSON object.
    static func read(_ request: Request, context: PakaRequestContext) async throws -> JSONRequestBody {
        let contentType = request.headers[.contentType] ?? ""
        guard Self.isJSON(contentType) else {
            throw APIError(.unsupportedMediaType,
                           "Content-Type must be application/json, got '\(contentType.isEmpty ? "none" : contentType)'")
        }
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: context.maxUploadSize)
        } catch {
            throw APIError(.contentTooLarge, "request body is larger than \(context.maxUploadSize) bytes")
        }
        // The 400 is the handling; the parser's position detail is not part of the answer's contract.
        guard let value = try? JSONValue.parse(buffer.readableBytesView) else {
            throw APIError.badRequest("request body is not valid JSON")
        }
        guard let object = value.objectValue else {
            throw APIError.badRequest("request body must be a JSON object, got \(value.typeName)")
        }
        return JSONRequestBody(fields: object)
    }

    /// `application/json` and `+json` types, with or without parameters.
    static func isJSON(_ contentType: String) -> Bool {
        // The common exact forms first: splitting and lower-casing cost 3 % of the publish route.
        if contentType == "application/json" || contentType == "application/json; charset=utf-8" { return true }
        let type = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        return type == "application/json" || (type.hasPrefix("application/") && type.hasSuffix("+json"))
    }

    func requiredString(_ name: String) throws -> String {
        guard let value = fields[name]?.stringValue else {
            throw APIError.missingOrWrongType(name, expected: "a string")
        }
        guard !value.isEmpty else { throw APIError.badRequest("field '\(name)' must not be empty") }
        return value
    }

    /// A string or an integer (`resourceId: 123` in the seed, `"abc"` elsewhere), kept as sent.
    func optionalStringOrInteger(_ name: String) throws -> JSONValue? {
        switch fields[name] {
        case nil, .null?: return nil
        case .string(let s)?:
            guard !s.isEmpty else { throw APIError.badRequest("field '\(name)' must not be empty") }
            return .string(s)
        case .number(let n)? where n.rounded() == n && abs(n) < 1e15: return .number(n)
        default: throw APIError.badRequest("field '\(name)' must be a string or an integer")
        }
    }

    func optionalObject(_ name: String) throws -> [String: JSONValue]? {
        switch fields[name] {
        case nil, .null?: return nil
        case .object(let o)?: return o
        default: throw APIError.badRequest("field '\(name)' must be an object")
        }
    }

    func requiredChoice(_ name: String, from choices: [String]) throws -> String {
        guard let value = fields[name]?.stringValue, choices.contains(value) else {
            throw APIError.badRequest("field '\(name)' is required and must be one of: \(choices.joined(separator: ", "))")
        }
        return value
    }
}
