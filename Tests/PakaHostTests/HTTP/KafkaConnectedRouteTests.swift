import Foundation
import HummingbirdTesting
import PakaKafka
@testable import PakaPipeline
@testable import PakaPluginHost
import PakaTestSupport
import Testing

/// The seed's routes with Kafka connected (`KAFKA_BROKERS=embedded`): the connected status
/// shape, and test events that really reach their topic — checked with kcat, an independent client.
@Suite struct KafkaConnectedRouteTests {
    /// Four stand-in processors (the scripted C fixture built under each seed name) so the
    /// consumer groups run whatever the real processors need (PostgreSQL, secrets).
    static func seedPlugins() throws -> String {
        let seed = [("document", "document.uploaded", "paka-document-processor"), ("notification", "notification.send", "paka-notification-processor"),
                    ("audit", "audit.event", "paka-audit-logger"), ("report", "report.generate", "paka-report-generator")]
        return "[" + (try seed.map { name, topic, group in
            let library = try PluginCompiler.build(defines: ["FIXTURE_NAME=\"\(name)\""], name: "stand-in-\(name)")
            return #"{"name": "\#(name)", "library": "\#(library)", "topics": ["\#(topic)"], "groupId": "\#(group)"}"#
        }).joined(separator: ",") + "]"
    }

    @Test func statusShowsTheConnectedShapeWithTheEmbeddedBootstrapAndTheFourGroups() async throws {
        let host = try await TestHost(plugins: try Self.seedPlugins(), environment: ["KAFKA_BROKERS": "embedded"])
        let kafka = try #require(host.app.kafka)
        #expect(kafka.bus.refreshConnection(timeout: .seconds(5)))
        let supervisor = Task { try await kafka.supervisor.run() }
        #expect(await eventually { kafka.supervisor.activeGroups.count == 4 })
        let body = try await host.test { client in try await client.execute(uri: "/kafka/status", method: .get).canonical }
        let bootstrap = try #require(kafka.embeddedCluster?.bootstrapServers)
        #expect(body == TestResponse.canonical("""
            {"ok": true, "kafka": {"connected": true, "brokers": "\(bootstrap)", "clientId": "paka-api"},
             "topics": ["document.uploaded", "document.parsed", "document.embedded", "notification.send", "notification.sent",
                        "audit.event", "report.generate", "report.ready"],
             "consumers": ["paka-document-processor", "paka-notification-processor", "paka-audit-logger", "paka-report-generator"],
             "message": "Kafka is connected and processing events"}
            """))
        supervisor.cancel()
        _ = await supervisor.result
    }

    @Test func testAuditEventReachesItsTopicAsACloudEventKeyedByTheResource() async throws {
        let host = try await TestHost(environment: ["KAFKA_BROKERS": "embedded"])
        let kafka = try #require(host.app.kafka)
        #expect(kafka.bus.refreshConnection(timeout: .seconds(5)))
        let headers = try await host.bearer()
        let response = try await host.test { client in
            try await client.json("/kafka/test/audit", headers: headers,
                                  body: #"{"action": "test_action", "resource": "document", "resourceId": 123, "details": {"note": "Testing Kafka audit"}}"#)
        }
        #expect(response.status == .ok)
        #expect(response.object?["message"] as? String == "Audit event published to Kafka")
        #expect(response.object?["topic"] as? String == "audit.event")
        let eventId = try #require(response.object?["eventId"] as? String)

        let bootstrap = try #require(kafka.embeddedCluster?.bootstrapServers)
        let read = try run("/usr/bin/env", ["kcat", "-b", bootstrap, "-C", "-t", "audit.event", "-e", "-q", "-f", "%k\t%s\n"])
        let line = try #require(read.output.split(separator: "\n").first { $0.contains(eventId) }, "kcat saw: \(read.output)")
        let parts = line.split(separator: "\t", maxSplits: 1)
        #expect(parts.first == "123")
        let envelope = try #require(try JSONSerialization.jsonObject(with: Data(parts[1].utf8)) as? [String: Any])
        #expect(envelope["specversion"] as? String == "1.0")
        #expect(envelope["type"] as? String == "audit.event")
        #expect(envelope["subject"] as? String == "123")
        let data = try #require(envelope["data"] as? [String: Any])
        #expect(data["action"] as? String == "test_action")
        #expect(data["requestedBy"] as? String == "alice")
    }

    @Test func metricsShowConsumedEventsHandleLatencyAndConsumerLag() async throws {
        let host = try await TestHost(plugins: try Self.seedPlugins(), environment: ["KAFKA_BROKERS": "embedded"])
        let kafka = try #require(host.app.kafka)
        #expect(kafka.bus.refreshConnection(timeout: .seconds(5)))
        let supervisor = Task { try await kafka.supervisor.run() }
        #expect(await eventually { kafka.supervisor.activeGroups.count == 4 })
        let headers = try await host.bearer()
        for _ in 0..<3 {
            _ = try await host.test { client in
                try await client.json("/kafka/test/audit", headers: headers, body: #"{"action": "viewed", "resource": "document", "resourceId": 7}"#)
            }
        }
        func metricLines() async throws -> [Substring] {
            try await host.test { client in try await client.execute(uri: "/metrics", method: .get).text }.split(separator: "\n")
        }
        func has(_ name: String, _ labels: [String], atLeast: Double) async throws -> Bool {
            try await metricLines().contains { line in
                line.hasPrefix(name + "{") && labels.allSatisfy { line.contains($0) } && (Double(line.split(separator: " ").last ?? "") ?? -1) >= atLeast
            }
        }
        var consumed = false, latency = false, lag = false, lanes = false
        for _ in 0..<100 where !(consumed && latency && lag && lanes) {
            consumed = try await has("paka_events_consumed_total", [#"plugin="audit""#, #"outcome="ok""#], atLeast: 3)
            latency = try await has("paka_plugin_handle_seconds_count", [#"plugin="audit""#], atLeast: 1)
            lag = try await has("paka_consumer_lag", [#"group="paka-audit-logger""#, #"topic="audit.event""#], atLeast: 0)
            let laneCount = try await has("paka_consumer_lanes", [#"plugin="audit""#], atLeast: 1)
            let busy = try await has("paka_consumer_busy_lanes", [#"plugin="audit""#], atLeast: 0)
            let held = try await has("paka_consumer_held_for_retry_events", [#"plugin="audit""#], atLeast: 0)
            lanes = laneCount && busy && held
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(consumed)
        #expect(latency)
        #expect(lag)
        #expect(lanes, "the lane gauges")
        supervisor.cancel()
        _ = await supervisor.result
    }
}
