import Foundation
import HummingbirdTesting
@testable import PakaPipeline
@testable import PakaPluginHost
import PakaTestSupport
import Testing

/// `GET /plugins` carries each consumer's lanes (`lanes`: in flight, held for retry, busy of
/// all, and when observed) — the `paka_consumer_*` gauges, where the console's cards read them.
@Suite struct PluginLaneRouteTests {
    private static func plugins(_ host: TestHost) async throws -> [[String: Any]] {
        let headers = try await host.bearer()
        let text = try await host.test { client in try await client.execute(uri: "/plugins", method: .get, headers: headers).text }
        return try #require((try JSONSerialization.jsonObject(with: Data(text.utf8))) as? [[String: Any]])
    }

    @Test func pluginListShowsTheLanesAsTheConsumerLastReportedThem() async throws {
        let library = try PluginCompiler.build(name: "scripted")
        let host = try await TestHost(plugins: #"[{"name": "scripted", "library": "\#(library)"}]"#)
        #expect(try await Self.plugins(host).first?["lanes"] == nil, "no consumer has reported yet")
        let before = Date()
        host.app.metrics.lanesObserved(plugin: "scripted", inFlight: 5, heldForRetry: 2, busyLanes: 3, lanes: 16)
        let lanes = try #require(try await Self.plugins(host).first?["lanes"] as? [String: Any])
        #expect(lanes["inFlight"] as? Int == 5)
        #expect(lanes["heldForRetry"] as? Int == 2)
        #expect(lanes["busyLanes"] as? Int == 3)
        #expect(lanes["lanes"] as? Int == 16)
        let observed = try #require((lanes["observedAt"] as? String).flatMap { try? Date($0, strategy: .iso8601) })
        #expect(observed >= before.addingTimeInterval(-1))
    }

    @Test func aRunningConsumersLanesReachThePluginList() async throws {
        let library = try PluginCompiler.build(defines: ["FIXTURE_NAME=\"audit\""], name: "stand-in-audit")
        let host = try await TestHost(plugins: #"[{"name": "audit", "library": "\#(library)", "topics": ["audit.event"], "concurrency": 3}]"#,
                                      environment: ["KAFKA_BROKERS": "embedded"])
        let kafka = try #require(host.app.kafka)
        #expect(kafka.bus.refreshConnection(timeout: .seconds(5)))
        let supervisor = Task { try await kafka.supervisor.run() }
        defer { supervisor.cancel() }
        let headers = try await host.bearer()
        _ = try await host.test { client in
            try await client.json("/kafka/test/audit", headers: headers, body: #"{"action": "viewed", "resource": "document", "resourceId": 7}"#)
        }
        var lanes: [String: Any]?
        for _ in 0..<150 where lanes == nil {
            lanes = try await Self.plugins(host).first?["lanes"] as? [String: Any]
            if lanes == nil { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(lanes?["lanes"] as? Int == 3, "one lane per instance: \(String(describing: lanes))")
        #expect((lanes?["busyLanes"] as? Int).map { (0...3).contains($0) } == true)
        supervisor.cancel()
        _ = await supervisor.result
    }
}
