import Foundation
import PakaKafka
@testable import PakaPipeline
@testable import PakaPluginHost
@testable import PakaServer
import PakaTestSupport
import Testing

/// Process isolation: a plugin that crashes or hangs in its worker costs the event it was
/// handling, never the host; the event reaches `<topic>.dlq` with the crash named.
@Suite(.serialized) struct ProcessIsolationTests {
    struct PoisonCase: Sendable, CustomStringConvertible {
        let tag: String
        let error: String
        let header: (name: String, value: String)
        /// The `reason` label of `paka_plugin_crashes_total`.
        let reason: String
        var timeoutMs = 30_000
        var memoryLimitMb: Int?
        var description: String { tag }
    }

    static let poisons = [
        PoisonCase(tag: "segv", error: "plugin crashed: SIGSEGV while handling this event", header: ("paka.crash.signal", "SIGSEGV"), reason: "SIGSEGV"),
        PoisonCase(tag: "abort", error: "plugin crashed: SIGABRT while handling this event", header: ("paka.crash.signal", "SIGABRT"), reason: "SIGABRT"),
        PoisonCase(tag: "exit3", error: "plugin crashed: exit status 3 while handling this event", header: ("paka.crash.exit-status", "3"), reason: "exit"),
        PoisonCase(tag: "hang", error: "plugin hung: no answer within 400 ms (handleTimeoutMs) while handling this event; the worker was killed",
                   header: ("paka.crash.timeout-ms", "400"), reason: "timeout", timeoutMs: 400),
        // A memory bomb against the worker's limit: malloc fails, the plugin aborts.
        PoisonCase(tag: "bomb", error: "plugin crashed: SIGABRT while handling this event", header: ("paka.crash.signal", "SIGABRT"),
                   reason: "SIGABRT", memoryLimitMb: 1024),
    ]

