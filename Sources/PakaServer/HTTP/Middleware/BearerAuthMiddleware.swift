import Hummingbird

/// Requires `Authorization: Bearer <jwt>` verified by `TokenAuthority` (jwt-kit, HS256,
/// constant-time signature check) and, for admin routes, the `admin: true` claim.
///
/// 401 carries `WWW-Authenticate: Bearer` (RFC 6750) and, when a token was sent but refused,
/// `error="invalid_token"`, so clients know to fetch a new one rather than retry.
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = PakaRequestContext
    let tokens: TokenAuthority
    let requireAdmin: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            throw APIError(.unauthorized, "missing Authorization: Bearer token (get one with: paka token --sub NAME)",
                           headers: [.wwwAuthenticate: "Bearer"])
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty else {
            throw invalid("Authorization header must be 'Bearer <token>'")
        }
        let claims: TokenClaims
        do {
            claims = try await tokens.verify(String(parts[1]))
        } catch {
            throw invalid(Self.reason(for: error))
        }
        if requireAdmin && !claims.isAdmin {
            throw APIError(.forbidden, "this route needs an admin token (paka token --admin)")
        }
        var context = context
        context.claims = claims
        return try await next(request, context)
    }

    private func invalid(_ message: String) -> APIError {
        APIError(.unauthorized, message, headers: [.wwwAuthenticate: #"Bearer error="invalid_token""#])
    }

    /// jwt-kit's errors, reduced to what a client can act on; never echoes the token.
    private static func reason(for error: any Error) -> String {
        if let refusal = error as? TokenClaims.Refusal { return refusal.description }
        let text = String(describing: error).lowercased()
        if text.contains("expired") || text.contains("exp") && text.contains("claim") { return "token has expired" }
        if text.contains("signature") { return "token signature is invalid" }
        return "token is malformed or invalid"
    }
}
