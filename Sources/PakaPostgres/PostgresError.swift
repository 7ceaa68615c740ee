/// A libpq failure, classified so a processor can answer RETRY for an outage and FAIL for a
/// bad event.
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    public let message: String
    /// The five-character SQLSTATE, when the server sent one.
    public let sqlState: String?

    public init(message: String, sqlState: String? = nil) {
        self.message = message
        self.sqlState = sqlState
    }

    /// True when the event's own values were refused (SQLSTATE class 22 data exception, 23
    /// integrity constraint): retrying cannot help, so a processor answers FAIL. Anything else —
    /// no connection, shutting down, out of resources, a missing table, a missing privilege — is
    /// the database's or the operator's to fix: RETRY, so no event is dead-lettered for it.
    public var isEventProblem: Bool {
        guard let state = sqlState else { return false }
        return state.hasPrefix("22") || state.hasPrefix("23")
    }

    public var description: String { sqlState.map { "\(message) (SQLSTATE \($0))" } ?? message }
}
