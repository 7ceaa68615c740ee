import Hummingbird

/// Requires `Authorization: Bearer <jwt>` verified by `TokenAuthority` (jwt-kit, HS256,
/// constant-time signature check) carrying the route's `TokenScope`.
///
/// 401 carries `WWW-Authenticate: Bearer` (RFC 6750) and, when a token was sent but refused,
/// `error="invalid_token"`, so clients know to fetch a new one rather than retry. A valid token
/// without the scope is 403 with `error="insufficient_scope"` and the scope named, so the
/// operator knows which token to mint instead.
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = PakaRequestContext
    let tokens: TokenAuthority
    let scope: TokenScope

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
        let granted = claims.scopes
        guard granted.contains(scope) else {
            throw APIError(.forbidden, Self.missing(scope, granted: granted),
                           headers: [.wwwAuthenticate: #"Bearer error="insufficient_scope", scope="\#(scope)""#])
        }
        var context = context
        context.claims = claims
        return try await next(request, context)
    }

    /// "this route needs the 'operate' scope; this token has: publish (mint one with …)".
    static func missing(_ scope: TokenScope, granted: Set<TokenScope>) -> String {
        let has = granted.isEmpty ? "no scope" : "scope '\(TokenScope.claimText(granted))'"
        return "this route needs the '\(scope)' scope; this token has \(has) (mint one with: paka token --sub NAME --scope \"\(scope)\", or --admin for all)"
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
