import Hummingbird

/// `GET /console` and its style and script: the operator's page. Public: it holds no data, it
/// asks for a token and reads the Bearer API with it (the token is kept in the tab's
/// `sessionStorage` only).
struct ConsoleRoutes {
    let api: HTTPAPI

    /// Nothing but this host's own files and API: no inline script or style (the script and
    /// style sheet are separate same-origin files), no frames, no forms posting elsewhere.
    static let contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
        + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    func add(to routes: some RouterMethods<PakaRequestContext>) {
        routes.get("/console") { _, _ in
            Self.answer(ConsolePage.html(brokers: api.app.environment.kafkaBrokers), type: "text/html; charset=utf-8")
        }
        let script = ConsoleScript.source, style = ConsoleStyle.css
        routes.get("/console/console.js") { _, _ in Self.answer(script, type: "text/javascript; charset=utf-8") }
        routes.get("/console/console.css") { _, _ in Self.answer(style, type: "text/css; charset=utf-8") }
    }

    private static func answer(_ text: String, type: String) -> Response {
        Response(status: .ok,
                 headers: [.contentType: type, .cacheControl: "no-store", .contentSecurityPolicy: contentSecurityPolicy,
                           HTTPFields.Element.Name("X-Content-Type-Options")!: "nosniff", HTTPFields.Element.Name("Referrer-Policy")!: "no-referrer"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
