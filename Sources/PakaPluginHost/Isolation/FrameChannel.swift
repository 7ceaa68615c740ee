import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One end of the host ↔ worker socket pair: whole frames in, whole frames out.
///
/// Writes are serialised (a plugin may log from several threads while a reply is written);
/// reads belong to one thread per end.
final class FrameChannel: Sendable {
    /// A frame larger than this is a broken peer, not a big batch (events are ≤ 1 MiB each).
    static let maxFrameBytes = 512 << 20

    let fd: Int32
    private let writing = Mutex(())

    init(fd: Int32) { self.fd = fd }

    /// false when the peer is gone.
    @discardableResult
    func send(_ writer: WireWriter) -> Bool {
        let frame = writer.frame
        return writing.withLock { _ in
            frame.withUnsafeBytes { raw in
                var sent = 0
                while sent < raw.count {
                    let n = Glibc.send(fd, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
                    if n > 0 { sent += n } else if n < 0 && errno == EINTR { continue } else { return false }
                }
                return true
            }
        }
    }

    /// The next frame's kind and body; nil at end of stream, on a read error or a malformed frame.
    func receive() -> (kind: WorkerFrameKind, body: [UInt8])? {
        var header = [UInt8](repeating: 0, count: 5)
        guard readFully(&header) else { return nil }
        let length = Int(UInt32(header[0]) | UInt32(header[1]) << 8 | UInt32(header[2]) << 16 | UInt32(header[3]) << 24)
        guard length >= 1, length <= Self.maxFrameBytes, let kind = WorkerFrameKind(rawValue: header[4]) else { return nil }
        var body = [UInt8](repeating: 0, count: length - 1)
        guard readFully(&body) else { return nil }
        return (kind, body)
    }

    private func readFully(_ buffer: inout [UInt8]) -> Bool {
        var got = 0
        let total = buffer.count
        return buffer.withUnsafeMutableBytes { raw in
            while got < total {
                let n = read(fd, raw.baseAddress! + got, total - got)
                if n > 0 { got += n } else if n < 0 && errno == EINTR { continue } else { return false }
            }
            return true
        }
    }

    func close() { _ = Glibc.close(fd) }
}
