import CoreMetrics
import PakaPipeline
import PakaPluginHost
import Prometheus

/// The host's Prometheus metrics, owned by the application instead of a global
/// `MetricsSystem.bootstrap` (which can run once per process and so breaks with several apps in
/// one test run). Handlers record through swift-metrics types bound to this registry's factory.
public final class PakaMetrics: PipelineObserver {
    public let registry = PrometheusCollectorRegistry()
    /// The local spool's failures; the application hands these to its `LocalSpool`.
    public let spool = SpoolCounters()
    private let factory: PrometheusMetricsFactory

    public init() {
        factory = PrometheusMetricsFactory(registry: registry)
    }

    /// One HTTP request answered; `route` is the matched pattern (bounded cardinality), not the raw path.
    func recordRequest(route: String, method: String, status: Int) {
        Counter(label: "paka_http_requests_total",
                dimensions: [("route", route), ("method", method), ("status", String(status))], factory: factory).increment()
    }

    /// A request or connection the server refused before routing it (`ConnectionGuard`).
    func refusedConnection(reason: String) {
        Counter(label: "paka_http_refused_total", dimensions: [("reason", reason)], factory: factory).increment()
    }

    func openConnections(_ count: Int) {
        Gauge(label: "paka_http_open_connections", factory: factory).record(count)
    }

    /// One event handed to the router by the HTTP API.
    func recordPublished(topic: String, mode: EventRouter.Mode) {
        Counter(label: "paka_events_published_total", dimensions: [("topic", topic), ("mode", mode.rawValue)], factory: factory).increment()
    }

    /// Handle latency per batch (a histogram) and events consumed per plugin and outcome.
    public func batchHandled(plugin: String, events: Int, ok: Int, retried: Int, failed: Int, seconds: Double) {
        Timer(label: "paka_plugin_handle_seconds", dimensions: [("plugin", plugin)], factory: factory).recordSeconds(seconds)
        for (outcome, count) in [("ok", ok), ("retry", retried), ("fail", failed)] where count > 0 {
            Counter(label: "paka_events_consumed_total", dimensions: [("plugin", plugin), ("outcome", outcome)], factory: factory).increment(by: count)
        }
    }

    public func consumerLag(group: String, topic: String, partition: Int32, lag: Int64) {
        Gauge(label: "paka_consumer_lag", dimensions: [("group", group), ("topic", topic), ("partition", String(partition))], factory: factory)
            .record(lag)
    }

    /// The registry's metrics plus the plugins' own counters, read now: they live in the
    /// registry's `PluginCounters` and are reset when a new version loads, so they are rendered
    /// from the current statuses rather than mirrored.
    func render(plugins: [PluginStatus], flushes: [String: FlushCounters.Counts] = [:]) -> String {
        var text = registry.emitToString() + CrashStatistics.shared.render()
        let families: [(name: String, help: String, value: (PluginCounters.Snapshot) -> Int)] = [
            ("paka_plugin_events_handled_total", "Events the plugin's active version answered OK.", \.handled),
            ("paka_plugin_events_retried_total", "RETRY answers of the plugin's active version.", \.retried),
            ("paka_plugin_events_failed_total", "FAIL answers of the plugin's active version.", \.failed),
            ("paka_plugin_events_dead_lettered_total", "Events dead-lettered for the plugin's active version.", \.deadLettered),
        ]
        let active = plugins.compactMap { status in status.counters.map { (status.name, status.version ?? "", $0) } }
        for family in families {
            text += "# HELP \(family.name) \(family.help)\n# TYPE \(family.name) counter\n"
            for (name, version, counters) in active {
                text += "\(family.name){plugin=\"\(name)\",version=\"\(version)\"} \(family.value(counters))\n"
            }
        }
        text += "# HELP paka_plugin_flushes_total What retired versions' flush answered (failed: FAIL, or RETRY past the wait).\n# TYPE paka_plugin_flushes_total counter\n"
        for (plugin, counts) in flushes.sorted(by: { $0.key < $1.key }) {
            text += "paka_plugin_flushes_total{plugin=\"\(plugin)\",result=\"ok\"} \(counts.succeeded)\n"
            text += "paka_plugin_flushes_total{plugin=\"\(plugin)\",result=\"failed\"} \(counts.failed)\n"
        }
        let spool = spool.snapshot
        text += "# HELP paka_spool_write_failures_total Writes the local spool's disk refused.\n# TYPE paka_spool_write_failures_total counter\n"
        text += "paka_spool_write_failures_total \(spool.writeFailures)\n"
        text += "# HELP paka_spool_held_lines Spool lines held in memory until the disk takes them.\n# TYPE paka_spool_held_lines gauge\n"
        text += "paka_spool_held_lines \(spool.heldInMemory)\n"
        text += "# HELP paka_spool_not_kept_total Events neither written nor held (their publisher got 503).\n# TYPE paka_spool_not_kept_total counter\n"
        text += "paka_spool_not_kept_total \(spool.notKept)\n"
        return text
    }
}
