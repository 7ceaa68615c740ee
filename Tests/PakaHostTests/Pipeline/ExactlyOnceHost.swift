import Foundation
import Hummingbird
import HummingbirdTesting
import PakaKafka
@testable import PakaPipeline
@testable import PakaPluginHost

/// A `TestHost` on the embedded Kafka cluster with the deriving fixture (Tests/Fixtures/deriving.c,
/// one derived event per input) consuming `derive.in` as an exactly-once plugin, its supervisor
/// running: the operator's routes (pause, offsets, reload, replay) drive it as they would a
/// deployed host. The fixture records every `handle` of an event, with its version.
final class ExactlyOnceHost: @unchecked Sendable {
    static let input = "derive.in"
    static let output = "derive.out"

    let host: TestHost
    let kafka: KafkaPipeline
    let record: String
    /// A `read_committed` reader's configuration: what a downstream consumer sees.
    let readCommitted: KafkaConfiguration
    private let keep: TemporaryDirectory
    private let supervisorTask: Task<Void, any Error>

    /// The library plugins.json names now.
    private(set) var library: String

    /// `concurrency`: lanes; with one, the loop runs each batch inline and commits right after
    /// it, so only several lanes leave finished events waiting for a transaction at a pause.
    init(partitions: Int32 = 1, concurrency: Int = 1, library: String? = nil) async throws {
        let dir = TemporaryDirectory()
        record = dir.file("record.txt")
        self.library = try library ?? Self.build("1.0.0")
        let entry = """
            {"name": "deriving", "library": "\(self.library)", "delivery": "exactly-once", "batchSize": 20, "concurrency": \(concurrency),
             "retry": {"maxAttempts": 2, "initialBackoffMs": 20, "maxBackoffMs": 40}, "config": {"record": "\(record)"}}
            """
        host = try await TestHost(plugins: "[\(entry)]", environment: ["KAFKA_BROKERS": "embedded", "KAFKA_TOPIC_PARTITIONS": "1"])
        guard let kafka = host.app.kafka, let cluster = kafka.embeddedCluster else { throw OperatorHostError.noKafka }
        self.kafka = kafka
        // Before the consumer subscribes: the mock would otherwise create `derive.in` with its default.
        for topic in [Self.input, Topics.deadLetter(of: Self.input), Self.output] {
            try cluster.createTopic(topic, partitions: topic == Self.input ? partitions : 1)
        }
        readCommitted = KafkaConfiguration(brokers: cluster.bootstrapServers, clientId: "eos-reader", properties: ["isolation.level": "read_committed"])
        _ = kafka.bus.refreshConnection(timeout: .seconds(5))
        let supervisor = kafka.supervisor
        supervisorTask = Task { try await supervisor.run() }
        keep = dir
    }

    deinit { supervisorTask.cancel() }

    /// The fixture as `version`; `fixed`: it no longer FAILs events that ask to fail.
    static func build(_ version: String, fixed: Bool = false) throws -> String {
        try PluginCompiler.build("\(TestPaths.fixtures)/deriving.c", defines: ["FIXTURE_VERSION=\"\(version)\""] + (fixed ? ["FIXED"] : []),
                                 name: "deriving")
    }

    /// Stops the consumer (it commits its last transaction and leaves its group).
    func stop() async {
        supervisorTask.cancel()
        _ = await supervisorTask.result
    }

    /// Publishes one input (`data`: its CloudEvent data, e.g. `{"fail":true}`).
    func publish(_ id: String, data: String = "{}") async throws {
        try await kafka.bus.produce(CloudEvent(id: id, source: "test", type: Self.input, subject: id, data: Array(data.utf8)))
    }

    /// Every `handle` of an event so far: version, id, attempt, partition.
    var handled: [PipelineHarness.Handled] { PipelineHarness.recorded(record) }

    var consumerState: String? { kafka.supervisor.consumerState(of: "deriving") }

    /// How many derived events a `read_committed` reader of `derive.out` sees per input id
    /// (reads the whole topic with a fresh group until it is quiet for two seconds).
    func visibleDerived() async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for message in try await readQuietly(Self.output, configuration: readCommitted) {
            if let from = ExactlyOnceTests.field("from", of: message, inData: true) { counts[from, default: 0] += 1 }
        }
        return counts
    }

    /// Swaps the plugin to `library` the operator's way: plugins.json edited, then reloaded.
    func swap(to library: String) throws {
        let file = try String(contentsOfFile: host.pluginsFile, encoding: .utf8)
        try file.replacingOccurrences(of: self.library, with: library).write(toFile: host.pluginsFile, atomically: true, encoding: .utf8)
        let refusals = try host.app.reloadPlugins()
        guard refusals.isEmpty else { throw PluginCompiler.Failure(description: "reload refused: \(refusals)") }
        self.library = library
    }

    /// The committed offset of partition 0 of `derive.in`, as `GET /plugins/deriving/offsets` reports it.
    func committedOffset() async throws -> Int? {
        let partitions = try await call("/plugins/deriving/offsets", method: .get).object?["partitions"] as? [[String: Any]]
        return partitions?.first { $0["partition"] as? Int == 0 }?["committed"] as? Int
    }

    func call(_ uri: String, method: HTTPRequest.Method = .post, body: String? = nil) async throws -> TestResponse {
        let headers = try await host.bearer(admin: true)
        return try await host.test { client in
            if let body { return try await client.json(uri, method: method, headers: headers, body: body) }
            return try await client.execute(uri: uri, method: method, headers: headers)
        }
    }
}
