/// The error a plugin throws to choose between RETRY and FAIL. Any other error means FAIL.
public enum PluginError: Error, CustomStringConvertible, Sendable {
    /// Transient (a dependency is down, a rate limit): redelivered with backoff, never dead-lettered.
    case retry(String)
    /// Permanent (the event itself is bad): dead-lettered.
    case fail(String)

    public var description: String {
        switch self {
        case .retry(let m), .fail(let m): m
        }
    }
}

/// The outcome of one event.
public enum EventResult: Sendable, Equatable {
    case ok
    case retry(String)
    case fail(String)

    /// Maps a thrown error: `PluginError.retry` → retry, everything else → fail.
    public init(_ error: any Error) {
        switch error {
        case PluginError.retry(let message): self = .retry(message)
        case PluginError.fail(let message): self = .fail(message)
        default: self = .fail(String(describing: error))
        }
    }
}
