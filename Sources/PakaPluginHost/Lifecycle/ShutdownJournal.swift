import Foundation
import Glibc
import Synchronization

/// Which shutdown steps ran, in order, and on which thread: the evidence that no blocking step
/// of the host's shutdown ran on the cooperative pool (see `ShutdownStep`).
package final class ShutdownJournal: Sendable {
    package struct Entry: Sendable, Equatable {
        package var step: String
        /// `pthread_self()` of the thread that ran the step.
        package var thread: UInt
        /// That thread's name (`TP-#n` for a `BlockingPool` thread).
        package var threadName: String
    }

    private let entries = Mutex<[Entry]>([])

    package init() {}

    package var steps: [Entry] { entries.withLock { $0 } }

    /// Records `step` as running now, on the calling thread.
    func record(_ step: String) {
        let entry = Entry(step: step, thread: UInt(pthread_self()), threadName: Self.currentThreadName())
        entries.withLock { $0.append(entry) }
    }

    /// The calling thread's name as the kernel has it (`pthread_getname_np` is not in Swift's
    /// Glibc module); empty when it cannot be read.
    package static func currentThreadName() -> String {
        let fd = open("/proc/thread-self/comm", O_RDONLY)
        guard fd >= 0 else { return "" }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { return "" }
        return String(decoding: buffer.prefix(count), as: UTF8.self).trimmingCharacters(in: .newlines)
    }
}
