import Foundation
import PakaKafka
@testable import PakaPipeline
@testable import PakaPluginHost
import PakaTestSupport
import Testing

/// `"delivery": "exactly-once"`: a plugin that publishes one derived event per input, a host
/// killed with SIGKILL mid-stream and started again, and a `read_committed` reader of the
/// derived topic that sees exactly one derived event per input answered OK (0 lost, 0
/// duplicated), none of what a RETRY published, and each FAILed input once in the `.dlq`.
///
/// The kills land while the plugin is inside `handle` (a stall the fixture announces with a
/// marker file) with one lane, so the consumer loop is in `handle` too, never inside a commit:
/// librdkafka 2.0.2's mock cluster shows aborted and never-committed transactional records to
/// `read_committed` readers (docs/kafka.md, "Exactly-once"), so a kill inside the few
/// milliseconds of a commit would be the mock's failure, not the host's.
@Suite(.serialized) struct ExactlyOnceTests {
    @Test func aHostKilledMidStreamPublishesEveryDerivedEventAndDeadLetterExactlyOnce() async throws {
        let run = try await killedRun(delivery: "exactly-once")
        #expect(run.lost.isEmpty, "\(run.lost.count) derived events lost, first: \(run.lost.prefix(10)); host log:\n\(run.hostLog)")
        #expect(run.duplicated.isEmpty, "\(run.duplicated.count) derived events duplicated, first: \(run.duplicated.prefix(10))")
        #expect(run.retryPublishes == 0, "\(run.retryPublishes) events published by attempts answered RETRY became visible")
        #expect(run.deadLettersMissing.isEmpty && run.deadLettersDuplicated.isEmpty,
                "dead letters missing: \(run.deadLettersMissing.prefix(10)), duplicated: \(run.deadLettersDuplicated.prefix(10))")
        print("exactly-once: \(run.inputs) inputs, 2 kills, \(run.derived) derived events read_committed, \(run.deadLetters) dead letters")
    }

    /// The same with the plugin in a `paka worker` child: its publishes reach the host over the
    /// worker channel, on the host's reader thread, and still go into the event's transaction.
    @Test func publishesForwardedFromAnIsolatedWorkerAreCommittedExactlyOnce() async throws {
        let run = try await killedRun(delivery: "exactly-once", isolation: "process")
        #expect(run.lost.isEmpty, "\(run.lost.count) derived events lost, first: \(run.lost.prefix(10)); host log:\n\(run.hostLog)")
        #expect(run.duplicated.isEmpty, "\(run.duplicated.count) derived events duplicated, first: \(run.duplicated.prefix(10))")
        #expect(run.retryPublishes == 0, "\(run.retryPublishes) events published by attempts answered RETRY became visible")
        #expect(run.deadLettersMissing.isEmpty && run.deadLettersDuplicated.isEmpty,
                "dead letters missing: \(run.deadLettersMissing.prefix(10)), duplicated: \(run.deadLettersDuplicated.prefix(10))")
    }

    struct Run {
        var inputs = 0, derived = 0, deadLetters = 0, retryPublishes = 0
        var lost: [String] = [], duplicated: [String] = [], deadLettersMissing: [String] = [], deadLettersDuplicated: [String] = []
        /// The last host's transaction and error lines, shown when an expectation fails.
        var hostLog = ""
    }

    /// 240 inputs (every 10th FAILs, every 7th RETRYs once); the host is killed twice at a stall
    /// and then runs to the end. `delivery` "at-least-once" shows what the transaction prevents.
    func killedRun(delivery: String, isolation: String = "inprocess") async throws -> Run {
        let dir = TemporaryDirectory()
        let cluster = try EmbeddedKafkaCluster(brokerCount: 1, logger: .test)
        defer { cluster.shutdown() }
        for topic in ["derive.in", "derive.in.dlq", "derive.out"] + Topics.all + Topics.all.map(Topics.deadLetter(of:)) {
            try cluster.createTopic(topic, partitions: topic == "derive.in" ? 3 : 1)
        }
        let marker = dir.file("stalled")
        let library = try PluginCompiler.build("\(TestPaths.fixtures)/deriving.c", name: "deriving")
        let plugins = dir.write("plugins.json", """
            {"pluginDir": "\(dir.path)", "plugins": [{"name": "deriving", "library": "\(library)", "delivery": "\(delivery)", "isolation": "\(isolation)",
              "batchSize": 20, "retry": {"initialBackoffMs": 100, "maxBackoffMs": 100}, "config": {"marker": "\(marker)"}}]}
            """)
        let environment = ["PAKA_INSTANCE_ID": "eos-killed", "PAKA_WATCH": "0", "PAKA_WORKER_EXECUTABLE": TestPaths.pakaExecutable]
        let configuration = KafkaConfiguration(brokers: cluster.bootstrapServers, clientId: "eos-test")
        let producer = try KafkaProducer(configuration: configuration, logger: .test)
        var okIds: [String] = [], failIds: [String] = []
        for n in 0..<240 {
            let data = n % 10 == 3 ? #"{"fail":true}"# : n % 7 == 2 ? #"{"retries":1}"# : [70, 171].contains(n) ? #"{"stallMs":60000}"# : "{}"
            let event = CloudEvent(id: "e\(n)", source: "test", type: "derive.in", subject: "k\(n % 24)", data: Array(data.utf8))
            _ = try await producer.send(topic: "derive.in", key: Array(event.subject.utf8), value: event.jsonBytes, headers: [])
            if n % 10 == 3 { failIds.append(event.id) } else { okIds.append(event.id) }
        }
        await producer.shutdown(timeout: .seconds(2))
        for round in 0..<2 {
            try? FileManager.default.removeItem(atPath: marker)  // arms the next stall
            let host = try startPakaServe(bootstrap: cluster.bootstrapServers, pluginsFile: plugins, dataDirectory: dir.file("data"),
                                          log: dir.file("host\(round).log"), environment: environment)
            let stalled = await eventually(120) { FileManager.default.fileExists(atPath: marker) }
            kill(host.processIdentifier, SIGKILL)
            host.waitUntilExit()
            let log = (try? String(contentsOfFile: dir.file("host\(round).log"), encoding: .utf8)) ?? ""
            #expect(stalled, "round \(round): the plugin never reached a stall; host log ends:\n\(log.split(separator: "\n").suffix(25).joined(separator: "\n"))")
        }
        // The marker stays: no more stalls. The last host runs until every input is accounted for.
        let last = try startPakaServe(bootstrap: cluster.bootstrapServers, pluginsFile: plugins, dataDirectory: dir.file("data"),
                                      log: dir.file("last.log"), environment: environment)
        var readCommitted = configuration
        readCommitted.properties["isolation.level"] = "read_committed"
        var derived: [KafkaMessage] = [], letters: [KafkaMessage] = []
        _ = await eventually(180) {
            derived = (try? await readQuietly("derive.out", configuration: readCommitted)) ?? []
            letters = (try? await readQuietly("derive.in.dlq", configuration: readCommitted)) ?? []
            return Set(derived.compactMap { Self.field("from", of: $0, inData: true) }).isSuperset(of: okIds)
                && Set(letters.compactMap { Self.field("id", of: $0, inData: false) }).isSuperset(of: failIds)
        }
        try await Task.sleep(for: .seconds(2))  // anything late (a duplicate) shows up in the last read
        derived = try await readQuietly("derive.out", configuration: readCommitted)
        letters = try await readQuietly("derive.in.dlq", configuration: readCommitted)
        last.terminate()
        last.waitUntilExit()

        var run = Run(inputs: 240, derived: derived.count, deadLetters: letters.count)
        run.hostLog = (try? String(contentsOfFile: dir.file("last.log"), encoding: .utf8))
            .map { $0.split(separator: "\n").filter { $0.contains("transaction") || $0.contains("error") }.suffix(15).joined(separator: "\n") } ?? ""
        var counts: [String: Int] = [:]
        for message in derived {
            if Self.field("attempt", of: message, inData: true) != nil { run.retryPublishes += 1; continue }
            if let from = Self.field("from", of: message, inData: true) { counts[from, default: 0] += 1 }
        }
        run.lost = okIds.filter { counts[$0] == nil }
        run.duplicated = counts.filter { $0.value > 1 }.map(\.key).sorted()
        var letterCounts: [String: Int] = [:]
        for message in letters { if let id = Self.field("id", of: message, inData: false) { letterCounts[id, default: 0] += 1 } }
        run.deadLettersMissing = failIds.filter { letterCounts[$0] == nil }
        run.deadLettersDuplicated = letterCounts.filter { $0.value > 1 }.map(\.key).sorted()
        return run
    }

    /// A member of the CloudEvent envelope (`inData`: of its `data` object), as text.
    static func field(_ name: String, of message: KafkaMessage, inData: Bool) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(message.value)) as? [String: Any] else { return nil }
        let holder = inData ? object["data"] as? [String: Any] : object
        return holder?[name].map { "\($0)" }
    }
}

/// Every message of `topic` (one partition or more) with a fresh group, read until nothing new
/// came for two seconds once the group assigned the partitions: duplicates are as visible as
/// the messages expected.
func readQuietly(_ topic: String, configuration: KafkaConfiguration, seconds: Double = 60) async throws -> [KafkaMessage] {
    try await onOwnThread {
        let reader = try KafkaConsumer(configuration: configuration, groupId: "reader-\(UUID().uuidString)", topics: [topic], logger: .test)
        defer { reader.close() }
        var messages: [KafkaMessage] = []
        let deadline = Date().addingTimeInterval(seconds)
        var quietSince: Date?
        while Date() < deadline, quietSince.map({ Date().timeIntervalSince($0) < 2 }) ?? true {
            let batch = reader.poll(maxMessages: 500, timeout: .milliseconds(200))
            if !batch.isEmpty || (quietSince == nil && !reader.assignment().isEmpty) { quietSince = Date() }
            messages += batch
        }
        return messages
    }
}
