import Foundation
import Logging
import PakaPipeline
import PakaPluginHost
import Synchronization

/// Host services that remember what plugins logged and published.
final class RecordingHostServices: PluginHostServices {
    struct Published: Equatable { let plugin: String; let topic: String; let key: String; let data: String }

    private let state = Mutex<(logs: [String], published: [Published])>(([], []))
    let dataRoot: String
    /// What every publish is answered (tests of refusals choose `.refused` or `.retryLater`).
    let publishAnswer: PluginPublishOutcome

    init(dataRoot: String = "/tmp/paka-test-data", publishAnswer: PluginPublishOutcome = .accepted) {
        self.dataRoot = dataRoot
        self.publishAnswer = publishAnswer
    }

    var logs: [String] { state.withLock { $0.logs } }
    var published: [Published] { state.withLock { $0.published } }

    func publish(from plugin: String, topic: String, key: String, data: [UInt8]) -> Bool {
        publishChecked(from: plugin, topic: topic, key: key, data: data) == .accepted
    }

    /// Records only what it accepts, as the real host publishes only that.
    func publishChecked(from plugin: String, topic: String, key: String, data: [UInt8]) -> PluginPublishOutcome {
        if publishAnswer == .accepted {
            state.withLock { $0.published.append(Published(plugin: plugin, topic: topic, key: key, data: String(decoding: data, as: UTF8.self))) }
        }
        return publishAnswer
    }

    func log(from plugin: String, level: Logger.Level, message: String) {
        state.withLock { $0.logs.append("[\(plugin)] \(message)") }
    }

    func dataDirectory(for plugin: String) -> String { "\(dataRoot)/\(plugin)" }
}

extension Logger {
    static let test: Logger = {
        var logger = Logger(label: "paka-test")
        // PAKA_TEST_LOG=debug shows the host's log while debugging a test.
        logger.logLevel = ProcessInfo.processInfo.environment["PAKA_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
        return logger
    }()
}
