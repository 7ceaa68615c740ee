import Foundation
import PakaKafka
@testable import PakaPipeline
@testable import PakaPluginHost
import PakaTestSupport
import Testing

/// Offsets never pass an unfinished event, with 8 lanes finishing out of offset order and keys
/// held for retries: a host killed with SIGKILL at random points and started again skips
/// nothing (it may handle some events again: at-least-once).
@Suite(.serialized) struct LaneOffsetTests {
    @Test func aHostKilledAtRandomPointsAndRestartedSkipsNoEvent() async throws {
        let dir = TemporaryDirectory()
        let cluster = try EmbeddedKafkaCluster(brokerCount: 1, logger: .test)
        defer { cluster.shutdown() }
        for topic in ["scripted.in", "scripted.in.dlq"] + Topics.all + Topics.all.map(Topics.deadLetter(of:)) {
            try cluster.createTopic(topic, partitions: 2)
        }
        let record = dir.file("record.txt")
        let library = try PluginCompiler.build("\(TestPaths.fixtures)/lanes.c", name: "lanes")
        let plugins = dir.write("plugins.json", """
            {"pluginDir": "\(dir.path)", "plugins": [{"name": "scripted", "library": "\(library)", "concurrency": 8,
              "retry": {"initialBackoffMs": 400, "maxBackoffMs": 400}, "config": {"record": "\(record)"}}]}
            """)
        // Stored offsets are committed every 100 ms (librdkafka's default is 5 s): a kill then
        // finds commits that are recent, where an offset stored too far would skip events.
        let environment = ["PAKA_INSTANCE_ID": "killed", "PAKA_WATCH": "0", "KAFKA_PROPERTY_AUTO_COMMIT_INTERVAL_MS": "100"]
        let producer = try KafkaProducer(configuration: KafkaConfiguration(brokers: cluster.bootstrapServers, clientId: "lane-offsets"), logger: .test)
        var random = SeededRandom(seed: 21)
        var ids: [String] = []
        for n in 0..<400 {
            let data = laneData(delayMs: random.next(upTo: 25), retries: random.next(upTo: 100) < 15 ? 1 : 0)
            let event = CloudEvent(id: "e\(n)", source: "test", type: "scripted.in", subject: "k\(random.next(upTo: 40))", data: Array(data.utf8))
            _ = try await producer.send(topic: "scripted.in", key: Array(event.subject.utf8), value: event.jsonBytes, headers: [])
            ids.append(event.id)
        }
        await producer.shutdown(timeout: .seconds(2))
        for round in 0..<3 {
            let host = try startPakaServe(bootstrap: cluster.bootstrapServers, pluginsFile: plugins, dataDirectory: dir.file("data"),
                                          log: dir.file("host\(round).log"), environment: environment)
            // Some progress, then a kill at a random point of it.
            let before = LaneEffect.read(record).count
            _ = await eventually(60) { LaneEffect.read(record).count > before + 40 }
            try await Task.sleep(for: .milliseconds(300 + random.next(upTo: 900)))
            kill(host.processIdentifier, SIGKILL)
            host.waitUntilExit()
        }
        let last = try startPakaServe(bootstrap: cluster.bootstrapServers, pluginsFile: plugins, dataDirectory: dir.file("data"),
                                      log: dir.file("last.log"), environment: environment)
        // An event in flight alone at crash.maxAttempts host deaths is dead-lettered with a crash
        // verdict (the journal cannot tell a SIGKILL from the plugin killing the host): it is
        // finished, not skipped. The suspects run alone, so random kills rarely condemn one.
        let configuration = KafkaConfiguration(brokers: cluster.bootstrapServers, clientId: "dlq-reader", properties: EmbeddedKafkaCluster.fastConsumerProperties)
        let reader = try KafkaConsumer(configuration: configuration, groupId: "dlq-reader", topics: ["scripted.in.dlq"], logger: .test)
        var letters: [KafkaMessage] = []
        _ = await eventually(120) {
            letters += await reader.poll(maxMessages: 100, timeout: .milliseconds(100))
            let deadLettered = letters.compactMap { try? CloudEvent.parse($0.value).get().id }
            return Set(LaneEffect.read(record).map(\.id)).union(deadLettered).isSuperset(of: ids)
        }
        await reader.close()
        last.terminate()
        last.waitUntilExit()
        let deadLettered = letters.compactMap { try? CloudEvent.parse($0.value).get().id }
        #expect(letters.allSatisfy { $0.headerText("paka.error")?.hasPrefix("plugin crashed:") == true }, "only crash verdicts are dead-lettered")
        let seen = Set(LaneEffect.read(record).map(\.id)).union(deadLettered)
        let skipped = ids.filter { !seen.contains($0) }
        #expect(skipped.isEmpty, "\(skipped.count) events skipped after the kills, first: \(skipped.prefix(20))")
        if !skipped.isEmpty {
            // What the hosts saw of the group, for the diagnosis (the directory goes with the test).
            for log in (0..<3).map({ "host\($0).log" }) + ["last.log"] {
                let text = (try? String(contentsOfFile: dir.file(log), encoding: .utf8)) ?? ""
                let lines = text.split(separator: "\n").filter { $0.contains("partition") || $0.contains("rebalance") || $0.contains("consumer") }
                print("\(log):\n" + lines.suffix(40).joined(separator: "\n"))
            }
        }
        print("lane offsets: 400 events, 3 kills, \(LaneEffect.read(record).count) effects, \(deadLettered.count) dead-lettered by crash verdicts")
    }
}
