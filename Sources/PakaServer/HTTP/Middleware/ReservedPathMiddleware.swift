import Hummingbird

/// In front of the plugin-served catch-all (`/plugins/{name}/…`): a request that reached it on
/// an operator name (`pause`, `offsets`, `dead-letters`, … — DESIGN.md reserves them) came with a
/// method that name does not have. It is answered 405 with `Allow` before the token's scope is
/// checked, so every token learns the same thing about a wrong method (a publish-only token got
/// 403 here, which the OpenAPI contract does not promise).
struct ReservedPathMiddleware: RouterMiddleware {
    typealias Context = PakaRequestContext
    let routes: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let segments = request.uri.path.split(separator: "/")
        guard segments.count > 2, segments[0] == "plugins", PluginAdminRoutes.reservedSegments.contains(String(segments[2])) else {
            return try await next(request, context)
        }
        let allowed = routes.methods(matching: request.uri.path).filter { $0 != request.method.rawValue }
        throw APIError(.methodNotAllowed, "\(request.method.rawValue) is not allowed on \(request.uri.path) (reserved for the operator API; see /openapi.json)",
                       headers: allowed.isEmpty ? [:] : [.allow: allowed.joined(separator: ", ")])
    }
}
