import Hummingbird

/// The request context of every Paka route: Hummingbird's core storage plus the verified
/// Bearer claims, which `BearerAuthMiddleware` sets before a protected handler runs.
public struct PakaRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// nil on public routes; always set on protected ones (the middleware answers 401 otherwise).
    public var claims: TokenClaims?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    /// JSON bodies are small; uploads stream and have their own limit (`PAKA_UPLOAD_LIMIT_BYTES`).
    public var maxUploadSize: Int { 1 << 20 }
}
