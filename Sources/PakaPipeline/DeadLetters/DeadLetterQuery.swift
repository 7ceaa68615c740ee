import Foundation
import PakaPluginHost

/// Filters of a dead-letter listing or replay selection.
public struct DeadLetterQuery: Sendable {
    public var limit = 50
    public var since: Date?
    public var until: Date?
    /// Case-insensitive substring of the reason.
    public var errorContains: String?
    /// Letter ids or event ids; nil selects by the other filters.
    public var ids: Set<String>?
    /// Only letters of events the plugin crashed or hung on (process isolation): their reason is
    /// `CrashReport.message` ("plugin crashed: …", "plugin hung: …").
    public var crashesOnly = false
    /// Include letters a replay already resolved.
    public var includeResolved = false
    /// Opaque, from the previous page's `nextCursor`.
    public var cursor: String?

    public init() {}

    func matches(_ record: DeadLetterRecord) -> Bool {
        if let since, record.time < since { return false }
        if let until, record.time > until { return false }
        if let errorContains, !errorContains.isEmpty, record.reason.range(of: errorContains, options: .caseInsensitive) == nil { return false }
        if crashesOnly, !(record.reason.hasPrefix("plugin crashed:") || record.reason.hasPrefix("plugin hung:")) { return false }
        if let ids, !ids.contains(record.id), !(record.eventId.map(ids.contains) ?? false) { return false }
        if !includeResolved, record.state != "pending" { return false }
        return true
    }
}

/// One page of dead letters, newest first.
public struct DeadLetterPage: Sendable, Codable {
    public var letters: [DeadLetterRecord]
    /// Pass as `cursor` for the next (older) page; nil when there is none.
    public var nextCursor: String?
    /// Dead-letter messages read to answer (all plugins' letters on the plugin's `.dlq` topics).
    public var scanned: Int
    /// True when the scan stopped at its bound before reaching the oldest letter.
    public var truncated: Bool
    /// Why the `.dlq` topics could not be read (the letters then come from the spool only).
    public var kafkaUnavailable: String?
}
