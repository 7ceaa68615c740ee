import Hummingbird
import PakaPipeline
import PakaPluginHost

/// Builds the host's router: every route, its auth, the error and metrics middleware.
///
/// Public: `/health`, `/kafka/status`, `/metrics`, `/openapi.json`, `/console`. Scope `publish`:
/// the seed's producers and `/upload`; `read`: `GET /plugins`, `/host`, offsets, dead letters,
/// replay reports, plugin-served routes; `operate`: every state-changing operator route.
public struct HTTPAPI: Sendable {
    public let app: PakaApplication
    /// The routes registered by the last `makeRouter()`, for 405s and the OpenAPI check.
    public let routeTable = RouteTable()
    let switchboard: PluginSwitchboard

    public init(app: PakaApplication) {
        self.app = app
        switchboard = PluginSwitchboard(file: app.environment.pluginsFile)
    }

    public func makeRouter() -> Router<PakaRequestContext> {
        let router = Router(context: PakaRequestContext.self)
        // Order matters: middleware applies to routes added after it. Metrics outermost so it
        // counts the status of the APIError that every error has become below it; the drain
        // outside the error translation, so it sees every refusal as an APIError.
        router.add(middleware: HTTPMetricsMiddleware(metrics: app.metrics))
        router.add(middleware: RefusedBodyDrainMiddleware(drainLimit: BodyDrain.limit(uploadLimit: app.environment.uploadLimitBytes)))
        router.add(middleware: ForeignErrorMiddleware(routes: routeTable))

        HealthRoutes(registry: app.registry, router: app.router).add(to: router)
        KafkaRoutes(api: self).addStatus(to: router)
        router.get("/metrics") { _, _ in
            let text = app.metrics.render()
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        ConsoleRoutes(api: self).add(to: router)
        router.get("/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(bytes: OpenAPIDocument.json.jsonBytes)))
        }

        // One group per token scope (TokenScope): a publishing client's token reaches the
        // first group only.
        let publish = router.group().add(middleware: BearerAuthMiddleware(tokens: app.tokens, scope: .publish))
        KafkaRoutes(api: self).addProducers(to: publish)
        UploadRoutes(api: self).add(to: publish)

        let read = router.group().add(middleware: BearerAuthMiddleware(tokens: app.tokens, scope: .read))
        PluginAdminRoutes(api: self).addList(to: read)
        HostInfoRoutes(api: self).add(to: read)
        PluginOffsetRoutes(api: self).addBearer(to: read)
        DeadLetterRoutes(api: self).addBearer(to: read)
        // Plugin-served routes expose the plugin's data (document status, search): read. A wrong
        // method on a reserved operator name is a 405 before any scope check.
        let served = router.group().add(middleware: ReservedPathMiddleware(routes: routeTable))
            .add(middleware: BearerAuthMiddleware(tokens: app.tokens, scope: .read))
        PluginAdminRoutes(api: self).addPluginServed(to: served)

        let operate = router.group().add(middleware: BearerAuthMiddleware(tokens: app.tokens, scope: .operate))
        PluginAdminRoutes(api: self).addAdmin(to: operate)
        PluginPauseRoutes(api: self).addAdmin(to: operate)
        PluginOffsetRoutes(api: self).addAdmin(to: operate)
        DeadLetterRoutes(api: self).addAdmin(to: operate)
        PluginAdminRoutes(api: self).addRestart(to: operate)

        routeTable.record(router.routes)
        return router
    }

    /// The one publish path of the HTTP API: the router decides Kafka or synchronous, and the
    /// metrics count it either way. An event that was neither processed nor stored (the local
    /// spool refused it and memory for held lines is full, or a plugin's queue is full) is
    /// answered 503, so the client knows to send it again.
    func publish(topic: String, subject: String, data: [String: JSONValue]) async throws(APIError) -> EventRouter.Receipt {
        let event = CloudEvent(source: "paka/api", type: topic, subject: subject, data: JSONValue.object(data).jsonBytes)
        let receipt = await app.router.publish(event)
        app.metrics.recordPublished(topic: topic, mode: receipt.mode)
        guard receipt.notKept.isEmpty else {
            let reasons = receipt.notKept.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ")
            throw APIError(.serviceUnavailable, "event \(receipt.eventId) was not processed and could not be stored; send it again later",
                           detail: reasons)
        }
        return receipt
    }
}
