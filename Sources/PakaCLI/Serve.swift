import ArgumentParser
import Foundation
import Logging
import PakaPipeline
import PakaPluginHost
import PakaServer

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the host: load the enabled plugins and serve the HTTP API.")

    @Option(name: .long, help: "Plugin configuration file (default: $PAKA_PLUGINS_FILE or plugins.json).")
    var config: String?

    @Option(name: .long, help: "HTTP port (default: $PORT or 3000).")
    var port: Int?

    func run() async throws {
        let logger = Logging.bootstrapPaka()
        var environment = HostEnvironment()
        if let port { environment.port = port }
        if let config { environment.pluginsFile = config }
        let configuration: PakaConfiguration
        do {
            configuration = try PakaConfiguration.load(path: environment.pluginsFile, environment: environment.raw)
        } catch {
            FileHandle.standardError.write(Data("paka: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let app = try await PakaApplication(environment: environment, configuration: configuration, logger: logger)
        let devToken = app.tokens.isEphemeral ? try await app.tokens.issue(subject: "dev", admin: true, lifetime: 86_400) : nil
        try await app.run { port in
            print("paka listening on http://localhost:\(port)")
            if let devToken {
                print("JWT_SECRET is not set: generated a secret for this run. Dev token (admin, 24h):")
                print("  export TOKEN=\(devToken)")
            }
            // Standard output may be a file or a pipe (a supervisor's log): fully buffered, and
            // nothing else may be written for a long time.
            fflush(nil)  // every stream: naming `stdout` is not concurrency-safe in Swift 6
        }
    }
}

extension Logging {
    /// One log format for the host and every plugin: stdout (or stderr when stdout carries a
    /// command's answer), level from LOG_LEVEL (default info).
    static func bootstrapPaka(toStandardError: Bool = false) -> Logger {
        let level = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = toStandardError ? StreamLogHandler.standardError(label: label) : StreamLogHandler.standardOutput(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: "paka")
    }
}

enum Logging {}
