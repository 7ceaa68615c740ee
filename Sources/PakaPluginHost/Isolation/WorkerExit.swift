import Foundation

/// How a plugin's code stopped answering: a worker's death, a hang the host ended, or (in
/// process) a fatal signal found in the crash journal after a restart.
public struct WorkerExit: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Cause: Sendable, Equatable {
        case signal(Int32)
        case exitStatus(Int32)
        /// No answer within `handleTimeoutMs`; the host killed the worker.
        case timeout(milliseconds: Int)
        /// The worker sent something that is not a frame, or the wrong one.
        case protocolError
        /// The worker could not be started at all (`paka` executable missing, fork failed).
        case spawnFailed(String)
        /// `create` answered non-zero after a restart (the plugin refused to come back).
        case startRefused(String)
        /// In process: the host died in the plugin without a fatal signal on record (SIGKILL).
        case processDied
    }

    public let cause: Cause

    public init(_ cause: Cause) { self.cause = cause }

    static let signalNames: [Int32: String] = [
        SIGSEGV: "SIGSEGV", SIGABRT: "SIGABRT", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE", SIGILL: "SIGILL", SIGKILL: "SIGKILL",
        SIGTERM: "SIGTERM", SIGTRAP: "SIGTRAP", SIGSYS: "SIGSYS", SIGXCPU: "SIGXCPU", SIGXFSZ: "SIGXFSZ", SIGHUP: "SIGHUP", SIGINT: "SIGINT",
    ]

    public static func signalName(_ signal: Int32) -> String { signalNames[signal] ?? "signal \(signal)" }

    /// The fatal signal's name, when the worker died of one.
    public var signalName: String? {
        if case .signal(let s) = cause { Self.signalName(s) } else { nil }
    }

    /// "SIGSEGV", "exit status 3", "no answer within 200 ms (handleTimeoutMs)".
    public var description: String {
        switch cause {
        case .signal(let s): Self.signalName(s)
        case .exitStatus(let status): "exit status \(status)"
        case .timeout(let ms): "no answer within \(ms) ms (handleTimeoutMs), worker killed"
        case .protocolError: "broken worker channel"
        case .spawnFailed(let why): "worker could not start: \(why)"
        case .startRefused(let why): "create refused after a restart: \(why)"
        case .processDied: "the host process died (no signal recorded)"
        }
    }

    /// The `reason` label of `paka_plugin_crashes_total`: bounded, no free text.
    public var reasonLabel: String {
        switch cause {
        case .signal(let s): Self.signalNames[s] ?? "signal"
        case .exitStatus: "exit"
        case .timeout: "timeout"
        case .protocolError: "protocol"
        case .spawnFailed: "spawn"
        case .startRefused: "create"
        case .processDied: "died"
        }
    }

    /// Decodes a `waitpid` status.
    static func fromWaitStatus(_ status: Int32) -> WorkerExit {
        let signal = status & 0x7F
        if signal == 0 { return WorkerExit(.exitStatus((status >> 8) & 0xFF)) }
        return WorkerExit(.signal(signal))
    }
}
