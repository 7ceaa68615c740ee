import Foundation
import PakaPipeline
import PakaPluginHost
import Testing

/// plugins.json: defaults, `${ENV}` expansion, and every validation error with its path.
@Suite struct ConfigurationTests {
    let dir = TemporaryDirectory()

    private func load(_ json: String, env: [String: String] = [:]) throws(ConfigError) -> PakaConfiguration {
        try PakaConfiguration.load(path: dir.write("plugins.json", json), environment: env)
    }

    private func issues(_ json: String, env: [String: String] = [:]) -> [String] {
        do throws(ConfigError) {
            _ = try load(json, env: env)
            return []
        } catch {
            return error.issues.map(\.description)
        }
    }

    @Test func defaultsApplyAndRelativePluginDirIsBesideTheFile() throws {
        let config = try load(#"{"pluginDir": "lib", "plugins": [{"name": "audit", "library": "libAuditLogger.so"}]}"#)
        let entry = try #require(config.plugins.first)
        #expect(config.pluginDir == "\(dir.path)/lib")
        #expect(entry.enabled && entry.concurrency == 1 && entry.batchSize == 100)
        #expect(entry.groupId == nil && entry.topics == nil && entry.retry.maxAttempts == nil)
        #expect(entry.libraryPath(pluginDir: config.pluginDir) == "\(dir.path)/lib/libAuditLogger.so")
    }

    @Test func pluginDirEnvironmentOverridesTheFile() throws {
        let config = try load(#"{"pluginDir": "lib", "plugins": []}"#, env: ["PAKA_PLUGIN_DIR": "/opt/paka/plugins"])
        #expect(config.pluginDir == "/opt/paka/plugins")
    }

    @Test func environmentReferencesAreExpandedWithDefaults() throws {
        let config = try load(#"""
            {"plugins": [{"name": "notification", "library": "n.so",
              "config": {"token": "${BOT_TOKEN}", "base": "${API_BASE:-https://api.telegram.org}", "chat": "${CHAT:-}"}}]}
            """#, env: ["BOT_TOKEN": "s3cret"])
        let settings = try #require(config.plugins.first?.config)
        #expect(settings["token"] == .string("s3cret"))
        #expect(settings["base"] == .string("https://api.telegram.org"))
        #expect(settings["chat"] == .string(""))
    }

    @Test func unsetVariableWithoutDefaultIsAnErrorThatHidesValues() {
        let found = issues(#"{"plugins": [{"name": "n", "library": "n.so", "config": {"token": "${BOT_TOKEN}", "other": "${SET}"}}]}"#,
                           env: ["SET": "visible-secret"])
        #expect(found == ["plugins[0].config.token: environment variable BOT_TOKEN is not set (write ${BOT_TOKEN:-} to make it optional)"])
        #expect(!found.joined().contains("visible-secret"))
    }

    @Test func everyProblemIsReportedWithItsPath() {
        let found = issues(#"""
            {"pluginDir": 3, "plugins": [
              {"name": "Bad Name", "library": "", "enabeld": true},
              {"name": "ok", "library": "ok.so", "retry": {"maxAttempts": 0, "initialBackoffMs": 500, "maxBackoffMs": 100},
               "concurrency": 1.5, "batchSize": 0, "topics": [], "sha256": "xyz", "config": [1], "groupId": 7},
              {"name": "dup", "library": "a.so"}, {"name": "dup", "library": "b.so"},
              "not an object"
            ]}
            """#)
        #expect(found == [
            "pluginDir: must be a string, not a number",
            "plugins[0].name: 'Bad Name' is not a valid plugin name; use 1-64 characters from [a-z0-9_-]",
            "plugins[0].library: must not be empty",
            "plugins[0].enabeld: unknown key (did you mean 'enabled'?); known keys: name, library, enabled, paused, groupId, topics, concurrency, batchSize, retry, sha256, config, isolation, handleTimeoutMs, crash, workerMemoryLimitMb, synchronousQueueLimit, ordering, maxInFlight, prefetchKBytes, delivery",
            "plugins[1].groupId: must be a string, not a number",
            "plugins[1].topics: must list at least one topic (or be left out to use the plugin's own)",
            "plugins[1].concurrency: must be a whole number, not a fraction",
            "plugins[1].batchSize: must be ≥ 1",
            "plugins[1].retry.maxAttempts: must be ≥ 1",
            "plugins[1].retry.maxBackoffMs: must be ≥ initialBackoffMs (500)",
            "plugins[1].sha256: must be 64 hexadecimal characters (the output of sha256sum)",
            "plugins[1].config: must be an object, not an array",
            "plugins[3].name: duplicate plugin name 'dup' (also plugins[2])",
            "plugins[4]: must be an object, not a string",
        ])
    }

    @Test func synchronousQueueLimitIs256UnlessSetAndMustBePositive() throws {
        let config = try load(#"""
            {"plugins": [{"name": "a", "library": "a.so"}, {"name": "b", "library": "b.so", "synchronousQueueLimit": 5000}]}
            """#)
        #expect(config.plugins.map(\.synchronousQueueLimit) == [256, 5000])
        #expect(issues(#"{"plugins": [{"name": "a", "library": "a.so", "synchronousQueueLimit": 0}]}"#)
                == ["plugins[0].synchronousQueueLimit: must be ≥ 1"])
    }

    @Test func deliveryIsAtLeastOnceUnlessExactlyOnceIsAsked() throws {
        let config = try load(#"""
            {"plugins": [{"name": "a", "library": "a.so"}, {"name": "b", "library": "b.so", "delivery": "exactly-once"},
                         {"name": "c", "library": "c.so", "delivery": "at-least-once"}]}
            """#)
        #expect(config.plugins.map(\.delivery) == [.atLeastOnce, .exactlyOnce, .atLeastOnce])
        #expect(issues(#"{"plugins": [{"name": "a", "library": "a.so", "delivery": "exactly_once"}]}"#)
                == ["plugins[0].delivery: unknown delivery 'exactly_once'; use 'at-least-once' or 'exactly-once'"])
    }

    @Test func missingRequiredFieldsAndUnknownTopLevelKeysAreReported() {
        #expect(issues(#"{"plugins": [{}], "pluginsDir": "x"}"#) == [
            "plugins[0].name: is required",
            "plugins[0].library: is required",
            "pluginsDir: unknown key (did you mean 'pluginDir'?); known keys: pluginDir, kafka, plugins",
        ])
    }

    @Test func invalidJSONIsReportedAsSuch() {
        let found = issues(#"{"plugins": [}"#)
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("not valid JSON") == true)
    }

    @Test func missingFileIsReported() {
        do throws(ConfigError) {
            _ = try PakaConfiguration.load(path: dir.file("absent.json"), environment: [:])
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("cannot read the file; create it or set PAKA_PLUGINS_FILE"))
        }
    }

    @Test func kafkaSectionPassesLibrdkafkaProperties() throws {
        let config = try load(#"{"kafka": {"security.protocol": "SASL_SSL", "sasl.password": "${PW}", "socket.timeout.ms": 5000}, "plugins": []}"#,
                              env: ["PW": "pw"])
        #expect(config.kafkaProperties == ["security.protocol": "SASL_SSL", "sasl.password": "pw", "socket.timeout.ms": "5000"])
    }

    @Test func shippedPluginsFileIsValid() throws {
        let config = try PakaConfiguration.load(path: "\(TestPaths.packageRoot)/plugins.json", environment: [:])
        #expect(config.plugins.map(\.name) == ["document", "notification", "audit", "report"])
        #expect(config.plugins.allSatisfy { $0.enabled })
    }

    @Test func retryBackoffIsExponentialAndCapped() {
        let policy = RetryPolicy(initialBackoffMs: 100, maxBackoffMs: 1000)
        #expect((1...6).map { policy.backoffMs(afterAttempt: $0) } == [100, 200, 400, 800, 1000, 1000])
        #expect(policy.backoffMs(afterAttempt: 10_000) == 1000)
    }
}
