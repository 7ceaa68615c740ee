import Foundation
import PakaPipeline
import PakaPluginHost
import PakaPostgres

/// What the notification tests need around the plugin: Debian's Python (the one python3-aiosmtpd
/// installs into), PostgreSQL from DATABASE_URL, free ports, waiting for child servers.
enum NotificationTestEnvironment {
    struct Missing: Error, CustomStringConvertible { let description: String }

    /// /usr/bin/python3 first: a python3 earlier on PATH (pyenv, a venv) lacks Debian's aiosmtpd.
    static var python: String { FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "/usr/local/bin/python3" }

    static func databaseURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty else {
            throw Missing(description: "DATABASE_URL is not set: run the tests through scripts/test (it starts PostgreSQL) or export DATABASE_URL")
        }
        return url
    }

    static func database() throws -> PostgresConnection { try PostgresConnection(url: try databaseURL()) }

    /// A loopback port nobody listens on right now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw Missing(description: "cannot bind a loopback socket") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Waits (up to 15 s) until something accepts connections on `port`.
    static func waitForListener(port: Int, what: String) throws {
        for _ in 0..<150 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
            close(fd)
            if connected { return }
            usleep(100_000)
        }
        throw Missing(description: "\(what) did not start listening on port \(port) within 15 s")
    }

    /// Waits (up to 15 s) for a file a child process writes; returns its text.
    static func waitForFile(_ path: String, what: String) throws -> String? {
        for _ in 0..<150 {
            if let text = try? String(contentsOfFile: path, encoding: .utf8) { return text.trimmingCharacters(in: .whitespacesAndNewlines) }
            usleep(100_000)
        }
        throw Missing(description: "\(what) did not start within 15 s (is \(python) installed?)")
    }
}
