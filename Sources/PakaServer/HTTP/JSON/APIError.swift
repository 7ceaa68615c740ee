import Hummingbird

/// An error a handler throws to answer with `{"ok": false, "error": message}` and `status`.
///
/// The message names the field or the reason, so a client can fix the request without reading
/// the server's log.
struct APIError: Error, Sendable {
    var status: HTTPResponse.Status
    var message: String
    var headers: HTTPFields = [:]

    init(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.message = message
        self.headers = headers
    }

    static func badRequest(_ message: String) -> APIError { APIError(.badRequest, message) }
    static func notFound(_ message: String) -> APIError { APIError(.notFound, message) }

    static func missingOrWrongType(_ field: String, expected: String) -> APIError {
        badRequest("field '\(field)' is required and must be \(expected)")
    }

    var response: Response {
        var response = JSONResponse.error(message, status: status)
        for field in headers { response.headers.append(field) }
        return response
    }
}
