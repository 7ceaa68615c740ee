/// The `event_id` (uuid) of an event whose id is a UUID, computed here so its row can travel by
/// COPY (which cannot evaluate expressions). Other ids map to `md5(id)::uuid` in SQL
/// (`MigratedDatabase.eventUUID`, the one definition of that mapping), so their rows take the
/// INSERT path; Paka's own events always have UUID ids.
enum AuditEventKey {
    /// The id in canonical (lower-case) form when it is a UUID in any case, as the SQL's
    /// `~* '^[0-9a-f]{8}-…-[0-9a-f]{12}$'` accepts it; nil otherwise.
    static func uuid(for id: String) -> String? {
        var id = id
        switch id.withUTF8(form) {
        case .canonical: return id
        case .upperCase: return id.lowercased()
        case .other: return nil
        }
    }

    private enum Form { case canonical, upperCase, other }

    /// 8-4-4-4-12 hex digits.
    private static func form(_ utf8: UnsafeBufferPointer<UInt8>) -> Form {
        guard utf8.count == 36 else { return .other }
        var upper = false
        for i in 0..<36 {
            let byte = utf8[i]
            if i == 8 || i == 13 || i == 18 || i == 23 {
                guard byte == UInt8(ascii: "-") else { return .other }
                continue
            }
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"): continue
            case UInt8(ascii: "A")...UInt8(ascii: "F"): upper = true
            default: return .other
            }
        }
        return upper ? .upperCase : .canonical
    }
}
