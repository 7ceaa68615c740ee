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

    /// false when the peer is gone. The frame is sealed in place and written as it is.
    @discardableResult
    func send(_ writer: consuming WireWriter) -> Bool {
        writer.sealLength()
        return writing.withLock { _ in
            writer.bytes.withUnsafeBytes { raw in
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
        var header: (UInt32, UInt8) = (0, 0)
        let headerRead = withUnsafeMutableBytes(of: &header) { raw in readFully(raw.baseAddress!, 5) }
        guard headerRead else { return nil }
        let length = Int(UInt32(littleEndian: header.0))
        guard length >= 1, length <= Self.maxFrameBytes, let kind = WorkerFrameKind(rawValue: header.1) else { return nil }
        var complete = false
        // Not zero-filled first: every byte is read into before the array is used.
        let body = [UInt8](unsafeUninitializedCapacity: length - 1) { buffer, count in
            complete = buffer.baseAddress.map { readFully(UnsafeMutableRawPointer($0), length - 1) } ?? true
            count = complete ? length - 1 : 0
        }
        return complete ? (kind, body) : nil
    }

    private func readFully(_ start: UnsafeMutableRawPointer, _ total: Int) -> Bool {
        var got = 0
        while got < total {
            let n = read(fd, start + got, total - got)
            if n > 0 { got += n } else if n < 0 && errno == EINTR { continue } else { return false }
        }
        return true
    }

    func close() { _ = Glibc.close(fd) }
}
