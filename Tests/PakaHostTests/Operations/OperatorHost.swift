import Foundation
import Hummingbird
import HummingbirdTesting
import PakaKafka
@testable import PakaPipeline
@testable import PakaPluginHost

/// A `TestHost` on the embedded Kafka cluster (one partition per topic) with the scripted C
/// fixture consuming `audit.event` and recording what it finished, its supervisor running.
final class OperatorHost: @unchecked Sendable {
    static let topic = "audit.event"

    let host: TestHost
    let kafka: KafkaPipeline
    let record: String

    /// `plugins`: extra plugins.json entries (JSON objects) besides `scripted`.
    init(plugin: String = "scripted", library: String? = nil, extra: [String] = [], environment: [String: String] = [:]) async throws {
        let dir = TemporaryDirectory()
        record = dir.file("record.txt")
        let scripted = #"{"name": "\#(plugin)", "library": "\#(try library ?? PluginCompiler.build(name: "scripted"))", "topics": ["\#(Self.topic)"], "retry": {"maxAttempts": 2, "initialBackoffMs": 20, "maxBackoffMs": 40}, "config": {"record": "\#(record)"}}"#
        host = try await TestHost(plugins: "[" + ([scripted] + extra).joined(separator: ",") + "]",
                                  environment: ["KAFKA_BROKERS": "embedded", "KAFKA_TOPIC_PARTITIONS": "1"].merging(environment) { _, new in new })
        guard let kafka = host.app.kafka else { throw OperatorHostError.noKafka }
        self.kafka = kafka
        _ = kafka.bus.refreshConnection(timeout: .seconds(5))
        let supervisor = kafka.supervisor
        supervisorTask = Task { try await supervisor.run() }
        keep = dir
    }
    private let keep: TemporaryDirectory
    private let supervisorTask: Task<Void, any Error>

    deinit { supervisorTask.cancel() }

    /// Stops the consumers (each commits and leaves its group) before the cluster goes away.
    func stop() async {
        supervisorTask.cancel()
        _ = await supervisorTask.result
    }

    /// Publishes one event on `audit.event` through Kafka (its data carries `marker`).
    func publish(_ id: String, marker: String = "ok") async throws {
        try await kafka.bus.produce(CloudEvent(id: id, source: "test", type: Self.topic, subject: "k", data: Array(#"{"marker": "\#(marker)"}"#.utf8)))
    }

    var recorded: [PipelineHarness.Handled] { PipelineHarness.recorded(record) }
    func handled(_ id: String) -> Int { recorded.filter { $0.id == id }.count }

    func consumerState(_ plugin: String = "scripted") -> String? { kafka.supervisor.consumerState(of: plugin) }

    func call(_ uri: String, method: HTTPRequest.Method = .post, admin: Bool = true, body: String? = nil) async throws -> TestResponse {
        let headers = try await host.bearer(admin: admin)
        return try await host.test { client in
            if let body { return try await client.json(uri, method: method, headers: headers, body: body) }
            return try await client.execute(uri: uri, method: method, headers: headers)
        }
    }
}

struct OperatorHostError: Error { static let noKafka = OperatorHostError() }
