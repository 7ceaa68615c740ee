import Foundation

/// A private PostgreSQL cluster for outage tests: initdb in /tmp (owned by `postgres` when
/// running as root, since initdb refuses root), on a free port, started, stopped and restarted
/// by the test, so the shared server of `scripts/test` is never touched.
final class ThrowawayPostgres: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible { let description: String }

    let directory: String
    let port: Int
    var url: String { "postgresql://postgres@127.0.0.1:\(port)/postgres?connect_timeout=3" }

    private static var bin: String {
        get throws {
            let root = "/usr/lib/postgresql"
            let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).sorted { $0.compare($1, options: .numeric) == .orderedAscending }
            guard let version = versions.last else { throw Failure(description: "PostgreSQL server binaries not found in \(root) (apt-get install postgresql)") }
            return "\(root)/\(version)/bin"
        }
    }

    init() throws {
        directory = "/tmp/paka-throwaway-pg-\(UUID().uuidString.prefix(8))"
        port = try Self.freePort()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if getuid() == 0 { _ = try Self.chown(directory) }
        chmod(directory, 0o700)
        let initdb = try Self.asOwner("\(try Self.bin)/initdb", ["-D", directory, "-U", "postgres", "--auth=trust", "-E", "UTF8"])
        guard initdb.status == 0 else { throw Failure(description: "initdb failed: \(initdb.output)") }
        try start()
    }

    func start() throws {
        let result = try Self.asOwner("\(try Self.bin)/pg_ctl", ["-D", directory, "-l", "\(directory)/server.log", "-w", "-t", "60", "-o",
                                                                 "-p \(port) -k \(directory) -c listen_addresses=127.0.0.1 -c fsync=off", "start"])
        guard result.status == 0 else { throw Failure(description: "pg_ctl start failed: \(result.output)") }
    }

    func stop() throws {
        let result = try Self.asOwner("\(try Self.bin)/pg_ctl", ["-D", directory, "-m", "fast", "-w", "stop"])
        guard result.status == 0 else { throw Failure(description: "pg_ctl stop failed: \(result.output)") }
    }

    deinit {
        _ = try? Self.asOwner("\(try Self.bin)/pg_ctl", ["-D", directory, "-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// initdb refuses to run as root: run the server binaries as `postgres` then.
    ///
    /// posix_spawn + waitpid rather than Foundation's Process: the server pg_ctl leaves running
    /// would inherit whatever Process uses to notice the exit (and any pipe), so that wait never
    /// ends. The child gets /dev/null, a log file, and no other descriptor of this process.
    private static func asOwner(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let command = getuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--", executable] + arguments : [executable] + arguments
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("paka-throwaway-pg-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // glibc's addclosefrom_np is not visible to Swift: bash closes the rest before exec.
        let closeOthers = #"for fd in $(ls /proc/$$/fd); do [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done 2>/dev/null; exec "$@""#
        let argv = (["/bin/bash", "-c", closeOthers, "bash"] + command).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/bash", &actions, nil, argv, environ)
        guard spawned == 0 else { throw Failure(description: "cannot run \(command[0]): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let exitCode = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return (exitCode, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }

    private static func chown(_ path: String) throws -> Bool {
        guard let owner = getpwnam("postgres") else { throw Failure(description: "no 'postgres' user: apt-get install postgresql") }
        return Glibc.chown(path, owner.pointee.pw_uid, owner.pointee.pw_gid) == 0
    }

    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw Failure(description: "no free port: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
