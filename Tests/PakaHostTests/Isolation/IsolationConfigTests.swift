@testable import PakaPipeline
@testable import PakaPluginHost
import Testing

/// plugins.json's containment keys: `isolation`, `handleTimeoutMs`, `crash.maxAttempts`.
@Suite struct IsolationConfigTests {
    private func parse(_ entry: String) throws(ConfigError) -> PakaConfiguration {
        try ConfigParser(file: "plugins.json", environment: [:]).parse(Array(#"{"plugins": [{"name": "p", "library": "p.so", \#(entry)}]}"#.utf8))
    }

    @Test func defaultsAreInProcessThirtySecondsAndTwoCrashes() throws {
        let entry = try #require(try parse(#""enabled": true"#).plugins.first)
        #expect(entry.isolation == .inprocess)
        #expect(entry.handleTimeoutMs == 30_000)
        #expect(entry.crash.maxAttempts == 2)
    }

    @Test func processIsolationWithItsOptionsIsRead() throws {
        let entry = try #require(try parse(#""isolation": "process", "handleTimeoutMs": 500, "crash": {"maxAttempts": 3}, "workerMemoryLimitMb": 256"#).plugins.first)
        #expect(entry.workerMemoryLimitMb == 256)
        #expect(entry.isolation == .process)
        #expect(entry.handleTimeoutMs == 500)
        #expect(entry.crash.maxAttempts == 3)
    }

    @Test func unknownIsolationIsAConfigErrorThatNamesTheChoices() {
        #expect(throws: ConfigError(file: "plugins.json", issues: [
            ConfigIssue(path: "plugins[0].isolation", message: "unknown isolation 'container'; use 'inprocess' or 'process'"),
        ])) { try parse(#""isolation": "container""#) }
    }

    @Test func badCrashSettingsAreReportedWithTheirPath() {
        #expect(throws: ConfigError(file: "plugins.json", issues: [
            ConfigIssue(path: "plugins[0].handleTimeoutMs", message: "must be ≥ 10"),
            ConfigIssue(path: "plugins[0].crash.maxAttempts", message: "must be ≥ 1"),
        ])) { try parse(#""handleTimeoutMs": 0, "crash": {"maxAttempts": 0}"#) }
    }
}
