import CPakaIsolation
import Foundation
import Logging

/// One running `paka worker` child seen from the host: its socket, a reader thread that serves
/// the plugin's `log`/`publish` frames and hands replies to the caller, and how it ended.
///
/// One request at a time (the instance pool lends each instance to one thread).
final class WorkerProcess: @unchecked Sendable {
    // @unchecked: `reply`, `ended` and `killedAfter` are guarded by `condition`.
    let pid: pid_t
    private let channel: FrameChannel
    private let pluginName: String
    private let services: any PluginHostServices
    private let condition = NSCondition()
    private var reply: (kind: WorkerFrameKind, body: [UInt8])?
    private var ended: WorkerExit?
    /// Set when the host killed the worker for not answering in time.
    private var killedAfter: Int?
    /// The caller's ``PublishCapture`` while a call is pending: the worker's publishes arrive on
    /// the reader thread, before the call's reply, and belong to the event being handled.
    private var capture: PublishCapture?

    /// The `paka` executable to run as a worker: `PAKA_WORKER_EXECUTABLE` (tests, where this
    /// process is the test runner), else this very executable.
    static var executable: String {
        if let path = ProcessInfo.processInfo.environment["PAKA_WORKER_EXECUTABLE"], !path.isEmpty { return path }
        // Without /proc (never on Linux hosts) argv[0] is the next best answer; a wrong one fails
        // the worker's start, which is reported with the path tried.
        return (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments.first ?? "paka"
    }

    /// The host's environment, minus Swift's crash backtracer unless asked for: symbolicating a
    /// crashed worker takes seconds, and the host reports the crash itself.
    static var environment: [String] {
        var environment = ProcessInfo.processInfo.environment
        if environment["SWIFT_BACKTRACE"] == nil { environment["SWIFT_BACKTRACE"] = "enable=no" }
        return environment.map { "\($0.key)=\($0.value)" }
    }

    /// Starts a worker; the thrown text says why none could be started.
    init(pluginName: String, services: any PluginHostServices) throws(WorkerStartFailure) {
        self.pluginName = pluginName
        self.services = services
        var fds: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
            throw WorkerStartFailure(message: "socketpair failed: \(String(cString: strerror(errno)))")
        }
        // A batch of 500 events is ~200 KB, about the default send buffer: with room for a few
        // frames each `send` completes at once instead of waking the reader once per part.
        // Memory is only used while a frame is in flight; the kernel caps it at wmem_max.
        var room: Int32 = 4 << 20
        for fd in fds { _ = setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &room, socklen_t(MemoryLayout<Int32>.size)) }
        let executable = Self.executable
        let arguments = [executable, "worker", "--plugin", pluginName]
        var cArguments = arguments.map { strdup($0) } + [nil]
        var cEnvironment = Self.environment.map { strdup($0) } + [nil]
        defer { for pointer in cArguments + cEnvironment { free(pointer) } }
        var child: pid_t = 0
        let rc = paka_spawn_worker(executable, &cArguments, &cEnvironment, fds[1], &child)
        close(fds[1])
        guard rc == 0 else {
            close(fds[0])
            throw WorkerStartFailure(message: "cannot run \(executable) worker: \(String(cString: strerror(rc)))")
        }
        pid = child
        channel = FrameChannel(fd: fds[0])
        let thread = Thread { [self] in readUntilEnd() }
        thread.name = "paka-worker-\(pluginName)"
        thread.start()
    }

    /// Sends `request` and waits for a reply of kind `expecting`, at most `timeoutMs` (then the
    /// worker is killed). The failure is how the worker ended.
    func call(_ request: WireWriter, expecting: WorkerFrameKind, timeoutMs: Int) -> Result<[UInt8], WorkerExit> {
        condition.lock()
        if let ended {
            condition.unlock()
            return .failure(ended)
        }
        reply = nil
        capture = PublishCapture.current
        condition.unlock()
        let sent = channel.send(request)
        let deadline = Date().addingTimeInterval(Double(timeoutMs) / 1000)
        condition.lock()
        defer {
            capture = nil
            condition.unlock()
        }
        while reply == nil && ended == nil {
            if sent, killedAfter == nil {
                if !condition.wait(until: deadline), reply == nil, ended == nil {
                    killedAfter = timeoutMs
                    kill(pid, SIGKILL)
                }
            } else {
                condition.wait()  // the reader sees the end of the stream and reaps the worker
            }
        }
        if let reply {
            self.reply = nil
            if reply.kind == expecting { return .success(reply.body) }
            kill(pid, SIGKILL)
            killedAfter = killedAfter ?? -1
            while ended == nil { condition.wait() }
        }
        return .failure(ended ?? WorkerExit(.protocolError))
    }

    /// Asks the worker to exit (after `destroy`), killing it if it does not within `timeoutMs`.
    func stop(timeoutMs: Int) {
        _ = call(WireWriter(kind: .destroy), expecting: .destroyed, timeoutMs: timeoutMs)
        condition.lock()
        let deadline = Date().addingTimeInterval(Double(timeoutMs) / 1000)
        while ended == nil {
            if !condition.wait(until: deadline) { kill(pid, SIGKILL); condition.wait() }
        }
        condition.unlock()
    }

    var hasEnded: Bool {
        condition.lock()
        defer { condition.unlock() }
        return ended != nil
    }

    /// A frame the worker garbled (the worker is not trusted): dropped, and said so in the log.
    private func unreadable(_ kind: String) {
        services.log(from: pluginName, level: .warning, message: "the worker sent an unreadable \(kind) frame; it was dropped")
    }

    private func readUntilEnd() {
        while let frame = channel.receive() {
            switch frame.kind {
            case .log:
                var reader = WireReader(frame.body)
                guard let index = try? reader.u8(), let message = try? reader.string() else {
                    unreadable("log")
                    continue
                }
                let levels = Logger.Level.allCases
                services.log(from: pluginName, level: Int(index) < levels.count ? levels[Int(index)] : .info, message: message)
            case .publish:
                var reader = WireReader(frame.body)
                guard let topic = try? reader.string(), let key = try? reader.string(), let data = try? reader.data() else {
                    unreadable("publish")
                    continue
                }
                condition.lock()
                let pending = capture
                condition.unlock()
                // Validated again here: the worker is not trusted. A refusal was already
                // answered in the worker (same checks); nothing more to tell it.
                _ = PublishCapture.$current.withValue(pending) { services.publish(from: pluginName, topic: topic, key: key, data: data) }
            default:
                condition.lock()
                reply = frame
                condition.broadcast()
                condition.unlock()
            }
        }
        // End of stream: the worker exited, was killed, or closed its end; make sure it is gone.
        kill(pid, SIGKILL)
        var status: Int32 = 0
        var reaped: pid_t
        repeat { reaped = waitpid(pid, &status, 0) } while reaped < 0 && errno == EINTR
        channel.close()
        condition.lock()
        if let limit = killedAfter, limit > 0 {
            ended = WorkerExit(.timeout(milliseconds: limit))
        } else if killedAfter == -1 {
            ended = WorkerExit(.protocolError)
        } else {
            ended = reaped == pid ? WorkerExit.fromWaitStatus(status) : WorkerExit(.protocolError)
        }
        condition.broadcast()
        condition.unlock()
    }
}

struct WorkerStartFailure: Error {
    let message: String
}
