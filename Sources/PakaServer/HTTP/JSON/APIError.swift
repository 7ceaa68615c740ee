import Hummingbird
import Logging

/// An error a handler throws to answer with `{"ok": false, "error": message}` and `status`; it
/// renders its own response (Hummingbird's `HTTPResponseError`), so no middleware has to know it.
///
/// A 4xx message names the field or the reason, so a client can fix the request without reading
/// the server's log. A 5xx message is ours and generic: what went wrong inside (`detail`: an
/// error's text, a path, an errno) goes to the log under the request id, and the client gets
/// that id — in the message and in `X-Request-Id` — to quote when it reports the failure.
struct APIError: HTTPResponseError, Sendable {
    var status: HTTPResponse.Status
    var message: String
    var headers: HTTPFields = [:]
    /// For the log only, never for the client.
    var detail: String?

    init(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:], detail: String? = nil) {
        self.status = status
        self.message = message
        self.headers = headers
        self.detail = detail
    }

    static func badRequest(_ message: String) -> APIError { APIError(.badRequest, message) }
    static func notFound(_ message: String) -> APIError { APIError(.notFound, message) }

    static func missingOrWrongType(_ field: String, expected: String) -> APIError {
        badRequest("field '\(field)' is required and must be \(expected)")
    }

    /// A 500 for a failure the client cannot fix: `detail` is logged, never sent.
    static func internalFailure(_ detail: String) -> APIError {
        APIError(.internalServerError, "internal error", detail: detail)
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let requestID = Self.requestID(of: context)
        var message = message
        if status.code >= 500 {
            // The request's logger already carries hb.request.id: the line is found by the id.
            context.logger.error("\(status.code) \(request.method.rawValue) \(request.uri.path): \(detail ?? message)")
            message += "; the host's log has the details under request id \(requestID)"
        }
        var response = JSONResponse.error(message, status: status)
        for field in headers { response.headers.append(field) }
        response.headers[.requestID] = requestID
        return response
    }

    /// The id Hummingbird gave this request (it is in every log line of the request).
    static func requestID(of context: some RequestContext) -> String {
        context.logger[metadataKey: "hb.request.id"]?.description ?? RequestID().description
    }
}

// `HTTPFields.Element` is HTTPTypes' `HTTPField`, which Hummingbird does not re-export by name.
extension HTTPFields.Element.Name {
    /// The request's id on every error answer: a 5xx's details are in the log under it.
    // A valid token literal: the initialiser fails only for names with characters outside RFC 9110's tchar.
    static let requestID = HTTPFields.Element.Name("X-Request-Id")!
}
