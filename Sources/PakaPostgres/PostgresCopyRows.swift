/// Rows in COPY's text format (tab between fields, `\N` for NULL, backslash escapes), the data
/// of `PostgresConnection.copy`. Values travel as data, never spliced into SQL.
public struct PostgresCopyRows: Sendable {
    public private(set) var bytes: [UInt8] = []
    public private(set) var count = 0
    private var startsRow = true

    public init(reservingBytes capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    /// Appends the next field of the current row; nil is SQL NULL.
    public mutating func append(_ value: String?) {
        if !startsRow { bytes.append(UInt8(ascii: "\t")) }
        startsRow = false
        guard let value else {
            bytes.append(UInt8(ascii: "\\"))
            bytes.append(UInt8(ascii: "N"))
            return
        }
        var text = value
        text.withUTF8 { utf8 in
            // Runs without special characters are copied whole: most values have none.
            var start = 0
            for i in 0..<utf8.count {
                let escaped: UInt8
                switch utf8[i] {
                case UInt8(ascii: "\\"): escaped = UInt8(ascii: "\\")
                case 0x0A: escaped = UInt8(ascii: "n")
                case 0x0D: escaped = UInt8(ascii: "r")
                case 0x09: escaped = UInt8(ascii: "t")
                default: continue
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<i]))
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(escaped)
                start = i + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...]))
        }
    }

    /// Ends the current row.
    public mutating func endRow() {
        bytes.append(0x0A)
        count += 1
        startsRow = true
    }
}
