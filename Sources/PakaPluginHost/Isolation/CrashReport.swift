import Foundation

/// Why an event is dead-lettered as a crash: it was being handled, alone, when the plugin
/// crashed for the `attempts`-th time. Its dead letter's `paka.error` header names the crash
/// (signal or exit status), so an operator reading the dead letter sees why without the log.
public struct CrashReport: Sendable, Equatable {
    public var plugin: String
    public var exit: WorkerExit
    /// Crashes this event was part of.
    public var attempts: Int

    /// "plugin crashed: SIGSEGV while handling this event". `DeadLetterQuery.crashesOnly` selects
    /// letters by the "plugin crashed:" / "plugin hung:" prefixes: keep them.
    public var message: String {
        switch exit.cause {
        case .timeout(let ms): "plugin hung: no answer within \(ms) ms (handleTimeoutMs) while handling this event; the worker was killed"
        default: "plugin crashed: \(exit) while handling this event"
        }
    }
}

/// The last crash of a plugin, as `GET /plugins` and `/health` show it.
public struct CrashSummary: Sendable, Codable, Equatable {
    public var reason: String
    /// "handle", "create", "health", "http", "flush"
    public var during: String
    public var at: Date
    /// Crashes in a row without a call answered.
    public var consecutive: Int
}
