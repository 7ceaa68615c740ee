import Hummingbird

/// After every refusal (an error, or a response of status 400 or more), reads and discards what
/// the handler left of the request body (`BodyDrain`), so a client that sends its whole body
/// before reading gets the answer. One place for every early answer: 401/403 before any
/// handler, 404/405, 415, a declared-length 413, a limit crossed mid-body.
///
/// Successful answers are left alone: a handler that answered 2xx read what it needed, and
/// Hummingbird discards the rest of a keep-alive request itself.
struct RefusedBodyDrainMiddleware: RouterMiddleware {
    typealias Context = PakaRequestContext
    /// `BodyDrain.limit(uploadLimit:)` for this host.
    let drainLimit: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard Self.mayHaveBody(request) else { return try await next(request, context) }
        let reader = SharedBodyReader(request.body)
        var request = request
        request.body = reader.body
        let waitsForContinue = request.headers[.expect]?.lowercased() == "100-continue"
        do {
            var response = try await next(request, context)
            if response.status.code >= 400, await !drained(reader, waitsForContinue) {
                response.headers[.connection] = "close"
            }
            return response
        } catch var error as APIError {
            if await !drained(reader, waitsForContinue) { error.headers[.connection] = "close" }
            throw error
        } catch {
            // Not an APIError: ForeignErrorMiddleware (inside this one) turns every error into one.
            _ = await drained(reader, waitsForContinue)
            throw error
        }
    }

    /// False when the connection must close after the answer: the body was too long to drain,
    /// or a client that sent `Expect: 100-continue` (curl, for bodies over 1 MiB) is holding the
    /// body back — it sends none after a final answer, and reading would only wait out its
    /// timeout (1 s for curl) for bytes that are not wanted.
    private func drained(_ reader: SharedBodyReader, _ waitsForContinue: Bool) async -> Bool {
        if reader.isFinished { return true }
        if waitsForContinue, !reader.isStarted { return false }
        return await BodyDrain.discard(reader, limit: drainLimit)
    }

    /// A request without Content-Length or Transfer-Encoding has no body (RFC 9112 §6.3).
    static func mayHaveBody(_ request: Request) -> Bool {
        if let length = request.headers[.contentLength] { return length != "0" }
        return request.headers[.transferEncoding] != nil
    }
}
