import Glibc
import Synchronization

/// Random (version 4) UUIDs in lowercase text form, the default CloudEvent `id`.
///
/// Why not `UUID().uuidString.lowercased()`: on Linux Foundation opens, reads and closes
/// `/dev/urandom` for every UUID (three system calls, ~2 µs of CPU and far more wall time on a
/// busy machine), which was the single largest cost of a publish. Here one `arc4random_buf` call (glibc's `getrandom` wrapper) fills
/// a pool good for 256 ids; the bytes are the same kernel CSPRNG output, so ids stay as
/// unguessable and collision-free as before.
public enum EventID {
    private struct Pool: ~Copyable {
        let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 8)
        var next = 4096

        deinit { bytes.deallocate() }

        mutating func take16() -> (UInt64, UInt64) {
            if next == bytes.count { refill() }
            defer { next += 16 }
            return (bytes.load(fromByteOffset: next, as: UInt64.self),
                    bytes.load(fromByteOffset: next + 8, as: UInt64.self))
        }

        private mutating func refill() {
            arc4random_buf(bytes.baseAddress!, bytes.count)  // glibc ≥ 2.36: getrandom(2), never fails
            next = 0
        }
    }

    private static let pool = Mutex(Pool())

    /// A new id such as `3f2b8c1e-9d4a-4b6f-8e21-5a7c0d9e4f13`.
    public static func random() -> String {
        var (high, low) = pool.withLock { $0.take16() }
        high = (high & ~0xF000) | 0x4000                       // version 4 (bits 48-51 of the text)
        low = (low & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000  // RFC 4122 variant
        return String(unsafeUninitializedCapacity: 36) { text in
            let hex: StaticString = "0123456789abcdef"
            var at = 0
            func put(_ value: UInt64, nibbles: Int) {
                for shift in stride(from: (nibbles - 1) * 4, through: 0, by: -4) {
                    text[at] = hex.utf8Start[Int(value >> UInt64(shift) & 0xF)]
                    at += 1
                }
            }
            put(high >> 32, nibbles: 8); text[at] = 0x2D; at += 1
            put(high >> 16, nibbles: 4); text[at] = 0x2D; at += 1
            put(high, nibbles: 4); text[at] = 0x2D; at += 1
            put(low >> 48, nibbles: 4); text[at] = 0x2D; at += 1
            put(low, nibbles: 12)
            return at
        }
    }
}
