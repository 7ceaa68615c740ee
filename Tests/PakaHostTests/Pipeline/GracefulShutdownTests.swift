import Foundation
import Glibc
import PakaKafka
@testable import PakaPipeline
@testable import PakaPluginHost
@testable import PakaServer
import PakaTestSupport
import Synchronization
import Testing

/// Graceful shutdown happens inside the one service group: HTTP intake first, the consumers,
/// the dead-letter replays, the producer's flush, the plugins' drain, the embedded cluster last;
/// every blocking step on the blocking pool, none on the cooperative pool.
@Suite(.serialized) struct GracefulShutdownTests {
    static let steps = ["producer flush", "plugin drain", "embedded Kafka cluster"]

    @Test func everyShutdownStepRunsInOrderOnABlockingPoolThreadNeverOnTheCooperativePool() async throws {
        let host = try await TestHost(plugins: #"[{"name": "scripted", "library": "\#(try PluginCompiler.build(name: "scripted"))", "topics": ["audit.event"]}]"#,
                                      environment: ["KAFKA_BROKERS": "embedded", "KAFKA_TOPIC_PARTITIONS": "1", "PAKA_WATCH": "0",
                                                    "PORT": "0", "PAKA_BIND": "127.0.0.1"],
                                      runsReplays: false)
        let port = Atomic<Int>(0)
        let group = host.app.makeServiceGroup(signals: false) { bound in port.store(bound, ordering: .releasing) }
        let running = Task { try await group.run() }
        #expect(await eventually(60) { port.load(ordering: .acquiring) > 0 })
        let cooperative = await Self.cooperativeThreads()
        await group.triggerGracefulShutdown()
        try await running.value

        let steps = host.app.shutdownJournal.steps
        #expect(steps.map(\.step) == Self.steps)
        for step in steps {
            #expect(!cooperative.contains(step.thread), "\(step.step) ran on a cooperative-pool thread (\(step.threadName))")
            #expect(step.threadName.hasPrefix("TP-#"), "\(step.step) ran on '\(step.threadName)', not a BlockingPool thread")
        }
        #expect(host.app.registry.activePlugins.isEmpty, "the plugins were drained inside the group")
    }

