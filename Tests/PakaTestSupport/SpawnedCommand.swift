import Foundation
import PakaPluginSDK

/// Runs a command to completion with ``ChildProcess`` (not Foundation's `Process`: it can crash
/// a process holding many descriptors, as the test process does while every suite runs), stdout
/// and stderr captured together.
public enum SpawnedCommand {
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws -> (status: Int32, output: String) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw ChildProcess.SpawnFailure(description: "pipe failed: \(String(cString: strerror(errno)))") }
        // Close-on-exec (Swift's Glibc has no pipe2): no other child keeps this pipe open, or the
        // read below would wait for that child too.
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        let pid: pid_t
        do { pid = try ChildProcess.spawn(executable, arguments, environment: environment, output: fds[1]) } catch {
            close(fds[0])
            close(fds[1])
            throw error
        }
        close(fds[1])
        let output = PipeReading.readAll(fds[0])
        close(fds[0])
        // As `Process.terminationStatus`: the exit code, or the signal that ended it.
        switch ChildProcess.wait(pid) {
        case .exited(let code), .signalled(let code): return (code, String(decoding: output, as: UTF8.self))
        }
    }
}
