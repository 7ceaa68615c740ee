import Foundation
import Hummingbird
import HummingbirdTesting
@testable import PakaPipeline
@testable import PakaPluginHost
@testable import PakaServer
import PakaTestSupport
import Testing

/// `POST /plugins/{name}/pause|resume` and `GET|POST /plugins/{name}/offsets` on a real
/// (embedded) Kafka cluster with the scripted C plugin consuming.
@Suite(.serialized) struct PauseAndOffsetRouteTests {
    @Test func pauseHoldsNewEventsWritesPausedToPluginsJsonAndResumeDeliversThem() async throws {
        let ops = try await OperatorHost()
        #expect(await eventually { ops.consumerState() == "running" })
        try await ops.publish("before-pause")
        #expect(await eventually { ops.handled("before-pause") == 1 })

        #expect(try await ops.call("/plugins/scripted/pause", admin: false).status == .forbidden)
        let paused = try await ops.call("/plugins/scripted/pause")
        #expect(paused.status == .ok)
        #expect(paused.object?["consumer"] as? String == "paused")
        let file = try String(contentsOfFile: ops.host.pluginsFile, encoding: .utf8)
        #expect(file.contains(#""name": "scripted", "paused": true"#))
        let list = try await ops.call("/plugins", method: .get, admin: false)
        let statuses = try #require(try JSONSerialization.jsonObject(with: Data(list.text.utf8)) as? [[String: Any]])
        #expect(statuses.first?["paused"] as? Bool == true)
        #expect(statuses.first?["state"] as? String == "active")
        #expect(ops.host.app.registry.active(named: "scripted")?.descriptor.version == "1.0.0")
        #expect(ops.host.app.registry.statuses().first?.history.count == 1, "pausing must not swap the plugin")

        try await ops.publish("while-paused")
        // The event is in the topic (end moved) and the group has not consumed it (lag 1).
        #expect(await eventually {
            let offsets = try? await ops.call("/plugins/scripted/offsets", method: .get, admin: false).object
            let partition = (offsets?["partitions"] as? [[String: Any]])?.first
            return partition?["end"] as? Int == 2 && partition?["lag"] as? Int == 1
        })
        #expect(ops.handled("while-paused") == 0)

        let resumed = try await ops.call("/plugins/scripted/resume")
        #expect(resumed.status == .ok)
        #expect(resumed.object?["consumer"] as? String == "running")
        #expect(try String(contentsOfFile: ops.host.pluginsFile, encoding: .utf8).contains(#""paused": false"#))
        #expect(await eventually { ops.handled("while-paused") == 1 })
        #expect(ops.handled("before-pause") == 1)
        await ops.stop()
    }

    @Test func aPausedPluginStaysPausedAfterARestart() async throws {
        let ops = try await OperatorHost()
        #expect(await eventually { ops.consumerState() == "running" })
        #expect(try await ops.call("/plugins/scripted/pause").status == .ok)

        // A second host started from the same plugins.json (what a restart reads).
        let environment = ops.host.app.environment
        let restarted = try await PakaApplication(environment: environment,
                                                  configuration: try PakaConfiguration.load(path: environment.pluginsFile, environment: environment.raw),
                                                  logger: .test)
        let kafka = try #require(restarted.kafka)
        _ = kafka.bus.refreshConnection(timeout: .seconds(5))
        let supervisor = Task { try await kafka.supervisor.run() }
        defer { supervisor.cancel(); restarted.registry.shutdown() }
        #expect(restarted.registry.statuses().first?.paused == true)
        #expect(await eventually { kafka.supervisor.consumerState(of: "scripted") == "paused" })
        await ops.stop()
    }

    @Test func offsetResetIsRefusedWhileRunningAndRewindsWhilePaused() async throws {
        let ops = try await OperatorHost()
        #expect(await eventually { ops.consumerState() == "running" })
        for id in ["one", "two", "three"] { try await ops.publish(id) }
        #expect(await eventually { ops.recorded.count == 3 })
        #expect(await eventually {
            let partition = ((try? await ops.call("/plugins/scripted/offsets", method: .get, admin: false).object)?["partitions"] as? [[String: Any]])?.first
            return partition?["committed"] as? Int == 3 && partition?["lag"] as? Int == 0
        })

        let running = try await ops.call("/plugins/scripted/offsets", body: #"{"to": "earliest"}"#)
        #expect(running.status == .conflict)
        #expect((running.object?["error"] as? String)?.contains("POST /plugins/scripted/pause first") == true)
        #expect(try await ops.call("/plugins/scripted/offsets", admin: false, body: #"{"to": "earliest"}"#).status == .forbidden)

        #expect(try await ops.call("/plugins/scripted/pause").status == .ok)
        let outOfRange = try await ops.call("/plugins/scripted/offsets", body: #"{"offsets": [{"topic": "audit.event", "partition": 0, "offset": 99}]}"#)
        #expect(outOfRange.status == .badRequest)
        #expect(try await ops.call("/plugins/scripted/offsets", body: #"{"to": "somewhere"}"#).status == .badRequest)
        #expect(try await ops.call("/plugins/scripted/offsets", body: #"{"timestamp": 1e300}"#).status == .badRequest)
        // Foundation alone would read this as the next day's 01:00 and rewind there.
        let rolledOver = try await ops.call("/plugins/scripted/offsets", body: #"{"timestamp": "2024-05-01T25:00:00Z"}"#)
        #expect(rolledOver.status == .badRequest)
        #expect(rolledOver.object?["error"] as? String == "field 'timestamp' is not an ISO 8601 time: '2024-05-01T25:00:00Z'")
        #expect(try await ops.call("/plugins/scripted/offsets", body: #"{"to": "earliest", "timestamp": 0}"#).status == .badRequest)

        let moved = try await ops.call("/plugins/scripted/offsets", body: #"{"offsets": [{"topic": "audit.event", "partition": 0, "offset": 1}]}"#)
        #expect(moved.status == .ok, "\(moved.text)")
        #expect((moved.object?["before"] as? [[String: Any]])?.first?["committed"] as? Int == 3)
        #expect((moved.object?["after"] as? [[String: Any]])?.first?["committed"] as? Int == 1)

        #expect(try await ops.call("/plugins/scripted/resume").status == .ok)
        // Offsets 1 and 2 ("two", "three") are delivered again; "one" is not.
        #expect(await eventually { ops.handled("two") == 2 && ops.handled("three") == 2 })
        #expect(ops.handled("one") == 1)
        await ops.stop()
    }

    @Test func anOffsetResetDuringARebalanceIsAConflictToRetryNotAServerError() async throws {
        let ops = try await OperatorHost()
        #expect(await eventually { ops.consumerState() == "running" })
        #expect(try await ops.call("/plugins/scripted/pause").status == .ok)
        // OffsetCommit = API key 8; 27 = REBALANCE_IN_PROGRESS, as a group between generations answers.
        let cluster = try #require(ops.kafka.embeddedCluster)
        cluster.pushRequestErrors(apiKey: 8, errors: [27])
        let refused = try await ops.call("/plugins/scripted/offsets", body: #"{"to": "earliest"}"#)
        #expect(refused.status == .conflict, "\(refused.text)")
        #expect((refused.object?["error"] as? String)?.contains("the consumer group is rebalancing (REBALANCE_IN_PROGRESS); retry") == true, "\(refused.text)")
        let retried = try await ops.call("/plugins/scripted/offsets", body: #"{"to": "earliest"}"#)
        #expect(retried.status == .ok, "\(retried.text)")
        await ops.stop()
    }

    @Test func reservedOperatorNamesAreNeverForwardedToThePlugin() async throws {
        let ops = try await OperatorHost()
        // The scripted plugin's http hook answers every path with {"path": …, "handled": n}.
        #expect(try await ops.call("/plugins/scripted/anything", method: .get, admin: false).text.contains("\"handled\""))
        let exact = try await ops.call("/plugins/scripted/pause", method: .get, admin: false)
        #expect(exact.status != .ok)
        #expect(exact.object?["ok"] as? Bool == false)
        let below = try await ops.call("/plugins/scripted/dead-letters/somewhere", method: .get, admin: false)
        #expect(below.status == .methodNotAllowed)
        #expect(!below.text.contains("\"handled\""))
        let offsets = try await ops.call("/plugins/scripted/offsets/x", method: .delete, admin: false)
        #expect(offsets.status == .methodNotAllowed)
        await ops.stop()
    }
}

/// Pause on the synchronous path (Kafka not connected): the paused plugin is not called.
@Suite struct PauseWithoutKafkaTests {
    @Test func aPausedPluginIsNotCalledSynchronouslyAndTheEventIsKeptForKafka() async throws {
        let scratch = TemporaryDirectory()
        let record = scratch.file("record.txt")
        let host = try await TestHost(plugins: #"[{"name": "marker", "library": "\#(try MarkerPlugin.fixed())", "config": {"record": "\#(record)"}}]"#,
                                      environment: ["KAFKA_BROKERS": "127.0.0.1:1"])
        let admin = try await host.bearer(admin: true)
        let paused = try await host.test { client in try await client.execute(uri: "/plugins/marker/pause", method: .post, headers: admin) }
        #expect(paused.status == .ok)
        #expect(paused.object?["paused"] as? Bool == true)
        let published = try await host.test { client in
            try await client.json("/kafka/test/audit", headers: admin, body: #"{"action": "while-paused", "resource": "document", "resourceId": 3}"#)
        }
        #expect(published.status == .ok)
        #expect((published.object?["outcomes"] as? [String: String])?["marker"]?.contains("paused") == true, "\(published.text)")
        #expect(MarkerPlugin.lines(record).isEmpty)
        let deferred = try String(contentsOfFile: "\(host.dataDirectory)/deferred/audit.event.jsonl", encoding: .utf8)
        #expect(deferred.contains("while-paused"))

        let resumed = try await host.test { client in try await client.execute(uri: "/plugins/marker/resume", method: .post, headers: admin) }
        #expect(resumed.status == .ok)
        _ = try await host.test { client in
            try await client.json("/kafka/test/audit", headers: admin, body: #"{"action": "after-resume", "resource": "document", "resourceId": 4}"#)
        }
        #expect(MarkerPlugin.lines(record).count == 1)
        withExtendedLifetime(scratch) {}
    }
}
