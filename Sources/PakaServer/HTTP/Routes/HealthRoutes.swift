import Hummingbird
import PakaPipeline
import PakaPluginHost

/// `GET /health`: liveness (the process answers) and readiness (Kafka, plugins).
struct HealthRoutes {
    let registry: PluginRegistry
    let router: EventRouter

    struct PluginHealth: Encodable {
        var name: String
        var state: String
        var healthy: Bool
        var message: String?
    }

    struct Body: Encodable {
        var ok: Bool
        var status: String
        var kafka: KafkaHealth
        var plugins: [PluginHealth]
    }

    struct KafkaHealth: Encodable {
        var connected: Bool
        var mode: String
    }

    func add(to routes: some RouterMethods<PakaRequestContext>) {
        routes.get("/health") { _, _ -> Response in
            let plugins = await BlockingPool.shared.run { registry.statuses().map(self.health) }  // health hooks block (a database ping)
            let connected = router.kafka?.isConnected ?? false
            let healthy = plugins.allSatisfy(\.healthy)
            let body = Body(ok: healthy, status: healthy ? (connected ? "ok" : "degraded") : "unhealthy",
                            kafka: KafkaHealth(connected: connected, mode: connected ? "kafka" : "synchronous"),
                            plugins: plugins)
            return JSONResponse.make(body, status: healthy ? .ok : .serviceUnavailable)
        }
    }

    private func health(_ status: PluginStatus) -> PluginHealth {
        switch status.state {
        case .disabled:
            return PluginHealth(name: status.name, state: "disabled", healthy: true)
        case .crashed:
            return PluginHealth(name: status.name, state: "crashed", healthy: false,
                                message: "crashed (\(status.lastCrash.map { "\($0.reason) in \($0.during)" } ?? "unknown")); POST /plugins/\(status.name)/restart brings it back")
        case .failed:
            return PluginHealth(name: status.name, state: "failed", healthy: false, message: status.lastError)
        case .active:
            let report = registry.active(named: status.name)?.health()
            return PluginHealth(name: status.name, state: "active", healthy: report?.healthy ?? true,
                                message: report.flatMap { $0.message.isEmpty ? nil : $0.message })
        }
    }
}
