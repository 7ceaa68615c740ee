/// The `event_id` (uuid) of an event, computed here rather than in SQL so rows can travel by
/// COPY, which cannot evaluate expressions. Same mapping as `MigratedDatabase.eventUUID`: a
/// UUID id (any case) is itself; any other id is its MD5, so a redelivered foreign event
/// still finds its row.
enum AuditEventKey {
    static func uuid(for id: String) -> String {
        var id = id
        switch id.withUTF8(form) {
        case .canonical: return id
        case .upperCase: return id.lowercased()
        case .other: break
        }
        let hex = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(36)
        for (i, byte) in MD5.digest(id.utf8).enumerated() {
            if i == 4 || i == 6 || i == 8 || i == 10 { text.append(UInt8(ascii: "-")) }
            text.append(hex[Int(byte >> 4)])
            text.append(hex[Int(byte & 0xF)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    private enum Form { case canonical, upperCase, other }

    /// 8-4-4-4-12 hex digits, as the SQL's `~* '^[0-9a-f]{8}-…-[0-9a-f]{12}$'`.
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
