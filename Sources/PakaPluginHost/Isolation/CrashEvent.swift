import Foundation

/// One entry of a process-isolated plugin's crash history (`GET /plugins` → `crashHistory`):
/// a worker that died or hung, or a worker started again after one. The last crash alone
/// (`lastCrash`) cannot tell an operator whether a plugin crashes once a day or every minute,
/// nor on which event.
public struct CrashEvent: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable { case crash, restart }

    public var kind: Kind
    public var at: Date
    /// The crash ("SIGSEGV", "exit status 3", "no answer within …"), or for a restart the crash
    /// it followed.
    public var reason: String
    /// The fatal signal's name when the worker died of one.
    public var signal: String?
    /// The hook that was running: "handle", "create", "health", "http", "flush" (crashes only).
    public var during: String?
    /// The event the worker was handling, when it was handling that one event alone (after a
    /// crash the host hands events over one at a time to find the one that crashes).
    public var eventId: String?
    /// Crashes in a row without a call answered, this one included (crashes only).
    public var consecutive: Int?
    /// The plugin version whose worker it was (filled in when the history is listed).
    public var version: String?

    init(kind: Kind, at: Date = Date(), reason: String, signal: String? = nil, during: String? = nil, eventId: String? = nil,
         consecutive: Int? = nil) {
        self.kind = kind
        self.at = at
        self.reason = reason
        self.signal = signal
        self.during = during
        self.eventId = eventId
        self.consecutive = consecutive
    }
}
