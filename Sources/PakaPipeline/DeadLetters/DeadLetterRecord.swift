import Foundation
import PakaPluginHost

/// One dead letter of a plugin as the operator sees it (`GET /plugins/{name}/dead-letters`).
public struct DeadLetterRecord: Sendable, Codable, Equatable {
    /// Where the letter is: `<topic>.dlq:<partition>:<offset>` in Kafka, or
    /// `spool:<topic>:<line>` in the local spool of the synchronous path.
    public var id: String
    /// The CloudEvent id (nil when the value was not a readable envelope).
    public var eventId: String?
    /// The topic the event was consumed from.
    public var topic: String
    /// Where the event was in `topic` (nil when it was processed synchronously).
    public var partition: Int32?
    public var offset: Int64?
    /// When it was dead-lettered.
    public var time: Date
    /// Deliveries tried so far, replays included.
    public var attempts: Int
    public var reason: String
    public var pluginVersion: String?
    /// `kafka` or `spool`.
    public var source: String
    /// Set when this letter is itself a replay that failed again: the letter it replayed.
    public var replayOf: String?
    public var replayBy: String?
    /// `pending`, `replayed` (a replay delivered it) or `failed-again` (a newer letter replaced it).
    public var state: String
}

/// A dead letter with the bytes a replay hands back to the plugin.
package struct DeadLetterEntry: Sendable {
    package var record: DeadLetterRecord
    package var key: [UInt8]
    /// The CloudEvents envelope as it was consumed.
    package var value: [UInt8]
    /// Position for paging: the source (`<dlq topic>:<partition>` or `spool:<topic>`) and the
    /// offset or line inside it.
    var source: String
    var position: Int64
    /// The letter's Kafka headers in order (`paka-error`, `paka-attempts`, `paka.crash.signal`, …),
    /// or the spool line's fields: what the console shows when a letter is opened.
    package var headers: [(name: String, value: String)] = []
}
