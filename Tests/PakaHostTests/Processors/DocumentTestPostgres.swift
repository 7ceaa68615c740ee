import Foundation

/// A private PostgreSQL cluster for the document outage test: started, stopped and restarted by
/// the test, so the shared server of `scripts/test` is never touched.
final class DocumentTestPostgres: @unchecked Sendable {
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
        directory = "/tmp/paka-document-pg-\(UUID().uuidString.prefix(8))"
        port = try Self.freePort()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if getuid() == 0 { _ = try run("/bin/chown", ["postgres:postgres", directory]) }
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
        _ = try? stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// initdb refuses to run as root: run the server binaries as `postgres` then.
    private static func asOwner(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        getuid() == 0 ? try run("/usr/sbin/runuser", ["-u", "postgres", "--", executable] + arguments) : try run(executable, arguments)
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
