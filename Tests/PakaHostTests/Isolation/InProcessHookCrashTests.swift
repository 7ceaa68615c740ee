import Foundation
@testable import PakaPipeline
@testable import PakaPluginHost
import PakaTestSupport
import Testing

/// In-process plugins crashing outside `handle`: in `create` (at every start) or in `health`
/// (at every `/health`), a supervisor restarting the host would see it die forever. The crash
/// journal keeps the hook on record while it runs; after `crash.maxAttempts` deaths in it the
/// hook of that build is not called in process again, and the host stays up.
@Suite(.serialized) struct InProcessHookCrashTests {
    /// Starts `paka serve` until a run stays up, as a supervisor would: the signals of the runs
    /// that died, and the survivor with its log and URL.
    private func superviseUntilUp(plugins: String, dir: TemporaryDirectory, runs: Int, label: String,
                                  poke: ((String) async -> Void)? = nil) async throws -> (deaths: [Int32], host: Process?, log: String, url: String?) {
        var deaths: [Int32] = []
        for run in 0..<runs {
            let log = dir.file("\(label)-\(run).log")
            let host = try startPakaServe(bootstrap: "embedded", pluginsFile: plugins, dataDirectory: dir.file("data"), log: log,
                                          environment: ["SWIFT_BACKTRACE": "enable=no", "PAKA_WATCH": "0", "KAFKA_TOPIC_PARTITIONS": "1"])
            var url: String?
            _ = await eventually(60) {
                let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                if let range = text.range(of: "paka listening on ") { url = String(text[range.upperBound...].prefix { !$0.isWhitespace }) }
                return url != nil || !host.isRunning
            }
            if let url, let poke {
                await poke(url)
                // A poke that killed the host: Foundation learns of the exit a little later.
                _ = await eventually(5) { !host.isRunning }
            }
            if let url, host.isRunning { return (deaths, host, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "", url) }
            if host.isRunning {
                host.terminate()
                host.waitUntilExit()
                Issue.record("run \(run) neither died nor said where it listens within 60 s")
                return (deaths, nil, "", nil)
            }
            host.waitUntilExit()
            #expect(host.terminationReason == .uncaughtSignal, "run \(run): \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
            deaths.append(host.terminationStatus)
        }
        return (deaths, nil, "", nil)
    }

    @Test func aBuildCrashingInCreateKillsTheHostAtMostMaxAttemptsTimesThenIsRefusedWithTheReason() async throws {
        let dir = TemporaryDirectory()
        let marker = dir.write("crash-in-create", "")
        let crashing = try CrashHarness.fixture()
        func pluginsFile(_ library: String) -> String {
            dir.write("plugins.json", """
                {"pluginDir": "\(dir.path)", "plugins": [{"name": "crashing", "library": "\(library)", "crash": {"maxAttempts": 2},
                  "config": {"record": "\(dir.file("record.txt"))", "crashCreateIf": "\(marker)"}}]}
                """)
        }
        let first = try await superviseUntilUp(plugins: pluginsFile(crashing), dir: dir, runs: 4, label: "create")
        let host = try #require(first.host, "the host kept dying: \(first.deaths)")
        #expect(first.deaths == [SIGSEGV, SIGSEGV])
        #expect(first.log.contains("this build (sha256 "))
        #expect(first.log.contains("with this config killed the host 2 times in create (SIGSEGV) and is not created in process again"))
        // The host serves, and says why the plugin is not running.
        let refused = try pluginStatus("crashing", at: try #require(first.url))
        #expect(refused?["state"] as? String == "failed", "\(String(describing: refused))")
        #expect(((refused?["rejected"] as? [String: Any])?["reason"] as? String)?.contains("killed the host 2 times in create") == true,
                "\(String(describing: refused))")
        host.terminate()
        host.waitUntilExit()

        // The same build and config stay refused; another build is created again (and here,
        // with the marker gone, starts).
        try FileManager.default.removeItem(atPath: marker)
        let again = try await superviseUntilUp(plugins: pluginsFile(crashing), dir: dir, runs: 1, label: "same")
        #expect(again.deaths.isEmpty)
        #expect(again.log.contains("killed the host 2 times in create"))
        #expect(try pluginStatus("crashing", at: try #require(again.url))?["state"] as? String == "failed")
        again.host?.terminate()
        again.host?.waitUntilExit()
        let fixed = try await superviseUntilUp(plugins: pluginsFile(try CrashHarness.fixture(["CRASH_IN_HTTP"])), dir: dir, runs: 1, label: "fixed")
        #expect(fixed.deaths.isEmpty)
        #expect(!fixed.log.contains("killed the host"))
        #expect(try pluginStatus("crashing", at: try #require(fixed.url))?["state"] as? String == "active")
        fixed.host?.terminate()
        fixed.host?.waitUntilExit()
    }

