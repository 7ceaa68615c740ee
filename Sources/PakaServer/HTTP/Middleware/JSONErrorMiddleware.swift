import Hummingbird
import Logging

/// Turns every error raised below it — ours, Hummingbird's (unknown route, body too large) and
/// unexpected ones — into `{"ok": false, "error": "..."}` with the right status, so a client
/// never has to parse a plain-text error.
///
/// Hummingbird answers a known path with the wrong method as "not found"; the route table
/// lets this middleware say 405 and list the allowed methods instead.
struct JSONErrorMiddleware: RouterMiddleware {
    typealias Context = PakaRequestContext
    let routes: RouteTable
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return error.response
        } catch let error as HTTPError {
            return convert(error, request: request).response
        } catch let error as any HTTPResponseError {
            return APIError(error.status, error.status.reasonPhrase).response
        } catch {
            logger.error("unhandled error", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return APIError(.internalServerError, "internal error: \(error)").response
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
        default:
            return APIError(error.status, error.body ?? error.status.reasonPhrase, headers: error.headers)
        }
    }
}
