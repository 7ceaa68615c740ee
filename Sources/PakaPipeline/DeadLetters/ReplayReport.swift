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

    /// What a replay did (or will do) with one letter; the raw values are the API's strings.
    public enum Outcome: String, Sendable, Codable, CaseIterable {
        /// Selected, not delivered yet.
        case pending
        case delivered
        /// The plugin answered FAIL again: a new dead letter was written, the old one is resolved.
        case failedAgain = "failed-again"
        /// Not delivered (still RETRY, plugin inactive, or the new letter could not be written):
        /// the letter stays in the DLQ for a later replay.
        case notDelivered = "not-delivered"
        /// A replay already handled it; `force` delivers it again.
        case skipped
        /// Dry run: it would be delivered.
        case wouldDeliver = "would-deliver"
    }

    public struct Item: Sendable, Codable, Equatable {
        public var letter: String
        public var eventId: String?
        public var outcome: Outcome
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
        delivered = items.filter { $0.outcome == .delivered }.count
        failedAgain = items.filter { $0.outcome == .failedAgain }.count
        skipped = items.filter { $0.outcome == .skipped }.count
        notDelivered = items.filter { $0.outcome == .notDelivered }.count
    }
}
