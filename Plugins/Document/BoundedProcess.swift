import Foundation

/// Runs an external program with a wall-clock limit and a limit on the size of any file it
/// writes, so that one crafted input cannot stall or fill the processor's disk.
///
/// The size limit is the child's RLIMIT_FSIZE, set by `/bin/sh`'s `ulimit -f` just before it
/// `exec`s the program (Foundation's `Process` cannot set limits itself): past it the kernel
/// stops the program with SIGXFSZ.
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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        // ulimit -f counts 512-byte blocks in dash and POSIX sh; round up so the cap is never lower.
        let blocks = max(1, (maximumFileBytes + 511) / 512)
        process.arguments = ["-c", "ulimit -f \(blocks) && exec \"$0\" \"$@\"", executable] + arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        do { try process.run() } catch { throw ExtractionError("cannot run \(executable): \(error)") }
        if finished.wait(timeout: .now() + timeoutSeconds) == .timedOut {
            kill(process.processIdentifier, SIGKILL)
            finished.wait()
            return .timedOut
        }
        switch process.terminationReason {
        case .uncaughtSignal where process.terminationStatus == SIGXFSZ: return .outputTooLarge
        case .uncaughtSignal: return .signalled(process.terminationStatus)
        case .exit: return .exited(process.terminationStatus)
        @unknown default: return .exited(process.terminationStatus)
        }
    }
}
