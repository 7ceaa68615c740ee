import Foundation
import PakaKafka
@testable import PakaPipeline
@testable import PakaPluginHost
import PakaTestSupport
import Testing

/// plugins.json edited while a `paka serve` process runs: its watcher applies the edit.
@Suite(.serialized) struct PluginsFileEditTests {
    /// A `paka serve` with two scripted plugins on `scripted.in` ("scripted" and "other",
    /// groups paka-scripted and paka-other), each recording to its own file.
    final class Host: @unchecked Sendable {
        let dir = TemporaryDirectory()
        /// Started last in init (plugins.json must exist first).
        private var process: Process?
        let cluster: EmbeddedKafkaCluster
        let producer: KafkaProducer
        var log: String { dir.file("serve.log") }
        var pluginsFile: String { dir.file("plugins.json") }
        func record(_ plugin: String) -> String { dir.file("\(plugin).record") }

        init(scriptedEnabled: Bool, otherEnabled: Bool) throws {
            cluster = try EmbeddedKafkaCluster(brokerCount: 3, logger: .test)
            for topic in ["scripted.in", "scripted.in.dlq"] + Topics.all + Topics.all.map(Topics.deadLetter(of:)) {
                try cluster.createTopic(topic, partitions: 2)
            }
            producer = try KafkaProducer(configuration: KafkaConfiguration(brokers: cluster.bootstrapServers, clientId: "test"), logger: .test)
            try writePlugins(scriptedEnabled: scriptedEnabled, otherEnabled: otherEnabled)
            process = try startPakaServe(bootstrap: cluster.bootstrapServers, pluginsFile: pluginsFile, dataDirectory: dir.file("data"),
                                         log: log, environment: ["PAKA_WATCH_INTERVAL_MS": "100"])
        }

        /// Rewrites plugins.json the safe way (temporary dotfile, then rename).
        func writePlugins(scriptedEnabled: Bool, otherEnabled: Bool) throws {
            let scripted = try PluginCompiler.build(name: "scripted")
            let other = try PluginCompiler.build(defines: ["FIXTURE_NAME=\"other\""], name: "other")
            let text = """
                {"pluginDir": "\(dir.path)", "plugins": [
                  {"name": "scripted", "library": "\(scripted)", "enabled": \(scriptedEnabled), "batchSize": 10, "config": {"record": "\(record("scripted"))"}},
                  {"name": "other", "library": "\(other)", "enabled": \(otherEnabled), "batchSize": 10, "config": {"record": "\(record("other"))"}}]}
                """
            let temporary = dir.write(".plugins.json.tmp", text)
            guard rename(temporary, pluginsFile) == 0 else { throw PluginCompiler.Failure(description: "rename failed") }
        }

        var output: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

        func lines(containing words: String...) -> Int {
            output.split(separator: "\n").filter { line in words.allSatisfy { line.contains($0) } }.count
        }

        func publish(_ ids: [String]) async throws {
            for id in ids {
                let event = CloudEvent(id: id, source: "test", type: "scripted.in", subject: "key-\(id)", data: Array("{}".utf8))
                _ = try await producer.send(topic: "scripted.in", key: Array(event.subject.utf8), value: event.jsonBytes)
            }
        }

        func recorded(_ plugin: String) -> [String] { PipelineHarness.recorded(record(plugin)).map(\.id) }

        func stop() async -> Int32 {
            process?.terminate()
            process?.waitUntilExit()
            await producer.shutdown()
            cluster.shutdown()
            return process?.terminationStatus ?? -1
        }
    }

    @Test func enablingADisabledPluginInPluginsJSONStartsItsConsumerWhileTheHostRuns() async throws {
        let host = try Host(scriptedEnabled: true, otherEnabled: false)
        #expect(await eventually(40) { host.lines(containing: "consumer started", "paka-scripted") == 1 })
        #expect(host.lines(containing: "consumer started", "paka-other") == 0)
        try host.writePlugins(scriptedEnabled: true, otherEnabled: true)
        #expect(await eventually(40) { host.lines(containing: "consumer started", "paka-other") == 1 }, "\(host.output.suffix(2000))")
        #expect(await eventually(40) { host.lines(containing: "partitions assigned", "paka-other") > 0 })
        let ids = (0..<20).map { "after-enable-\($0)" }
        try await host.publish(ids)
        #expect(await eventually(30) { Set(host.recorded("other")).isSuperset(of: ids) })
        #expect(await eventually(30) { Set(host.recorded("scripted")).isSuperset(of: ids) })
        #expect(host.lines(containing: "consumer stopped", "paka-scripted") == 0)  // untouched
        #expect(await host.stop() == 0)
    }

    @Test func disablingAnEnabledPluginInPluginsJSONStopsItsConsumerAfterCommitting() async throws {
        let host = try Host(scriptedEnabled: true, otherEnabled: false)
        #expect(await eventually(40) { host.lines(containing: "partitions assigned", "paka-scripted", "count=2") > 0 })
        let before = (0..<30).map { "before-\($0)" }
        try await host.publish(before)
        #expect(await eventually(30) { host.recorded("scripted").count == before.count })
        try host.writePlugins(scriptedEnabled: false, otherEnabled: false)
        #expect(await eventually(40) { host.lines(containing: "consumer stopped", "paka-scripted") == 1 }, "\(host.output.suffix(2000))")
        let after = (0..<10).map { "after-\($0)" }
        try await host.publish(after)
        try await Task.sleep(for: .seconds(1))
        #expect(host.recorded("scripted").sorted() == before.sorted())  // nothing handled once disabled
        #expect(host.lines(containing: "plugin stopped", "disabled in plugins.json") == 1)

        // The group's committed offsets: a new member gets exactly the events published after.
        let next = try KafkaConsumer(configuration: KafkaConfiguration(brokers: host.cluster.bootstrapServers, clientId: "test",
                                                                      properties: EmbeddedKafkaCluster.fastConsumerProperties),
                                     groupId: "paka-scripted", topics: ["scripted.in"], logger: .test)
        var rest: [String] = []
        let deadline = Date().addingTimeInterval(20)
        while rest.count < after.count && Date() < deadline {
            rest += await next.poll(maxMessages: 50, timeout: .milliseconds(200)).compactMap {
                if case .success(let e) = CloudEvent.parse($0.value) { e.id } else { nil }
            }
        }
        #expect(Set(rest) == Set(after))
        await next.close()
        #expect(await host.stop() == 0)
    }
}
