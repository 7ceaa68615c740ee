import PakaJSON
import PakaPluginSDK

/// One `audit.event`, checked and flattened into the columns of `audit_events`.
struct AuditRecord {
    let eventId: String
    /// The row's key (`event_id`) when the event id is a UUID (see `AuditEventKey`); nil for
    /// another id, which SQL maps.
    let eventUUID: String?
    let action: String
    let resource: String
    let resourceId: String?
    let actor: String?
    /// The event's JSON object as sent, not re-encoded (jsonb normalises it); `{}` when it had none.
    let details: String
    /// The envelope's `time` as sent (PostgreSQL parses it); nil means "now".
    let occurredAt: String?

    /// Why an event cannot be stored: the reason travels to the dead letter.
    struct Malformed: Error { let reason: String }

    private static let envelopeMembers = ["data", "time"].map { Array($0.utf8) }
    private static let dataMembers = ["action", "resource", "requestedBy", "resourceId", "details"].map { Array($0.utf8) }

    /// `key` is `AuditEventKey.uuid(for: event.id)`.
    init(_ event: Event, key: String?) throws(Malformed) {
        self = try event.envelope.withUnsafeBufferPointer { bytes in
            Result { () throws(Malformed) in try AuditRecord(id: event.id, key: key, envelope: bytes) }
        }.get()
    }

    private init(id: String, key: String?, envelope bytes: UnsafeBufferPointer<UInt8>) throws(Malformed) {
        func malformed(_ why: String) -> Malformed { Malformed(reason: "audit event \(id): \(why)") }
        // Most envelopes are ASCII, which needs no UTF-8 check (and no String made for one).
        // The scanner's errors become the one FAIL reason per part below: the event is dead-lettered
        // with it, which is the handling (the scanner's position detail adds nothing for an operator).
        guard !bytes.contains(where: { $0 >= 0x80 }) || String(validating: bytes, as: UTF8.self) != nil,
              let root = try? JSONScanner.members(Self.envelopeMembers, inObject: 0..<bytes.count, of: bytes).get() else {
            throw malformed("envelope is not a JSON object")
        }
        guard let dataRange = root[0], bytes[dataRange.lowerBound] == UInt8(ascii: "{"),
              let data = try? JSONScanner.members(Self.dataMembers, inObject: dataRange, of: bytes).get() else {
            throw malformed("'data' is missing or not an object")
        }
        func first(_ range: Range<Int>?) -> UInt8? { range.map { bytes[$0.lowerBound] } }
        func text(_ member: Int, required: Bool) throws(Malformed) -> String? {
            let field = String(decoding: Self.dataMembers[member], as: UTF8.self)
            switch first(data[member]) {
            case nil, UInt8(ascii: "n"): break
            case UInt8(ascii: "\""):
                let value = JSONScanner.string(data[member]!, of: bytes)
                if !value.isEmpty { return value }
            default: throw malformed("'\(field)' must be a string")
            }
            if required { throw malformed("'\(field)' is required (a non-empty string)") }
            return nil
        }
        eventId = id
        eventUUID = key
        action = try text(0, required: true)!
        resource = try text(1, required: true)!
        actor = try text(2, required: false)
        func badResourceId() -> Malformed { malformed("'resourceId' must be a string or an integer") }
        switch first(data[3]) {
        case nil, UInt8(ascii: "n"): resourceId = nil
        case UInt8(ascii: "\""): resourceId = JSONScanner.string(data[3]!, of: bytes)
        case let byte? where byte == UInt8(ascii: "-") || (0x30...0x39).contains(byte):
            guard let integer = Self.integer(String(decoding: bytes[data[3]!], as: UTF8.self)) else { throw badResourceId() }
            resourceId = integer
        default: throw badResourceId()
        }
        switch first(data[4]) {
        case nil, UInt8(ascii: "n"): details = "{}"
        case UInt8(ascii: "{"): details = String(decoding: bytes[data[4]!], as: UTF8.self)
        default: throw malformed("'details' must be a JSON object")
        }
        switch first(root[1]) {
        case nil, UInt8(ascii: "n"): occurredAt = nil
        case UInt8(ascii: "\""): occurredAt = JSONScanner.string(root[1]!, of: bytes)
        default: throw malformed("envelope 'time' must be an ISO-8601 string")
        }
        // "\u0000" decodes to NUL, which PostgreSQL text cannot hold: COPY would refuse the row
        // but libpq's INSERT parameters (C strings) would cut it short. Refuse it here, one way.
        for (name, value) in [("action", action), ("resource", resource), ("requestedBy", actor), ("resourceId", resourceId), ("time", occurredAt)]
            where value?.utf8.contains(0) == true {
            throw malformed("'\(name)' contains a NUL character (\\u0000), which PostgreSQL text cannot store")
        }
    }

    /// A JSON number that is a whole number, as the id's text: integer literals as written
    /// (any size), `5.0` or `1e3` as "5" and "1000"; nil for a fraction.
    private static func integer(_ literal: String) -> String? {
        if literal.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || (0x30...0x39).contains($0) }) { return literal }
        guard let value = Double(literal), value.rounded() == value, abs(value) < 9_007_199_254_740_992 else { return nil }
        return String(Int64(value))
    }

    /// The columns in statement order (see `AuditStore.insertSQL`).
    /// The raw event id first: the statement maps it (`MigratedDatabase.eventUUID`).
    var parameters: [String?] { [eventId, action, resource, resourceId, actor, details, occurredAt] }
}
