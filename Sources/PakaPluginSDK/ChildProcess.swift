import Foundation

/// Starts a program from inside the host without Foundation's `Process`.
///
/// Why: on Linux, Swift 6.3's `Process.run()` reads `/proc/self/fd` with a struct copy that can
/// read past glibc's readdir buffer and crash the whole process (swift-corelibs-foundation
/// #5472, fixed after 6.3). A host with many Kafka connections has a long descriptor list, and
/// a plugin runs inside the host: a test process with ~1 400 descriptors crashed in that copy.
///
/// The child gets stdin from /dev/null, stdout and stderr on `output` (or /dev/null), default
/// signal handling, an empty signal mask (the host blocks some signals for its own handling),
/// and none of the host's other descriptors, as `Process` ensured.
public enum ChildProcess {
    public struct SpawnFailure: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    /// How a child ended, from `waitpid`'s status.
    public enum Exit: Equatable, Sendable {
        case exited(Int32)
        case signalled(Int32)

        init(waitStatus raw: Int32) {
            let signal = raw & 0x7f
            self = signal == 0 ? .exited((raw >> 8) & 0xff) : .signalled(signal)
        }
    }

    /// Spawns `executable` with `arguments` (argv[1...]); `environment` nil: the host's.
    public static func spawn(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                             output: Int32? = nil) throws(SpawnFailure) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if let output {
            posix_spawn_file_actions_adddup2(&actions, output, 1)
            posix_spawn_file_actions_adddup2(&actions, output, 2)
        } else {
            for fd: Int32 in 1...2 { posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", O_WRONLY, 0) }
        }
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
        let lines = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        var cEnvironment = lines.map { strdup($0) } + [nil]
        defer { for pointer in cArguments + cEnvironment { free(pointer) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, &attributes, &cArguments, &cEnvironment)
        guard rc == 0 else { throw SpawnFailure(description: "cannot run \(executable): \(String(cString: strerror(rc)))") }
        return pid
    }

    /// Waits for `pid` to end (retrying on EINTR).
    public static func wait(_ pid: pid_t) -> Exit {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return Exit(waitStatus: status)
    }

    /// glibc ≥ 2.34 has it, but Swift's Glibc module does not declare it.
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private static let addCloseFrom: AddCloseFrom? = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np")
        .map { unsafeBitCast($0, to: AddCloseFrom.self) }
}
