import Foundation
import PakaPluginHost

/// One replay request and what it did, as `POST …/dead-letters/replay` and
/// `GET …/dead-letters/replays/{id}` answer; persisted under `PAKA_DATA_DIR/replays/`.
public struct ReplayReport: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable {
        case running, done
        /// Dry run: nothing was delivered; `items` says what would be.
        case dryRun = "dry-run"
        /// The host stopped while it ran: `items` says what it did before.
        case interrupted
    }

    public struct Item: Sendable, Codable, Equatable {
        public var letter: String
        public var eventId: String?
        /// `pending`, `delivered`, `failed-again`, `not-delivered` (still RETRY; stays in the DLQ),
        /// `skipped` (a replay already handled it; use `force`), `would-deliver` (dry run).
        public var outcome: String
        public var reason: String?
    }

    public var id: String
    public var plugin: String
    public var requestedBy: String
    public var requestedAt: Date
    public var finishedAt: Date?
    public var status: Status
    public var force: Bool
    public var ratePerSecond: Double?
    public var selected = 0
    public var delivered = 0
    public var failedAgain = 0
    public var skipped = 0
    public var notDelivered = 0
    /// The selection hit its bound (`DeadLetterStore.scanBudget` or 10 000 letters).
    public var truncated = false
    public var items: [Item] = []

    mutating func count() {
        selected = items.count
        delivered = items.filter { $0.outcome == "delivered" }.count
        failedAgain = items.filter { $0.outcome == "failed-again" }.count
        skipped = items.filter { $0.outcome == "skipped" }.count
        notDelivered = items.filter { $0.outcome == "not-delivered" }.count
    }
}