    @Test func sigtermUnderPublishLoadExitsZeroStopsEveryStepInOrderAndLosesNoAcknowledgedEvent() async throws {
        let dir = TemporaryDirectory()
        let cluster = try EmbeddedKafkaCluster(brokerCount: 1, logger: .test)
        for topic in Topics.all + Topics.all.map(Topics.deadLetter(of:)) { try cluster.createTopic(topic, partitions: 1) }
        let run = try await Self.serveUnderLoad(bootstrap: cluster.bootstrapServers, dir: dir)
        #expect(run.status == 0, "\(run.log)")
        #expect(Self.stepOrder(run.log) == ["producer flush", "plugin drain"], "\(run.log)")
        #expect(run.log.contains("consumer stopped"))
        #expect(run.log.hasSuffix("paka stopped\n") || run.log.components(separatedBy: "\n").last { !$0.isEmpty }?.contains("paka stopped") == true)
        #expect(!run.acknowledged.isEmpty)

        // Every publish the host answered 200 is in the topic: the producer flushed before exit.
        let reader = try KafkaTopicReader(configuration: KafkaConfiguration(brokers: cluster.bootstrapServers, clientId: "check"), logger: .test)
        let marks = try reader.watermarks(topic: "audit.event", partition: 0, timeout: .seconds(10))
        let stored = try await onOwnThread {
            reader.read(topic: "audit.event", partition: 0, from: marks.low, until: marks.high, timeout: .seconds(10))
                .map { String(decoding: $0.value, as: UTF8.self) }
        }
        let missing = run.acknowledged.filter { n in !stored.contains { $0.contains(#""action":"load-\#(n)""#) } }
        #expect(missing.isEmpty, "acknowledged but not in audit.event: \(missing.prefix(10))")
        cluster.shutdown()
    }

    @Test func sigtermOnAnEmbeddedClusterHostStopsTheClusterLastWithNoConnectionRefused() async throws {
        let dir = TemporaryDirectory()
        let run = try await Self.serveUnderLoad(bootstrap: "embedded", dir: dir)
        #expect(run.status == 0, "\(run.log)")
        #expect(Self.stepOrder(run.log) == Self.steps, "\(run.log)")
        #expect(!run.afterStop.contains("Connection refused"), "\(run.afterStop)")
        #expect(!run.acknowledged.isEmpty)
    }

    // MARK: - Support

    struct ServeRun {
        var status: Int32
        var log: String
        /// The log written after SIGTERM was sent.
        var afterStop: String
        /// The publishes answered 200 (their `load-N` numbers).
        var acknowledged: [Int]
    }

    /// `paka serve` with the scripted plugin on `audit.event`, a curl loop publishing to it
    /// (one request after another), SIGTERM in the middle of the load.
    static func serveUnderLoad(bootstrap: String, dir: TemporaryDirectory) async throws -> ServeRun {
        let plugins = dir.write("plugins.json", """
            {"pluginDir": "\(dir.path)", "plugins": [{"name": "scripted", "library": "\(try PluginCompiler.build(name: "scripted"))",
              "topics": ["audit.event"], "config": {"record": "\(dir.file("record.txt"))"}}]}
            """)
        let log = dir.file("serve.log")
        let host = try startPakaServe(bootstrap: bootstrap, pluginsFile: plugins, dataDirectory: dir.file("data"), log: log,
                                      environment: ["PAKA_WATCH": "0", "KAFKA_TOPIC_PARTITIONS": "1"])
        var url: String?
        _ = await eventually(90) {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if let range = text.range(of: "paka listening on ") { url = String(text[range.upperBound...].prefix { !$0.isWhitespace }) }
            return url != nil || !host.isRunning
        }
        guard let url else {
            host.terminate()
            host.waitUntilExit()
            throw ShutdownTestError("the host did not start: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        }
        let statuses = dir.file("statuses.txt")
        let load = Process()
        load.executableURL = URL(fileURLWithPath: "/bin/bash")
        load.arguments = ["-c", """
            i=0
            while true; do
              i=$((i+1))
              code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 20 -X POST -H "Authorization: Bearer $TOKEN" \
                -H 'Content-Type: application/json' -d "{\\"action\\": \\"load-$i\\", \\"resource\\": \\"document\\", \\"resourceId\\": $i}" \
                "$URL/kafka/test/audit")
              echo "$i $code" >> "$OUT"
              if [ "$code" = "000" ]; then exit 0; fi
            done
            """]
        load.environment = ProcessInfo.processInfo.environment.merging(["TOKEN": try adminToken(), "URL": url, "OUT": statuses]) { _, new in new }
        try load.run()
        func answered() -> [(Int, String)] {
            ((try? String(contentsOfFile: statuses, encoding: .utf8)) ?? "").split(separator: "\n").compactMap { line in
                let parts = line.split(separator: " ")
                return parts.count == 2 ? Int(parts[0]).map { ($0, String(parts[1])) } : nil
            }
        }
        #expect(await eventually(60) { answered().filter { $0.1 == "200" }.count >= 20 })
        let before = ((try? Data(contentsOf: URL(fileURLWithPath: log))) ?? Data()).count
        host.terminate()  // SIGTERM, with requests still coming
        let status = try await onOwnThread { () -> Int32 in
            host.waitUntilExit()
            load.waitUntilExit()
            return host.terminationStatus
        }
        let bytes = (try? Data(contentsOf: URL(fileURLWithPath: log))) ?? Data()
        let text = String(decoding: bytes, as: UTF8.self)
        return ServeRun(status: status, log: text, afterStop: String(decoding: bytes.dropFirst(before), as: UTF8.self),
                        acknowledged: answered().filter { $0.1 == "200" }.map(\.0))
    }

    /// The shutdown steps in the order their "stopped" lines were logged.
    static func stepOrder(_ log: String) -> [String] {
        log.split(separator: "\n").filter { $0.hasSuffix(" stopped") || $0.contains("] stopped") }.compactMap { line in
            steps.first { line.contains("step=\($0)") }
        }
    }

    /// The threads the cooperative pool runs tasks on: many short tasks, each noting its thread.
    static func cooperativeThreads() async -> Set<UInt> {
        await withTaskGroup(of: UInt.self) { group in
            for _ in 0..<256 {
                group.addTask {
                    var sum = 0
                    for i in 0..<10_000 { sum &+= i }
                    return UInt(pthread_self()) | UInt(sum & 0)
                }
            }
            var threads: Set<UInt> = []
            for await thread in group { threads.insert(thread) }
            return threads
        }
    }
}

struct ShutdownTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
