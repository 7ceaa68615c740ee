/// A plugin's answer for one event.
public enum EventOutcome: Sendable, Equatable {
    case ok
    /// Transient: try again later with backoff; never dead-lettered because of an outage.
    case retry(String)
    /// Permanent: dead-letter now.
    case fail(String)

    public var isOK: Bool { self == .ok }
}
