import Foundation

/// Runs an external program with a wall-clock limit and a limit on the size of any file it
/// writes, so that one crafted input cannot stall or fill the processor's disk.
///
/// The size limit is the child's RLIMIT_FSIZE, set by `/bin/sh`'s `ulimit -f` just before it
/// `exec`s the program: past it the kernel stops the program with SIGXFSZ.
///
/// Why `posix_spawn` and not Foundation's `Process`: on Linux, Swift 6.3's `Process.run()` reads
/// `/proc/self/fd` with a struct copy that can read past glibc's readdir buffer and crash the
/// whole process (swift-corelibs-foundation #5472, fixed after 6.3). A host with many Kafka
/// connections has a long fd list, and this runs inside the host: a test process with ~1 400
/// open descriptors crashed in exactly that copy.
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
        let argv = ["/bin/sh", "-c", "ulimit -f \(blocks) && exec \"$0\" \"$@\"", executable] + arguments
        let pid = try spawn(argv)
        let finished = DispatchSemaphore(value: 0)
        let status = WaitStatus()
        let reaper = Thread {
            var raw: Int32 = 0
            while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
            status.value = raw
            finished.signal()
        }
        reaper.start()
        if finished.wait(timeout: .now() + timeoutSeconds) == .timedOut {
            kill(pid, SIGKILL)
            finished.wait()
            return .timedOut
        }
        let raw = status.value
        let signal = raw & 0x7f
        if signal == 0 { return .exited((raw >> 8) & 0xff) }
        return signal == SIGXFSZ ? .outputTooLarge : .signalled(signal)
    }

    /// Starts `/bin/sh` with stdin, stdout and stderr on /dev/null, default signal handling and
    /// an empty signal mask (the host blocks some signals for its own handling).
    private func spawn(_ argv: [String]) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd: Int32 in 0...2 { posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, "/bin/sh", &actions, &attributes, &cArguments, environ)
        guard rc == 0 else { throw ExtractionError("cannot run \(executable): \(String(cString: strerror(rc)))") }
        return pid
    }
}

/// The reaper thread's answer, read after its signal.
private final class WaitStatus: @unchecked Sendable {
    // @unchecked: written once by the reaper before it signals, read after the wait.
    var value: Int32 = 0
}
