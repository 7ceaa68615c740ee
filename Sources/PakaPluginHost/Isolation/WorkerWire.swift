/// The bytes of one frame between the host and a `paka worker`: little-endian integers and
/// length-prefixed byte strings, nothing else. Both sides are the same executable, so the
/// format needs no version; a malformed frame means a broken worker and ends it.
struct WireWriter {
    /// The whole frame: the length prefix (set by `sealLength`), the kind, the fields.
    private(set) var bytes: [UInt8] = []

    init(kind: WorkerFrameKind, capacity: Int = 64) {
        bytes.reserveCapacity(capacity + 5)
        bytes += [0, 0, 0, 0]  // length, filled in by `sealLength`
        bytes.append(kind.rawValue)
    }

    mutating func u8(_ value: UInt8) { bytes.append(value) }
    mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }
    mutating func u32(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func i32(_ value: Int32) { u32(UInt32(bitPattern: value)) }
    mutating func u64(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func i64(_ value: Int64) { u64(UInt64(bitPattern: value)) }

    mutating func data(_ value: [UInt8]) {
        u32(UInt32(truncatingIfNeeded: value.count))
        value.withUnsafeBytes { bytes.append(contentsOf: $0) }
    }

    /// A native string's UTF-8 is copied in one go; others byte by byte.
    mutating func string(_ value: String) {
        let utf8 = value.utf8
        u32(UInt32(truncatingIfNeeded: utf8.count))
        if utf8.withContiguousStorageIfAvailable({ bytes.append(contentsOf: UnsafeRawBufferPointer($0)) }) == nil {
            bytes.append(contentsOf: utf8)
        }
    }

    /// Writes the length prefix (everything after itself) into the frame, in place.
    mutating func sealLength() {
        let length = UInt32(truncatingIfNeeded: bytes.count - 4)
        for i in 0..<4 { bytes[i] = UInt8(truncatingIfNeeded: length >> (8 * UInt32(i))) }
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

    /// Moves past `count` bytes; returns where they start.
    private mutating func skip(_ count: Int) throws(Malformed) -> Int {
        guard count >= 0, count <= bytes.count - at else { throw Malformed() }
        defer { at += count }
        return at
    }

    private mutating func littleEndian(_ width: Int) throws(Malformed) -> UInt64 {
        let start = try skip(width)
        var value: UInt64 = 0
        for i in 0..<width { value |= UInt64(bytes[start + i]) << (8 * UInt64(i)) }
        return value
    }

    mutating func u8() throws(Malformed) -> UInt8 { bytes[try skip(1)] }
    mutating func bool() throws(Malformed) -> Bool { try u8() != 0 }
    mutating func u32() throws(Malformed) -> UInt32 { UInt32(truncatingIfNeeded: try littleEndian(4)) }
    mutating func i32() throws(Malformed) -> Int32 { Int32(bitPattern: try u32()) }
    mutating func u64() throws(Malformed) -> UInt64 { try littleEndian(8) }
    mutating func i64() throws(Malformed) -> Int64 { Int64(bitPattern: try u64()) }

    mutating func data() throws(Malformed) -> [UInt8] {
        let count = Int(try u32())
        let start = try skip(count)
        return Array(bytes[start..<(start + count)])
    }

    mutating func string() throws(Malformed) -> String {
        let count = Int(try u32())
        let start = try skip(count)
        return count == 0 ? "" : String(decoding: bytes[start..<(start + count)], as: UTF8.self)
    }
}

/// What a frame is. Requests go host → worker and get exactly one reply each; `log` and
/// `publish` go worker → host at any time (a plugin may call them from its own threads).
enum WorkerFrameKind: UInt8 {
    case start = 1, handle = 2, flush = 3, health = 4, http = 5, destroy = 6
    case started = 20, handled = 21, flushed = 22, healthReport = 23, httpResponse = 24, destroyed = 25
    case log = 30, publish = 31
}
