import Hummingbird

/// `GET /console`: the operator's page. Public: it holds no data, it asks for a token and
/// reads the Bearer API with it (the token is kept in the tab's `sessionStorage` only).
struct ConsoleRoutes {
    let api: HTTPAPI

    func add(to routes: some RouterMethods<PakaRequestContext>) {
        routes.get("/console") { _, _ in
            Response(status: .ok,
                     headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                               // Everything the page needs is inline; nothing may be loaded from elsewhere.
                               .contentSecurityPolicy: "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:"],
                     body: .init(byteBuffer: ByteBuffer(string: ConsolePage.html(brokers: api.app.environment.kafkaBrokers))))
        }
    }
}
