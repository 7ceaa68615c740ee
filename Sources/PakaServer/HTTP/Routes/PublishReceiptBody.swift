import PakaPipeline
import PakaPluginHost

/// The answer of the three `/kafka/test/*` routes.
///
/// Kafka mode: the seed's exact body, plus `eventId` and `mode`. Synchronous mode (Kafka not
/// connected): the same `ok`, `topic` (and `note`), a message saying it was processed
/// synchronously, and each consuming plugin's outcome. A plugin's FAIL still answers `ok: true`:
/// the event was accepted and is not lost — it sits in the local dead-letter spool — and the
/// outcome says what happened.
struct PublishReceiptBody: Encodable, Equatable {
    var ok = true
    var message: String
    var topic: String
    var note: String?
    var eventId: String
    var mode: String
    /// Synchronous mode only: plugin name → "ok", "retry: <reason>" or "fail: <reason>".
    var outcomes: [String: String]?

    struct Wording {
        /// "Notification event published to Kafka"
        var published: String
        /// "Kafka not connected - notification processed synchronously"
        var processedSynchronously: String
        var kafkaNote: String?
        var synchronousNote: String?

        static let notification = Wording(
            published: "Notification event published to Kafka",
            processedSynchronously: "Kafka not connected - notification processed synchronously")
        static let audit = Wording(
            published: "Audit event published to Kafka",
            processedSynchronously: "Kafka not connected - audit event processed synchronously")
        static let report = Wording(
            published: "Report generation request published to Kafka",
            processedSynchronously: "Kafka not connected - report generated synchronously",
            kafkaNote: "Report will be generated async and sent to Telegram",
            synchronousNote: "Report was generated synchronously and sent to Telegram when configured")
    }

    init(_ receipt: EventRouter.Receipt, wording: Wording) {
        topic = receipt.topic
        eventId = receipt.eventId
        mode = receipt.mode.rawValue
        switch receipt.mode {
        case .kafka:
            message = wording.published
            note = wording.kafkaNote
        case .synchronous:
            message = wording.processedSynchronously
            note = wording.synchronousNote
            outcomes = receipt.outcomes.mapValues(Self.describe)
        }
    }

    static func describe(_ outcome: EventOutcome) -> String {
        switch outcome {
        case .ok: "ok"
        case .retry(let reason): "retry: \(reason)"
        case .fail(let reason): "fail: \(reason)"
        }
    }
}
