import Foundation

/// Runs a command to completion with `posix_spawn`, stdout and stderr captured together.
///
/// Why not Foundation's `Process`: on Linux, Swift 6.3's `Process.run()` reads `/proc/self/fd`
/// with a struct copy that can read past glibc's readdir buffer (swift-corelibs-foundation
/// #5472, fixed after 6.3), and the test process holds 1 400–1 700 descriptors while every
/// suite runs: one full run died with SIGSEGV in that copy, in a `cc` launched from here. The
/// child gets none of those descriptors (`closefrom(3)` in the spawn), as `Process` ensured.
public enum SpawnedCommand {
    public struct Failure: Error, CustomStringConvertible { public let description: String }

    public static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws -> (status: Int32, output: String) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw Failure(description: "pipe failed: \(String(cString: strerror(errno)))") }
        // Close-on-exec (Swift's Glibc has no pipe2): no other child keeps this pipe open, or the
        // read below would wait for that child too. A spawn in between inherits it only until it
        // execs with closefrom, as every spawn here does.
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 2)
        if let closeFrom = addCloseFrom { _ = closeFrom(&actions, 3) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var cArguments = ([executable] + arguments).map { strdup($0) } + [nil]
        let environmentLines = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        var cEnvironment = environmentLines.map { strdup($0) } + [nil]
        defer { for pointer in cArguments + cEnvironment { free(pointer) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, &attributes, &cArguments, &cEnvironment)
        close(fds[1])
        guard rc == 0 else {
            close(fds[0])
            throw Failure(description: "cannot run \(executable): \(String(cString: strerror(rc)))")
        }
        let output = PipeReading.readAll(fds[0])
        close(fds[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // As `Process.terminationStatus`: the exit code, or the signal that ended it.
        let signal = status & 0x7f
        return (signal == 0 ? (status >> 8) & 0xff : signal, String(decoding: output, as: UTF8.self))
    }

    /// glibc ≥ 2.34 has it, but Swift's Glibc module does not declare it.
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private static let addCloseFrom: AddCloseFrom? = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np")
        .map { unsafeBitCast($0, to: AddCloseFrom.self) }
}
