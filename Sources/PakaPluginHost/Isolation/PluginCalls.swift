/// What the host calls on one plugin instance, wherever it runs: in this process
/// (`PluginInstance`) or in a worker process (`ProcessPluginInstance`). The pool lends an
/// instance to one thread at a time, as the ABI promises plugins.
protocol PluginCalls: AnyObject, Sendable {
    func handle(_ events: [PluginEvent]) -> [EventOutcome]
    func flush() -> EventOutcome
    /// nil when the plugin has no health hook.
    func health() -> (healthy: Bool, message: String)?
    /// nil when the plugin has no http hook.
    func serveHTTP(_ request: PluginHTTPRequest) -> PluginHTTPResponse?
    func destroy()
}

extension PluginInstance: PluginCalls {}
