/// The bytes of one frame between the host and a `paka worker`: little-endian integers and
/// length-prefixed byte strings, nothing else. Both sides are the same executable, so the
/// format needs no version; a malformed frame means a broken worker and ends it.
struct WireWriter {
    private(set) var bytes: [UInt8] = []

    init(kind: WorkerFrameKind, capacity: Int = 64) {
        bytes.reserveCapacity(capacity + 5)
        bytes += [0, 0, 0, 0]  // length, filled in by `frame`
        bytes.append(kind.rawValue)
    }

    mutating func u8(_ value: UInt8) { bytes.append(value) }
    mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }
    mutating func u32(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
    mutating func i32(_ value: Int32) { u32(UInt32(bitPattern: value)) }
    mutating func u64(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
    mutating func i64(_ value: Int64) { u64(UInt64(bitPattern: value)) }

    mutating func data<C: Collection<UInt8>>(_ value: C) {
        u32(UInt32(truncatingIfNeeded: value.count))
        bytes.append(contentsOf: value)
    }

    mutating func string(_ value: String) { data(value.utf8) }

    /// The finished frame: the length prefix counts everything after itself.
    var frame: [UInt8] {
        var out = bytes
        let length = UInt32(truncatingIfNeeded: out.count - 4).littleEndian
        withUnsafeBytes(of: length) { for i in 0..<4 { out[i] = $0[i] } }
        return out
    }
}

/// Reads the fields of one frame body in order; every read checks the bounds.
struct WireReader {
    struct Malformed: Error, CustomStringConvertible {
        var description: String { "malformed frame from the other side of the worker channel" }
    }

    private let bytes: [UInt8]
    private var at = 0

    init(_ body: [UInt8]) { bytes = body }

    private mutating func take(_ count: Int) throws(Malformed) -> ArraySlice<UInt8> {
        guard count >= 0, count <= bytes.count - at else { throw Malformed() }
        defer { at += count }
        return bytes[at..<(at + count)]
    }

    mutating func u8() throws(Malformed) -> UInt8 { try take(1).first ?? 0 }
    mutating func bool() throws(Malformed) -> Bool { try u8() != 0 }

    mutating func u32() throws(Malformed) -> UInt32 {
        try take(4).reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    }

    mutating func i32() throws(Malformed) -> Int32 { Int32(bitPattern: try u32()) }

    mutating func u64() throws(Malformed) -> UInt64 {
        try take(8).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }

    mutating func i64() throws(Malformed) -> Int64 { Int64(bitPattern: try u64()) }

    mutating func data() throws(Malformed) -> [UInt8] { Array(try take(Int(try u32()))) }

    mutating func string() throws(Malformed) -> String { String(decoding: try data(), as: UTF8.self) }
}

/// What a frame is. Requests go host → worker and get exactly one reply each; `log` and
/// `publish` go worker → host at any time (a plugin may call them from its own threads).
enum WorkerFrameKind: UInt8 {
    case start = 1, handle = 2, flush = 3, health = 4, http = 5, destroy = 6
    case started = 20, handled = 21, flushed = 22, healthReport = 23, httpResponse = 24, destroyed = 25
    case log = 30, publish = 31
}
