import Hummingbird

/// Turns the errors that do not render as `{"ok": false, "error": "..."}` into an `APIError`,
/// which does: Hummingbird's own `HTTPError`s (unknown route, wrong method, body too large) and
/// anything unexpected (a 500 whose text goes to the log, never to the client). An `APIError`
/// passes through untouched.
///
/// Hummingbird answers a known path with the wrong method as "not found"; the route table
/// lets this middleware say 405 and list the allowed methods instead.
struct ForeignErrorMiddleware: RouterMiddleware {
    typealias Context = PakaRequestContext
    let routes: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as HTTPError {
            throw convert(error, request: request)
        } catch let error as any HTTPResponseError {
            throw APIError(error.status, error.status.reasonPhrase, detail: "\(error)")
        } catch {
            throw APIError.internalFailure("unhandled \(type(of: error)): \(error)")
        }
    }

    private func convert(_ error: HTTPError, request: Request) -> APIError {
        let path = request.uri.path
        switch error.status {
        case .notFound where error.body == nil:
            let allowed = routes.methods(matching: path)
            if !allowed.isEmpty, !allowed.contains(request.method.rawValue) {
                return APIError(.methodNotAllowed, "method \(request.method.rawValue) is not allowed on \(path); allowed: \(allowed.joined(separator: ", "))",
                                headers: [.allow: allowed.joined(separator: ", ")])
            }
            return .notFound("no route for \(request.method.rawValue) \(path); see GET /openapi.json")
        case .contentTooLarge:
            return APIError(.contentTooLarge, error.body ?? "request body is too large")
        case let status where status.code >= 500:
            return APIError(status, status.reasonPhrase, headers: error.headers, detail: error.body)
        default:
            return APIError(error.status, error.body ?? error.status.reasonPhrase, headers: error.headers)
        }
    }
}
