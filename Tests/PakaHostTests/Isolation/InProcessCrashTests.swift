import Foundation
import PakaKafka
@testable import PakaPipeline
@testable import PakaPluginHost
import Synchronization
import Testing

/// In-process plugins: a poison event kills the host, but the crash journal makes sure it can
/// do so at most `crash.maxAttempts` times; then it is dead-lettered and the host stays up.
@Suite(.serialized) struct InProcessCrashTests {
    @Test func supervisorRestartsEndAfterAtMostMaxAttemptsCrashesWithThePoisonDeadLettered() async throws {
        let dir = TemporaryDirectory()
        let cluster = try EmbeddedKafkaCluster(brokerCount: 1, logger: .test)
        for topic in ["scripted.in", "scripted.in.dlq", "echo.out"] + Topics.all + Topics.all.map(Topics.deadLetter(of:)) {
            try cluster.createTopic(topic, partitions: 1)
        }
        let configuration = KafkaConfiguration(brokers: cluster.bootstrapServers, clientId: "test", properties: EmbeddedKafkaCluster.fastConsumerProperties)
        let producer = try KafkaProducer(configuration: configuration, logger: .test)
        for (id, data) in [("before", "{}"), ("poison", #""segv""#), ("after", "{}")] {
            let event = CloudEvent(id: id, source: "test", type: "scripted.in", subject: "one-resource", data: Array(data.utf8))
            _ = try await producer.send(topic: "scripted.in", key: Array(event.subject.utf8), value: event.jsonBytes)
        }
        let record = dir.file("record.txt")
        let plugins = dir.write("plugins.json", """
            {"pluginDir": "\(dir.path)", "plugins": [{"name": "crashing", "library": "\(try CrashHarness.fixture())",
              "crash": {"maxAttempts": 2}, "config": {"record": "\(record)"}}]}
            """)
        func handled() -> [String] {
            ((try? String(contentsOfFile: record, encoding: .utf8)) ?? "").split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
        }
        let letters = Mutex<[KafkaMessage]>([])
        let reader = try KafkaConsumer(configuration: configuration, groupId: "dlq-reader", topics: ["scripted.in.dlq"], logger: .test)
        var crashes: [Int32] = []
        var survivor: Process?
        var logs: [String] = []
        for run in 0..<(2 + 3) {  // maxAttempts crashes at most, plus room to prove it
            let log = dir.file("host-\(run).log")
            logs.append(log)
            let host = try startPakaServe(bootstrap: cluster.bootstrapServers, pluginsFile: plugins, dataDirectory: dir.file("data"), log: log,
                                          environment: ["SWIFT_BACKTRACE": "enable=no", "PAKA_WATCH": "0"])
            let deadline = Date().addingTimeInterval(60)
            while host.isRunning && Date() < deadline && !(handled().contains("after") && !letters.withLock { $0.isEmpty }) {
                let polled = await reader.poll(maxMessages: 10, timeout: .milliseconds(100))
                letters.withLock { $0 += polled }
            }
            if host.isRunning { survivor = host; break }
            host.waitUntilExit()
            #expect(host.terminationReason == .uncaughtSignal)
            crashes.append(host.terminationStatus)
        }
        let host = try #require(survivor, "the host kept crashing: \(crashes)")
        #expect((1...2).contains(crashes.count), "\(crashes)")
        #expect(crashes.allSatisfy { $0 == SIGSEGV })
        let firstLog = (try? String(contentsOfFile: logs[0], encoding: .utf8)) ?? ""
        #expect(firstLog.contains("paka: fatal signal while a plugin handled: plugin crashing:"))
        #expect(firstLog.contains("scripted.in/0/1/poison"))
        let letter = try #require(letters.withLock { $0.first })
        #expect(letter.headerText("paka.error") == "plugin crashed: SIGSEGV while handling this event")
        #expect(letter.headerText("paka.crash.signal") == "SIGSEGV")
        #expect(letter.headerText("paka-attempts") == "2")
        #expect(handled().filter { $0 == "after" }.count == 1)
        #expect(handled().contains("before"))
        // The host that dead-lettered the poison stays up and answers.
        try await Task.sleep(for: .milliseconds(500))
        #expect(host.isRunning)
        host.terminate()
        host.waitUntilExit()
        #expect(host.terminationStatus == 0)
        await reader.close()
        await producer.shutdown()
        cluster.shutdown()
    }
}
