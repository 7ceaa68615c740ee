import Foundation
import PakaTestSupport
import Synchronization

/// Builds C plugins with `cc -shared -fPIC` against the ABI header, as a plugin author would.
enum PluginCompiler {
    struct Failure: Error, CustomStringConvertible { let description: String }

    /// One slot per argument set, each with its own lock: a test waits only for the plugin it
    /// asked for, never for another test's compile (one lock for all held both cooperative
    /// threads of a 2-core machine while cc ran for someone else).
    private final class Slot: Sendable {
        let built = Mutex<String?>(nil)
        /// A folder of its own, so two argument sets given the same name never share a file.
        let folder: String
        init(folder: String) { self.folder = folder }
    }
    private static let slots = Mutex<[String: Slot]>([:])
    private static let output = TemporaryDirectory()

    /// Compiles `source` (default: the scripted fixture) with `defines`; cached per argument set.
    /// `include` is the folder holding the `paka_plugin.h` to build against (default: this host's).
    static func build(_ source: String = "\(TestPaths.fixtures)/scripted.c", defines: [String] = [], include: String = TestPaths.abiInclude,
                      name: String) throws -> String {
        let key = ([source, include] + defines).joined(separator: " ")
        let slot = slots.withLock { slots in
            if let slot = slots[key] { return slot }
            let slot = Slot(folder: output.file("\(slots.count)"))
            slots[key] = slot
            return slot
        }
        // Held while compiling: parallel tests asking for the same plugin must not load a file
        // that cc is still writing.
        return try slot.built.withLock { built throws -> String in
            if let built { return built }
            try FileManager.default.createDirectory(atPath: slot.folder, withIntermediateDirectories: true)
            let target = "\(slot.folder)/lib\(name).so"
            let result = try run("/usr/bin/env", ["cc", "-shared", "-fPIC", "-O1", "-I", include] + defines.map { "-D\($0)" } + ["-o", target, source])
            guard result.status == 0 else { throw Failure(description: "cc failed for \(name): \(result.output)") }
            built = target
            return target
        }
    }

    static func echo(version: String = "1.0.0", name: String) throws -> String {
        try build("\(TestPaths.packageRoot)/examples/c-echo/echo.c", defines: ["ECHO_VERSION=\"\(version)\""], name: name)
    }
}

/// Runs a command to completion and captures stdout+stderr (`posix_spawn`, see ``SpawnedCommand``).
func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws -> (status: Int32, output: String) {
    try SpawnedCommand.run(executable, arguments, environment: environment)
}

/// `run` on a thread of its own: for long commands (a `swift build`) in async tests, so they do
/// not hold one of the cooperative pool's two threads (other suites' watchers and consumers
/// would starve behind it).
func runOffPool(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) async throws -> (status: Int32, output: String) {
    try await onOwnThread { try run(executable, arguments, environment: environment) }
}
