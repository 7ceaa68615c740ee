
#if canImport(Glibc)
import ArgumentParser
import Foundation
import Glibc
import PakaPipeline
import PakaPluginHost
import PakaServer
#endif

extension PluginCommand {
    /// Runs a plugin file against a file of events through the real loader and host table, in a
    /// child process: a plugin that crashes is reported (signal named), never takes this down.
    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a plugin against a file of events (no Kafka, no database) and print every result, publish and log line.",
            discussion: """
                Each line of --events is a CloudEvent (handed over as written, on the topic its 'type' names) \
                or any other JSON value (wrapped as the data of a CloudEvent on the plugin's first topic). \
                Exit status: 0 every event OK; 1 a FAIL, a RETRY or a bad line; 2 the plugin was refused or \
                refused to start; 3 the plugin crashed or did not finish within --timeout.
                """)

        @Argument(help: "The plugin .so file.")
        var file: String

        @Option(name: .long, help: "A file with one event per line (JSON Lines).")
        var events: String

        @Option(name: .long, help: "The plugin's config object as JSON (what plugins.json's 'config' holds).")
        var config: String = "{}"

        @Option(name: .long, help: "Instances called in parallel (as plugins.json's concurrency); events of one key stay in order.")
        var concurrency: Int = 1

        @Option(name: .long, help: "Seconds the whole run may take before the plugin is killed as hung.")
        var timeout: Int = 60

        @Flag(name: .long, help: "Accept files or folders writable by group/others (development only).")
        var allowInsecurePermissions = false

        @Flag(name: .long, help: .private)
        var inChild = false

        func validate() throws {
            let object: Any
            do {
                object = try JSONSerialization.jsonObject(with: Data(config.utf8))
            } catch {
                throw ValidationError("--config is not valid JSON (\(error.localizedDescription)); it must be a JSON object, e.g. '{\"token\":\"x\"}'")
            }
            guard object is [String: Any] else {
                throw ValidationError("--config must be a JSON object, e.g. '{\"token\":\"x\"}'")
            }
            guard timeout > 0 else { throw ValidationError("--timeout must be a positive number of seconds") }
            guard (1...64).contains(concurrency) else { throw ValidationError("--concurrency must be 1 to 64 (as plugins.json's concurrency)") }
            guard FileManager.default.isReadableFile(atPath: events) else {
                throw ValidationError("cannot read --events \(events); give a file with one JSON event per line")
            }
        }

        func run() throws {
            if inChild {
                throw ExitCode(PluginTestRun(file: file, eventsPath: events, config: config, allowInsecure: allowInsecure, concurrency: concurrency).run())
            }
            throw ExitCode(try runChild())
        }

        private var allowInsecure: Bool { allowInsecurePermissions || HostEnvironment().allowInsecurePlugins }

        /// The same command in a child process; its output streams straight through.
        private func runChild() throws -> Int32 {
            let child = Process()
            child.executableURL = URL(fileURLWithPath: Self.thisExecutable())
            child.arguments = ["plugin", "test", file, "--events", events, "--config", config, "--concurrency", String(concurrency), "--in-child"]
                + (allowInsecurePermissions ? ["--allow-insecure-permissions"] : [])
            // Swift's backtracer would print pages about paka's own frames (and take seconds);
            // the report below is what matters. SWIFT_BACKTRACE set by the user wins.
            var environment = ProcessInfo.processInfo.environment
            if environment["SWIFT_BACKTRACE"] == nil { environment["SWIFT_BACKTRACE"] = "enable=no" }
            child.environment = environment
            let exited = DispatchSemaphore(value: 0)
            child.terminationHandler = { _ in exited.signal() }
            try child.run()
            if exited.wait(timeout: .now() + .seconds(timeout)) == .timedOut {
                kill(child.processIdentifier, SIGKILL)
                exited.wait()
                emit("TIMED OUT: the plugin did not finish within \(timeout) s and was killed while handling the last event shown "
                     + "above; a plugin must never block forever (put timeouts on its I/O and answer RETRY)")
                return 3
            }
            if child.terminationReason == .uncaughtSignal {
                let signal = child.terminationStatus
                print("CRASHED: the plugin killed its process with signal \(signal) (\(Self.signalName(signal))) "
                      + "while handling the last event shown above; in `paka serve` this would take the host down "
                      + "(or, with \"isolation\": \"process\", its worker). For a backtrace run again with SWIFT_BACKTRACE=enable=yes")
                return 3
            }
            return child.terminationStatus
        }

        static func thisExecutable() -> String {
            // Without /proc (a restricted sandbox) argv[0] is the next best answer, not an error.
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        }

        static func signalName(_ signal: Int32) -> String {
            let names: [Int32: String] = [
                SIGSEGV: "SIGSEGV", SIGBUS: "SIGBUS", SIGABRT: "SIGABRT", SIGFPE: "SIGFPE", SIGILL: "SIGILL",
                SIGKILL: "SIGKILL", SIGTRAP: "SIGTRAP", SIGTERM: "SIGTERM", SIGPIPE: "SIGPIPE", SIGSYS: "SIGSYS",
            ]
            return names[signal] ?? String(cString: strsignal(signal))
        }
    }
}
