import CoreMetrics
import Foundation
import PakaPipeline
import PakaPluginHost
import Prometheus
import Synchronization

/// The host's one metrics registry and its exporter. Everything is recorded through
/// swift-metrics types bound to `factory`: the HTTP layer and consumers here, the plugin host and
/// pipeline where they count (`PluginRegistry.Options.metrics`, `SpoolCounters`). Owned by the
/// application instead of a global `MetricsSystem.bootstrap`, which can run once per process and
/// so breaks with several apps in one test run.
public final class PakaMetrics: PipelineObserver {
    public let registry = PrometheusCollectorRegistry()
    /// Hand this to the parts that record metrics of their own.
    public let factory: PrometheusMetricsFactory
    /// The local spool's failures; the application hands these to its `LocalSpool`.
    public let spool: SpoolCounters
    /// The last lane figures per plugin, for `GET /plugins` (the gauges above cannot be read back).
    private let laneGauges = Mutex<[String: LaneGauges]>([:])

    public init() {
        factory = PrometheusMetricsFactory(registry: registry)
        spool = SpoolCounters(metrics: factory)
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

    /// A consumer's lanes (about once a second): events in the lanes, events held for a retry's
    /// backoff, and lanes busy of all.
    public func lanesObserved(plugin: String, inFlight: Int, heldForRetry: Int, busyLanes: Int, lanes: Int) {
        let dimensions = [("plugin", plugin)]
        Gauge(label: "paka_consumer_in_flight_events", dimensions: dimensions, factory: factory).record(inFlight)
        Gauge(label: "paka_consumer_held_for_retry_events", dimensions: dimensions, factory: factory).record(heldForRetry)
        Gauge(label: "paka_consumer_busy_lanes", dimensions: dimensions, factory: factory).record(busyLanes)
        Gauge(label: "paka_consumer_lanes", dimensions: dimensions, factory: factory).record(lanes)
        let observed = LaneGauges(inFlight: inFlight, heldForRetry: heldForRetry, busyLanes: busyLanes, lanes: lanes)
        laneGauges.withLock { $0[plugin] = observed }
    }

    /// The lanes of `plugin` as its consumer last reported them; nil when it never did.
    public func lanes(of plugin: String) -> LaneGauges? { laneGauges.withLock { $0[plugin] } }

    /// `GET /metrics`: the Prometheus text of everything recorded.
    func render() -> String { registry.emitToString() }
}
