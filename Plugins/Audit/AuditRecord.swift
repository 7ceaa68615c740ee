import Foundation
import PakaPluginSDK

/// One `audit.event`, checked and flattened into the columns of `audit_events`.
struct AuditRecord {
    let eventId: String
    let action: String
    let resource: String
    let resourceId: String?
    let actor: String?
    /// JSON object text (`{}` when the event had none).
    let details: String
    /// The envelope's `time` as sent (PostgreSQL parses it); nil means "now".
    let occurredAt: String?

    /// Why an event cannot be stored: the reason travels to the dead letter.
    struct Malformed: Error { let reason: String }

    init(_ event: Event) throws(Malformed) {
        guard let root = try? JSONSerialization.jsonObject(with: Data(event.envelope)) as? [String: Any] else {
            throw Malformed(reason: "audit event \(event.id): envelope is not a JSON object")
        }
        guard let data = root["data"] as? [String: Any] else {
            throw Malformed(reason: "audit event \(event.id): 'data' is missing or not an object")
        }
        func text(_ field: String, required: Bool) throws(Malformed) -> String? {
            let value = data[field]
            if let text = value as? String, !text.isEmpty { return text }
            guard value == nil || value is NSNull || (value as? String)?.isEmpty == true else {
                throw Malformed(reason: "audit event \(event.id): '\(field)' must be a string")
            }
            if required { throw Malformed(reason: "audit event \(event.id): '\(field)' is required (a non-empty string)") }
            return nil
        }
        eventId = event.id
        action = try text("action", required: true)!
        resource = try text("resource", required: true)!
        actor = try text("requestedBy", required: false)
        switch data["resourceId"] {
        case nil, is NSNull: resourceId = nil
        case let value as String: resourceId = value
        case let value as NSNumber where Self.isInteger(value): resourceId = value.stringValue
        default: throw Malformed(reason: "audit event \(event.id): 'resourceId' must be a string or an integer")
        }
        switch data["details"] {
        case nil, is NSNull: details = "{}"
        case let value as [String: Any]:
            guard let json = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]) else {
                throw Malformed(reason: "audit event \(event.id): 'details' cannot be stored as JSON")
            }
            details = String(decoding: json, as: UTF8.self)
        default: throw Malformed(reason: "audit event \(event.id): 'details' must be a JSON object")
        }
        switch root["time"] {
        case nil, is NSNull: occurredAt = nil
        case let value as String: occurredAt = value
        default: throw Malformed(reason: "audit event \(event.id): envelope 'time' must be an ISO-8601 string")
        }
    }

    /// Booleans arrive as NSNumber too: only whole numbers that are not booleans are ids.
    private static func isInteger(_ number: NSNumber) -> Bool {
        let type = String(cString: number.objCType)
        return type != "c" && type != "B" && number.doubleValue.rounded() == number.doubleValue
    }

    /// The columns in statement order (see `AuditStore.insertSQL`).
    var parameters: [String?] { [eventId, action, resource, resourceId, actor, details, occurredAt] }
}
