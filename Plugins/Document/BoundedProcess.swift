import Foundation
import PakaPluginSDK
import Synchronization

/// Runs an external program with a wall-clock limit and a limit on the size of any file it
/// writes, so that one crafted input cannot stall or fill the processor's disk.
///
/// The size limit is the child's RLIMIT_FSIZE, set by `/bin/sh`'s `ulimit -f` just before it
/// `exec`s the program: past it the kernel stops the program with SIGXFSZ. Started with
/// ``ChildProcess`` (not Foundation's `Process`, which can crash a host with many descriptors).
struct BoundedProcess {
    enum Exit: Equatable {
        case exited(Int32)
        case signalled(Int32)
        case timedOut
        case outputTooLarge
    }

    var executable: String
    var arguments: [String]
    var timeoutSeconds: Double
    var maximumFileBytes: Int

    func run() throws -> Exit {
        // ulimit -f counts 512-byte blocks in dash and POSIX sh; round up so the cap is never lower.
        let blocks = max(1, (maximumFileBytes + 511) / 512)
        let pid: pid_t
        do {
            pid = try ChildProcess.spawn("/bin/sh", ["-c", "ulimit -f \(blocks) && exec \"$0\" \"$@\"", executable] + arguments)
        } catch { throw ExtractionError("cannot run \(executable): \(error)") }
        let finished = DispatchSemaphore(value: 0)
        let ended = Mutex<ChildProcess.Exit?>(nil)
        let reaper = Thread {
            let exit = ChildProcess.wait(pid)
            ended.withLock { $0 = exit }
            finished.signal()
        }
        reaper.start()
        if finished.wait(timeout: .now() + timeoutSeconds) == .timedOut {
            kill(pid, SIGKILL)
            finished.wait()
            return .timedOut
        }
        switch ended.withLock({ $0 }) {
        case .signalled(SIGXFSZ): return .outputTooLarge
        case .signalled(let signal): return .signalled(signal)
        case .exited(let code): return .exited(code)
        case nil: return .exited(-1)  // unreachable: the reaper sets it before it signals
        }
    }
}
