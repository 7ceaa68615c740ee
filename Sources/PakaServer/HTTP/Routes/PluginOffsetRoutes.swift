import Foundation
import Hummingbird
import PakaKafka
import PakaPipeline
import PakaPluginHost

/// `GET /plugins/{name}/offsets` (Bearer) and `POST /plugins/{name}/offsets` (admin, only while
/// paused): the plugin's consumer group per partition, and moving it.
struct PluginOffsetRoutes {
    let api: HTTPAPI

    struct Report: Encodable {
        var ok = true
        var plugin: String
        var group: String?
        var consumer: String
        var partitions: [PartitionOffsets]
        var totalLag: Int64
    }

    struct Moved: Encodable {
        var ok = true
        var plugin: String
        var target: String
        var before: [PartitionOffsets]
        var after: [PartitionOffsets]
    }

    func addBearer(to routes: some RouterMethods<PakaRequestContext>) {
        routes.get("/plugins/:name/offsets") { _, context in
            let name = try context.parameters.require("name")
            let supervisor = try supervisor(for: name)
            let partitions = try await Self.mapping { () async throws(ConsumerControlError) in try await supervisor.offsets(of: name) }
            return JSONResponse.make(Report(plugin: name, group: api.app.registry.active(named: name)?.groupId,
                                            consumer: supervisor.consumerState(of: name) ?? "none", partitions: partitions,
                                            totalLag: partitions.reduce(0) { $0 + $1.lag }))
        }
    }

    func addAdmin(to routes: some RouterMethods<PakaRequestContext>) {
        routes.post("/plugins/:name/offsets") { request, context in
            let name = try context.parameters.require("name")
            let supervisor = try supervisor(for: name)
            let body = try await JSONRequestBody.read(request, context: context)
            let (target, label) = try Self.target(of: body)
            let moved = try await Self.mapping { () async throws(ConsumerControlError) in try await supervisor.resetOffsets(of: name, to: target) }
            return JSONResponse.make(Moved(plugin: name, target: label, before: moved.before, after: moved.after))
        }
    }

    private func supervisor(for name: String) throws -> ConsumerSupervisor {
        guard api.app.registry.configuration.plugins.contains(where: { $0.name == name }) else {
            throw APIError.notFound("no plugin named '\(name)' in \(api.app.environment.pluginsFile)")
        }
        guard let supervisor = api.app.kafka?.supervisor else {
            throw APIError(.serviceUnavailable, "Kafka is not configured on this host, so there are no consumer offsets")
        }
        return supervisor
    }

    /// `{"to": "earliest"|"latest"}`, `{"timestamp": "<ISO 8601>" | <ms>}` or
    /// `{"offsets": [{"topic", "partition", "offset"}]}` — exactly one of them.
    static func target(of body: JSONRequestBody) throws -> (OffsetReset, String) {
        let given = ["to", "timestamp", "offsets"].filter { body.fields[$0] != nil }
        guard given.count == 1 else {
            throw APIError.badRequest("give exactly one of 'to' (\"earliest\" or \"latest\"), 'timestamp' (ISO 8601 or milliseconds) or 'offsets' ([{topic, partition, offset}])")
        }
        switch given[0] {
        case "to":
            let to = try body.requiredChoice("to", from: ["earliest", "latest"])
            return (to == "earliest" ? .earliest : .latest, to)
        case "timestamp":
            switch body.fields["timestamp"] {
            case .number(let ms)? where ms >= 0 && ms < 9e15 && ms.rounded() == ms: return (.timestamp(Int64(ms)), "timestamp \(Int64(ms))")
            case .string(let text)?:
                guard let date = ISO8601DateFormatter.flexible(text) else { throw APIError.badRequest("field 'timestamp' is not an ISO 8601 time: '\(text)'") }
                return (.timestamp(Int64(date.timeIntervalSince1970 * 1000)), "timestamp \(text)")
            default: throw APIError.badRequest("field 'timestamp' must be an ISO 8601 string or milliseconds since the epoch")
            }
        default:
            guard let items = body.fields["offsets"]?.arrayValue, !items.isEmpty else {
                throw APIError.badRequest("field 'offsets' must be a non-empty array of {topic, partition, offset}")
            }
            var offsets: [KafkaTopicPartition: Int64] = [:]
            for (index, item) in items.enumerated() {
                guard let object = item.objectValue, let topic = object["topic"]?.stringValue,
                      let partition = object["partition"]?.numberValue, partition >= 0, partition < 1e6, partition.rounded() == partition,
                      let offset = object["offset"]?.numberValue, offset >= 0, offset < 9e15, offset.rounded() == offset else {
                    throw APIError.badRequest("offsets[\(index)] must be {\"topic\": string, \"partition\": whole number ≥ 0, \"offset\": whole number ≥ 0}")
                }
                offsets[KafkaTopicPartition(topic: topic, partition: Int32(partition))] = Int64(offset)
            }
            return (.explicit(offsets), "explicit offsets")
        }
    }

    /// The consumer's refusals as HTTP answers: 409 for state (the group rebalancing included: it
    /// ends by itself, retry), 400 for a bad target, 503 for Kafka unavailable.
    static func mapping<T>(_ work: () async throws(ConsumerControlError) -> T) async throws -> T {
        do throws(ConsumerControlError) {
            return try await work()
        } catch {
            switch error {
            case .noConsumer, .notPaused: throw APIError(.conflict, error.description)
            case .invalidTarget: throw APIError.badRequest(error.description)
            case .kafka(let kafka) where kafka.isGroupRebalancing:
                throw APIError(.conflict, "the consumer group is rebalancing (\(kafka.codeName ?? "")); retry in a few seconds")
            case .kafka: throw APIError(.serviceUnavailable, "Kafka did not answer; retry later", detail: error.description)
            }
        }
    }
}
