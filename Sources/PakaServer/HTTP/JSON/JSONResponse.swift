import Foundation
import Hummingbird

/// JSON bodies for every route; errors are always `{"ok": false, "error": "..."}`.
enum JSONResponse {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    /// The JSON bytes of `value` (sorted keys), or an error object if it cannot be encoded.
    static func encode(_ value: some Encodable) -> Data {
        // The values are our own response structs (strings, numbers, dates): encoding fails only
        // for a non-finite Double, and the client then still gets a JSON error body.
        (try? encoder.encode(value)) ?? Data(#"{"ok":false,"error":"response could not be encoded"}"#.utf8)
    }

    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let data = encode(value)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func error(_ message: String, status: HTTPResponse.Status) -> Response {
        make(ErrorBody(error: message), status: status)
    }

    struct ErrorBody: Encodable {
        var ok = false
        var error: String
    }
}