    @Test func aHealthHookKillingTheHostIsNoLongerCalledAfterMaxAttemptsAndHealthSaysWhy() async throws {
        let dir = TemporaryDirectory()
        let plugins = dir.write("plugins.json", """
            {"pluginDir": "\(dir.path)", "plugins": [{"name": "crashing", "library": "\(try CrashHarness.fixture(["CRASH_IN_HEALTH"]))",
              "crash": {"maxAttempts": 2}, "config": {"record": "\(dir.file("record.txt"))"}}]}
            """)
        let answers = AnswerLog()
        let supervised = try await superviseUntilUp(plugins: plugins, dir: dir, runs: 4, label: "health") { url in
            // The request that kills the host gets no answer; the one after the limit does.
            answers.append((try? run("/usr/bin/env", ["curl", "-s", "--max-time", "10", "\(url)/health"]))?.output ?? "")
        }
        let host = try #require(supervised.host, "the host kept dying: \(supervised.deaths)")
        #expect(supervised.deaths == [SIGSEGV, SIGSEGV])
        let last = answers.last
        #expect(last.contains("health hook not called: it killed the host 2 times in health (SIGSEGV)"), "\(last)")
        try await Task.sleep(for: .milliseconds(300))
        #expect(host.isRunning)
        host.terminate()
        host.waitUntilExit()
    }

    @Test func anHTTPHookKillingTheHostAnswers503AfterMaxAttemptsAndTheHostStaysUp() async throws {
        let dir = TemporaryDirectory()
        let plugins = dir.write("plugins.json", """
            {"pluginDir": "\(dir.path)", "plugins": [{"name": "crashing", "library": "\(try CrashHarness.fixture(["CRASH_IN_HTTP"]))",
              "crash": {"maxAttempts": 2}, "config": {"record": "\(dir.file("record.txt"))"}}]}
            """)
        let token = try adminToken()
        let answers = AnswerLog()
        let supervised = try await superviseUntilUp(plugins: plugins, dir: dir, runs: 4, label: "http") { url in
            answers.append((try? run("/usr/bin/env", ["curl", "-s", "--max-time", "10", "-w", " %{http_code}",
                                                      "-H", "Authorization: Bearer \(token)", "\(url)/plugins/crashing/crash"]))?.output ?? "")
        }
        let host = try #require(supervised.host, "the host kept dying: \(supervised.deaths)")
        #expect(supervised.deaths == [SIGSEGV, SIGSEGV])
        let last = answers.last
        #expect(last.hasSuffix(" 503"), "\(last)")
        #expect(last.contains("its http hook killed the host 2 times in http (SIGSEGV) and is not called again"), "\(last)")
        #expect(host.isRunning)
        host.terminate()
        host.waitUntilExit()
    }
}

private final class AnswerLog: @unchecked Sendable {
    // @unchecked: guarded by `lock`.
    private let lock = NSLock()
    private var answers: [String] = []
    func append(_ answer: String) { lock.withLock { answers.append(answer) } }
    var last: String { lock.withLock { answers.last ?? "" } }
}
