import Foundation
import PakaKafka
@testable import PakaPipeline
@testable import PakaPluginHost
import PakaTestSupport
import Testing

/// Whole `paka serve` processes against one cluster: scaling out in a group, graceful SIGTERM.
@Suite(.serialized) struct HostProcessTests {
    /// One `paka serve` process with the scripted plugin recording into its own file.
    final class HostProcess: @unchecked Sendable {
        let process: Process
        let log: String
        let record: String

        init(name: String, dir: TemporaryDirectory, bootstrap: String, batchSize: Int = 10) throws {
            log = dir.file("\(name).log")
            record = dir.file("\(name).record")
            let plugins = dir.write("\(name)-plugins.json", """
                {"pluginDir": "\(dir.path)", "plugins": [{"name": "scripted", "library": "\(try PluginCompiler.build(name: "scripted"))",
                  "batchSize": \(batchSize), "config": {"record": "\(record)"}}]}
                """)
            process = try startPakaServe(bootstrap: bootstrap, pluginsFile: plugins, dataDirectory: dir.file("\(name)-data"),
                                         log: log, environment: ["KAFKA_TOPIC_PARTITIONS": "4", "PAKA_INSTANCE_ID": name])
        }

        var output: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
        var recorded: [PipelineHarness.Handled] { PipelineHarness.recorded(record) }

        /// Partitions the consumer owns according to its latest "partitions assigned" line.
        var assignedCount: Int {
            guard let line = output.split(separator: "\n").last(where: { $0.contains("partitions assigned") }),
                  let range = line.range(of: "count=") else { return 0 }
            return Int(line[range.upperBound...].prefix { $0.isNumber }) ?? 0
        }

        func terminate() -> Int32 {
            process.terminate()  // SIGTERM
            process.waitUntilExit()
            return process.terminationStatus
        }
    }

    private func cluster() throws -> (EmbeddedKafkaCluster, KafkaProducer) {
        let cluster = try EmbeddedKafkaCluster(brokerCount: 3, logger: .test)
        for topic in ["scripted.in", "scripted.in.dlq"] + Topics.all + Topics.all.map(Topics.deadLetter(of:)) {
            try cluster.createTopic(topic, partitions: 4)
        }
        return (cluster, try KafkaProducer(configuration: KafkaConfiguration(brokers: cluster.bootstrapServers, clientId: "test"), logger: .test))
    }

    private func publish(_ producer: KafkaProducer, _ ids: [String], data: String = "{}") async throws {
        for id in ids {
            let event = CloudEvent(id: id, source: "test", type: "scripted.in", subject: "key-\(id)", data: Array(data.utf8))
            _ = try await producer.send(topic: "scripted.in", key: Array(event.subject.utf8), value: event.jsonBytes)
        }
    }

    @Test func twoHostProcessesInOneGroupSplitThePartitionsAndHandleEveryEventOnce() async throws {
        let dir = TemporaryDirectory()
        let (cluster, producer) = try cluster()
        let a = try HostProcess(name: "a", dir: dir, bootstrap: cluster.bootstrapServers)
        let b = try HostProcess(name: "b", dir: dir, bootstrap: cluster.bootstrapServers)
        #expect(await eventually(40) { a.assignedCount > 0 && b.assignedCount > 0 && a.assignedCount + b.assignedCount == 4 },
                "a: \(a.assignedCount), b: \(b.assignedCount)")
        let ids = (0..<300).map { "p\($0)" }
        try await publish(producer, ids)
        #expect(await eventually(30) { a.recorded.count + b.recorded.count >= ids.count })
        #expect(a.terminate() == 0)
        #expect(b.terminate() == 0)
        let fromA = Set(a.recorded.map(\.id)), fromB = Set(b.recorded.map(\.id))
        #expect(fromA.union(fromB) == Set(ids))
        #expect(fromA.isDisjoint(with: fromB))
        #expect(!fromA.isEmpty && !fromB.isEmpty)
        await producer.shutdown()
        cluster.shutdown()
    }

    @Test func sigtermWithEventsInFlightFinishesCommitsAndExitsZero() async throws {
        let dir = TemporaryDirectory()
        let (cluster, producer) = try cluster()
        let host = try HostProcess(name: "graceful", dir: dir, bootstrap: cluster.bootstrapServers, batchSize: 1)
        let ids = (0..<12).map { "s\($0)" }
        try await publish(producer, ids, data: #""slow""#)  // 300 ms each in the plugin
        #expect(await eventually(30) { host.recorded.count >= 2 })
        #expect(host.terminate() == 0)
        let handled = host.recorded.map(\.id)
        #expect(host.output.contains("consumer stopped"))
        #expect(host.output.contains("paka stopped"))

        // Whatever was handled is committed: the group's next member gets exactly the rest.
        let next = try KafkaConsumer(configuration: KafkaConfiguration(brokers: cluster.bootstrapServers, clientId: "test",
                                                                      properties: EmbeddedKafkaCluster.fastConsumerProperties),
                                     groupId: "paka-scripted", topics: ["scripted.in"], logger: .test)
        var rest: [String] = []
        let deadline = Date().addingTimeInterval(20)
        while rest.count < ids.count - handled.count && Date() < deadline {
            rest += await next.poll(maxMessages: 50, timeout: .milliseconds(200)).compactMap {
                if case .success(let e) = CloudEvent.parse($0.value) { e.id } else { nil }
            }
        }
        try await Task.sleep(for: .milliseconds(500))
        rest += await next.poll(maxMessages: 50, timeout: .milliseconds(200)).compactMap {
            if case .success(let e) = CloudEvent.parse($0.value) { e.id } else { nil }
        }
        #expect(Set(rest).isDisjoint(with: Set(handled)))
        #expect(Set(rest).union(Set(handled)) == Set(ids))
        await next.close()
        await producer.shutdown()
        cluster.shutdown()
    }
}