    @Test(arguments: poisons)
    func poisonEventIsDeadLetteredWithTheCrashNamedAndEveryOtherEventIsHandled(_ poison: PoisonCase) async throws {
        let harness = try CrashHarness(handleTimeoutMs: poison.timeoutMs, workerMemoryLimitMb: poison.memoryLimitMb)
        #expect(harness.apply().isEmpty)
        let before = (1...3).map { "before-\($0)" }, after = (1...3).map { "after-\($0)" }
        await harness.publish(before.map { ($0, "{}") } + [("poison", "\"\(poison.tag)\"")] + after.map { ($0, "{}") })
        let consumer = try harness.startConsumer()
        #expect(await eventually(60) { Set(harness.recorded.map(\.id)).isSuperset(of: before + after) })
        let letters = try await harness.readAll("scripted.in.dlq", expecting: 1)
        await consumer.stop()
        let letter = try #require(letters.first)
        #expect(letters.count == 1)
        #expect(letter.headerText("paka.error") == poison.error)
        #expect(letter.headerText("paka-error") == poison.error)
        #expect(letter.headerText(poison.header.name) == poison.header.value)
        #expect(letter.headerText("paka.crash.plugin") == "crashing")
        #expect(letter.headerText("paka-attempts") == "2")
        #expect(String(decoding: letter.value, as: UTF8.self).contains(#""id":"poison""#))
        // Nothing lost; the events after the poison, never part of a crashed call after it was
        // found, are handled exactly once; the ones before at most once more (their batch crashed).
        #expect(!harness.recorded.contains { $0.id == "poison" })
        for id in after { #expect(harness.count(of: id) == 1, "\(id)") }
        for id in before { #expect((1...2).contains(harness.count(of: id)), "\(id)") }
        #expect(harness.plugin?.isCrashed == false)
        let line: Substring? = harness.metrics.render().split(separator: "\n")
            .first { $0.hasPrefix(#"paka_plugin_crashes_total{plugin="crashing",reason="\#(poison.reason)"}"#) }
        let count: Int? = line?.split(separator: " ").last.flatMap { Int($0) }
        #expect((count ?? 0) >= 2, "\(String(describing: line))")
    }

    /// Another processor on the same topic, in the host's own process and group, handles every
    /// event once — the poison too — while the isolated one crashes on it and dead-letters it.
    @Test func anotherProcessorOnTheSameTopicNeverNoticesTheCrashes() async throws {
        let harness = try CrashHarness()
        let bystanderRecord = harness.dir.file("bystander.txt")
        let bystander = PluginEntry(name: "scripted", library: try PluginCompiler.build(name: "scripted"),
                                    config: .object(["record": .string(bystanderRecord)]))
        #expect(harness.apply(others: [bystander]).isEmpty)
        let ids = (1...6).map { "event-\($0)" }
        await harness.publish(ids.prefix(3).map { ($0, "{}") } + [("poison", "\"segv\"")] + ids.suffix(3).map { ($0, "{}") })
        let crashing = try harness.startConsumer()
        let other = try harness.startConsumer(plugin: "scripted")
        #expect(await eventually(60) { PipelineHarness.recorded(bystanderRecord).count >= 7 && Set(harness.recorded.map(\.id)).isSuperset(of: ids) })
        let letters = try await harness.readAll("scripted.in.dlq", expecting: 1)
        await crashing.stop()
        await other.stop()
        #expect(letters.count == 1)
        #expect(letters.first?.headerText("paka.crash.plugin") == "crashing")
        // Each event reached the bystander and it answered none with anything but OK. Not "exactly
        // 7 calls": a full `scripts/test` run once saw its group rebalance under load (3 s
        // sessions) and redeliver what was not committed yet (at-least-once), which says nothing
        // about the crashes next door.
        #expect(Set(PipelineHarness.recorded(bystanderRecord).map(\.id)) == Set(ids + ["poison"]))
        let counts = harness.registry.active(named: "scripted")?.counters.snapshot
        #expect(counts?.failed == 0 && counts?.retried == 0 && counts?.deadLettered == 0, "\(String(describing: counts))")
    }

    @Test func crashInCreateIsRefusedWithTheCrashNamedAndTheHostGoesOn() throws {
        let harness = try CrashHarness(defines: ["CRASH_IN_CREATE"])
        let refusals = harness.apply()
        let refusal = try #require(refusals.first)
        #expect(refusal.reason == .createFailed)
        #expect(refusal.message.contains("crashed while starting in its worker process (SIGSEGV)"), "\(refusal.message)")
        let status = try #require(harness.registry.statuses().first)
        #expect(status.state == .failed)
        #expect(status.lastError?.contains("SIGSEGV") == true)
    }

    @Test func crashInHealthReportsUnhealthyAndTheNextCallGetsAFreshWorker() async throws {
        let harness = try CrashHarness(defines: ["CRASH_IN_HEALTH"])
        #expect(harness.apply().isEmpty)
        let plugin = try #require(harness.plugin)
        let health = try #require(plugin.health())
        #expect(!health.healthy)
        #expect(health.message == "plugin crashed in health: SIGSEGV")
        #expect(plugin.handle([PluginEvent(id: "after-health", topic: CrashHarness.topic, key: [], payload: Array(#"{"data":{}}"#.utf8))]) == [.ok])
        #expect(harness.count(of: "after-health") == 1)
        #expect(plugin.crashes.lastCrash?.during == "health")
        #expect(plugin.crashes.restarts == 1)
    }

    @Test func crashInHTTPAnswers502AndTheNextRequestIsServedByANewWorker() throws {
        let harness = try CrashHarness(defines: ["CRASH_IN_HTTP"])
        #expect(harness.apply().isEmpty)
        let plugin = try #require(harness.plugin)
        let first = try #require(plugin.serveHTTP(PluginHTTPRequest(method: "GET", path: "/hello")))
        let crashed = try #require(plugin.serveHTTP(PluginHTTPRequest(method: "GET", path: "/crash")))
        #expect(crashed.status == 502)
        #expect(String(decoding: crashed.body, as: UTF8.self).contains("crashed while serving this request: SIGSEGV"))
        let next = try #require(plugin.serveHTTP(PluginHTTPRequest(method: "GET", path: "/hello")))
        #expect(next.status == 200)
        func pid(_ r: PluginHTTPResponse) -> Int? {
            (try? JSONValue.parse(r.body))?["pid"]?.numberValue.map { Int($0) }
        }
        #expect(pid(first) != nil && pid(first) != pid(next))
        #expect(pid(first) != Int(getpid()))
    }

    @Test func logAndPublishInTheWorkerReachTheHostServices() throws {
        _ = TestPaths.workerExecutableInEnvironment
        let dir = TemporaryDirectory()
        let services = RecordingHostServices(dataRoot: dir.path)
        let registry = PluginRegistry(services: services, logger: .test)
        var entry = PluginEntry(name: "crashing", library: try CrashHarness.fixture())
        entry.isolation = .process
        #expect(registry.apply(PakaConfiguration(pluginDir: dir.path, plugins: [entry])).isEmpty)
        let plugin = try #require(registry.active(named: "crashing"))
        let event = PluginEvent(id: "e-1", topic: CrashHarness.topic, key: Array("resource-1".utf8), payload: Array(#"{"data":"publish"}"#.utf8))
        #expect(plugin.handle([event]) == [.ok])
        #expect(services.logs == ["[crashing] handled an event"])
        #expect(services.published == [.init(plugin: "crashing", topic: "echo.out", key: "resource-1", data: #"{"echo":"e-1"}"#)])
        registry.shutdown()
    }

    @Test func publishInTheWorkerIsProducedToKafkaByTheHost() async throws {
        let harness = try CrashHarness()
        #expect(harness.apply().isEmpty)
        await harness.publish([("ask-to-publish", "\"publish\"")])
        let consumer = try harness.startConsumer()
        let echoed = try await harness.readAll("echo.out", expecting: 1)
        await consumer.stop()
        let event = try #require(echoed.first)
        let text = String(decoding: event.value, as: UTF8.self)
        #expect(text.contains(#""echo":"ask-to-publish""#))
        #expect(text.contains(#""source":"paka/plugins/crashing""#))
    }

    @Test func crashOnEveryEventStopsInStateCrashedWithNothingCommitted() async throws {
        let harness = try CrashHarness()
        #expect(harness.apply().isEmpty)
        await harness.publish((1...4).map { ("bad-\($0)", "\"segv\"") } + [("good", "{}")])
        let consumer = try harness.startConsumer()
        #expect(await eventually(60) { harness.plugin?.isCrashed == true })
        // Paused: the good event behind the storm is not handled, however long we wait.
        try await Task.sleep(for: .seconds(1))
        #expect(harness.count(of: "good") == 0)
        let status = try #require(harness.registry.statuses().first)
        #expect(status.state == .crashed)
        #expect(status.lastCrash?.reason == "SIGSEGV")
        // Bounded: the run of crashes stopped at the limit instead of restarting forever.
        #expect((status.lastCrash?.consecutive ?? 0) == harness.entry.crash.maxCrashesWithoutProgress)
        await consumer.stop()
        // At most the first poison events (how many depends on how the polls batched them: a
        // poison alone in its batch is condemned after its second crash) are dead-lettered
        // before the storm; nothing after them was committed: a new member gets it all again.
        let ids = ["bad-1", "bad-2", "bad-3", "bad-4", "good"]
        let letters = try await harness.readAll("scripted.in.dlq", expecting: 4, seconds: 10)
        let condemned = letters.compactMap { if case .success(let e) = CloudEvent.parse($0.value) { e.id } else { nil } }
        #expect((1...2).contains(condemned.count))
        #expect(condemned == Array(ids.prefix(condemned.count)))
        let next = try KafkaConsumer(configuration: harness.configuration, groupId: "paka-crashing", topics: [CrashHarness.topic], logger: .test)
        var redelivered: [String] = []
        let deadline = Date().addingTimeInterval(20)
        while redelivered.count < ids.count - condemned.count && Date() < deadline {
            redelivered += await next.poll(maxMessages: 10, timeout: .milliseconds(200)).compactMap {
                if case .success(let e) = CloudEvent.parse($0.value) { e.id } else { nil }
            }
        }
        await next.close()
        #expect(redelivered == Array(ids.dropFirst(condemned.count)))
    }

    @Test func crashInCreateAfterARestartEndsInStateCrashedAndARestartBringsItBack() async throws {
        let dir = TemporaryDirectory()
        let marker = dir.file("crash-in-create")
        let harness = try CrashHarness(extraConfig: ["crashCreateIf": .string(marker)])
        #expect(harness.apply().isEmpty)
        _ = FileManager.default.createFile(atPath: marker, contents: Data())
        await harness.publish([("poison", "\"segv\""), ("good", "{}")])
        let consumer = try harness.startConsumer()
        #expect(await eventually(60) { harness.plugin?.isCrashed == true })
        let status = try #require(harness.registry.statuses().first)
        #expect(status.state == .crashed)
        #expect(status.lastCrash?.during == "create")
        #expect(harness.count(of: "good") == 0)
        try FileManager.default.removeItem(atPath: marker)
        let restarted = try #require(try harness.registry.restart("crashing"))
        #expect(!restarted.isCrashed)
        #expect(await eventually(60) { harness.count(of: "good") == 1 })
        let letters = try await harness.readAll("scripted.in.dlq", expecting: 1)
        await consumer.stop()
        #expect(letters.first?.headerText("paka.error") == "plugin crashed: SIGSEGV while handling this event")
        #expect(harness.registry.statuses().first?.state == .active)
    }

    @Test func swappingAProcessPluginToANewFileReplacesItsWorkerAndTheOldOneExits() throws {
        let harness = try CrashHarness()
        #expect(harness.apply().isEmpty)
        func pid() throws -> Int32 {
            let response = try #require(harness.plugin?.serveHTTP(PluginHTTPRequest(method: "GET", path: "/")))
            return Int32(try #require((try JSONValue.parse(response.body))["pid"]?.numberValue))
        }
        let old = try pid(), oldSHA = try #require(harness.plugin?.image.sha256)
        var swapped = harness.entry
        swapped.library = try CrashHarness.fixture(["CRASH_IN_HTTP"])  // another build: another sha256
        #expect(harness.registry.apply(PakaConfiguration(pluginDir: harness.dir.path, plugins: [swapped])).isEmpty)
        #expect(harness.plugin?.image.sha256 != oldSHA)
        let new = try pid()
        #expect(new != old)
        #expect(kill(old, 0) == -1 && errno == ESRCH)
        #expect(harness.registry.statuses().first?.history.map(\.state) == ["retired", "active"])
    }

    @Test func restartingAProcessPluginReplacesItsWorkerAndTheOldOneExits() throws {
        let harness = try CrashHarness()
        #expect(harness.apply().isEmpty)
        func pid() throws -> Int32 {
            let response = try #require(harness.plugin?.serveHTTP(PluginHTTPRequest(method: "GET", path: "/")))
            return Int32(try #require((try JSONValue.parse(response.body))["pid"]?.numberValue))
        }
        let old = try pid()
        #expect(kill(old, 0) == 0)
        _ = try harness.registry.restart("crashing")
        let new = try pid()
        #expect(new != old)
        #expect(kill(old, 0) == -1 && errno == ESRCH)  // exited and reaped: its image is gone with it
    }
}
