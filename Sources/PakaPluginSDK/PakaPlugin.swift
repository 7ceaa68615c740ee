/// A Paka event processor written in Swift.
///
/// Conform a class, then export it with one line:
///
/// ```swift
/// @_cdecl("paka_plugin_entry")
/// public func pakaPluginEntry() -> UnsafeRawPointer { PluginExport.entry(for: MyPlugin.self) }
/// ```
///
/// The host calls one instance from one thread at a time. Throw `PluginError.retry` for a
/// transient problem (the host backs off and redelivers) and `PluginError.fail` — or any other
/// error — for a permanent one (the event is dead-lettered).
public protocol PakaPlugin: AnyObject {
    /// Unique within a host: [a-z0-9_-], 1-64 characters.
    static var name: String { get }
    /// Semantic version, shown in `GET /plugins` and `paka plugin check`.
    static var version: String { get }
    /// Topics consumed by default (plugins.json may override).
    static var topics: [String] { get }
    /// Consumer group id; nil means `paka-<name>`.
    static var consumerGroup: String? { get }
    /// One line saying what the plugin does (shown by `paka plugin check`); nil for none.
    static var summary: String? { get }

    init(host: PluginHost, config: PluginConfig) throws

    /// Handles one event. Enough for most plugins.
    func handle(_ event: Event) throws

    /// Handles a batch (events that were ready together). The default calls `handle(_:)` per
    /// event; override it to amortise work, e.g. one database round trip per batch. Answer each
    /// event on its own: the host never batches two events of one ordering key.
    func handle(batch: [Event]) -> [EventResult]
}

extension PakaPlugin {
    public static var consumerGroup: String? { nil }
    public static var summary: String? { nil }

    /// Each event on its own: the host keeps the order (a batch never holds two events of one
    /// ordering key, and a key's later events wait while one of them is retried).
    public func handle(batch: [Event]) -> [EventResult] {
        batch.map { event in
            do {
                try handle(event)
                return .ok
            } catch {
                return EventResult(error)
            }
        }
    }
}

/// Optional hook: answer HTTP requests under `/plugins/<name>/…`.
public protocol PakaHTTPServing: PakaPlugin {
    func serve(_ request: HTTPRequest) -> HTTPResponse
}

/// Optional hook: report health for `GET /health`.
public protocol PakaHealthReporting: PakaPlugin {
    /// nil when healthy, else what is wrong.
    func healthProblem() -> String?
}

/// Optional hook: finish buffered work before shutdown or a swap.
public protocol PakaFlushing: PakaPlugin {
    func flush() throws
}
