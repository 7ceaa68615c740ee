import Foundation
import Hummingbird
import HummingbirdTesting
@testable import PakaPipeline
@testable import PakaPluginHost
import PakaTestSupport
import Testing

/// `GET /plugins/{name}/dead-letters`, `POST …/dead-letters/replay`, `GET …/replays/{id}`,
/// on the embedded Kafka cluster: the marker plugin FAILs "marker-bug" events; a bystander
/// plugin consumes the same topic.
@Suite(.serialized) struct DeadLetterRouteTests {
    private func letters(_ ops: OperatorHost, _ query: String = "") async throws -> [[String: Any]] {
        let response = try await ops.call("/plugins/marker/dead-letters\(query)", method: .get, admin: false)
        return response.object?["letters"] as? [[String: Any]] ?? []
    }

    @Test func listsThePluginsDeadLettersNewestFirstWithFiltersAndPages() async throws {
        let scratch = TemporaryDirectory()
        let bystanderRecord = scratch.file("bystander.txt")
        let ops = try await OperatorHost(plugin: "marker", library: try MarkerPlugin.buggy(), extra: [try MarkerPlugin.bystanderEntry(record: bystanderRecord)])
        #expect(await eventually { ops.consumerState("marker") == "running" && ops.consumerState("bystander") == "running" })
        try await ops.publish("e1", marker: "marker-bug")
        try await ops.publish("e2")
        try await ops.publish("e3", marker: "marker-bug")
        try await ops.publish("e4", marker: "fail")  // the bystander FAILs this one; marker handles it
        try await ops.publish("e5", marker: "marker-bug")
        #expect(await eventually(30) { ((try? await letters(ops)) ?? []).count == 3 })

        let all = try await letters(ops)
        #expect(all.map { $0["eventId"] as? String } == ["e5", "e3", "e1"])
        let newest = try #require(all.first)
        #expect(newest["topic"] as? String == "audit.event")
        #expect(newest["partition"] as? Int == 0)
        #expect(newest["offset"] as? Int == 4)
        #expect(newest["attempts"] as? Int == 1)
        #expect(newest["reason"] as? String == "handler crashed on marker-bug")
        #expect(newest["source"] as? String == "kafka")
        #expect(newest["state"] as? String == "pending")
        #expect(newest["time"] is String)
        #expect((newest["id"] as? String)?.hasPrefix("audit.event.dlq:0:") == true)

        let first = try await ops.call("/plugins/marker/dead-letters?limit=2", method: .get, admin: false)
        #expect((first.object?["letters"] as? [[String: Any]])?.map { $0["eventId"] as? String } == ["e5", "e3"])
        let cursor = try #require(first.object?["nextCursor"] as? String)
        let second = try await ops.call("/plugins/marker/dead-letters?limit=2&cursor=\(cursor)", method: .get, admin: false)
        #expect((second.object?["letters"] as? [[String: Any]])?.map { $0["eventId"] as? String } == ["e1"])
        #expect(second.object?["nextCursor"] == nil || second.object?["nextCursor"] is NSNull)

        #expect(try await letters(ops, "?errorContains=MARKER-BUG").count == 3)
        #expect(try await letters(ops, "?errorContains=timeout").isEmpty)
        #expect(try await letters(ops, "?since=2999-01-01T00:00:00Z").isEmpty)
        #expect(try await letters(ops, "?until=2000-01-01T00:00:00Z").isEmpty)
        // The console opens one letter: `payload=true` adds its Kafka key and envelope, as text.
        let opened = try await ops.call("/plugins/marker/dead-letters?limit=1&payload=true", method: .get, admin: false)
        let openedId = try #require((opened.object?["letters"] as? [[String: Any]])?.first?["id"] as? String)
        let payload = try #require((opened.object?["payloads"] as? [String: [String: Any]])?[openedId])
        #expect(payload["key"] as? String == "k")
        let headers = try #require(payload["headers"] as? [[String]])
        #expect(headers.contains(["paka-error", "handler crashed on marker-bug"]), "\(headers)")
        #expect(headers.contains(["paka-plugin", "marker"]), "\(headers)")
        let envelope = try #require((payload["envelope"] as? String).flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] })
        #expect(envelope["id"] as? String == "e5")
        #expect((envelope["data"] as? [String: String])?["marker"] == "marker-bug")
        #expect(try await letters(ops).count == 3, "without payload=true the listing is unchanged")
        #expect(try await ops.call("/plugins/marker/dead-letters", method: .get, admin: false).object?["payloads"] == nil)
        // The marker's FAILs are not crashes: the crash-only filter leaves them out.
        #expect(try await letters(ops, "?crashOnly=true").isEmpty)
        #expect(try await letters(ops, "?crashOnly=false").count == 3)
        #expect(try await ops.call("/plugins/marker/dead-letters?crashOnly=maybe", method: .get, admin: false).status == .badRequest)
        #expect(try await ops.call("/plugins/marker/dead-letters?limit=0", method: .get, admin: false).status == .badRequest)
        #expect(try await ops.call("/plugins/marker/dead-letters?since=yesterday", method: .get, admin: false).status == .badRequest)
        #expect(try await ops.call("/plugins/marker/dead-letters?cursor=garbage", method: .get, admin: false).status == .badRequest)
        #expect(try await ops.call("/plugins/nobody/dead-letters", method: .get, admin: false).status == .notFound)
        let anonymous = try await ops.host.test { client in try await client.execute(uri: "/plugins/marker/dead-letters", method: .get) }
        #expect(anonymous.status == .unauthorized)

        // The bystander's own letter (e4) is in the same .dlq topic but not in marker's list. It
        // is written by the bystander's consumer, on its own schedule: wait for it.
        func bystanderLetters() async -> [String?] {
            let response = try? await ops.call("/plugins/bystander/dead-letters", method: .get, admin: false)
            return (response?.object?["letters"] as? [[String: Any]])?.map { $0["eventId"] as? String } ?? []
        }
        #expect(await eventually(30) { await bystanderLetters() == ["e4"] })
        await ops.stop()
        withExtendedLifetime(scratch) {}
    }

    /// The runbook (docs/operations.md): a bug dead-letters events; fix, swap, replay.
    @Test func runbookFixSwapReplayDeliversToThatPluginOnlyOnceWithProvenance() async throws {
        let scratch = TemporaryDirectory()
        let bystanderRecord = scratch.file("bystander.txt")
        let ops = try await OperatorHost(plugin: "marker", library: try MarkerPlugin.buggy(), extra: [try MarkerPlugin.bystanderEntry(record: bystanderRecord)])
        #expect(await eventually { ops.consumerState("marker") == "running" && ops.consumerState("bystander") == "running" })
        try await ops.publish("b1", marker: "marker-bug")
        try await ops.publish("b2", marker: "marker-bug")
        #expect(await eventually(30) { ((try? await letters(ops)) ?? []).count == 2 })
        #expect(await eventually { PipelineHarness.recorded(bystanderRecord).count == 2 })

        // Dry run first: says what would be delivered, delivers nothing.
        let dry = try await ops.call("/plugins/marker/dead-letters/replay", body: #"{"errorContains": "marker-bug", "dryRun": true}"#)
        #expect(dry.status == .ok)
        let dryReport = try #require(dry.object?["replay"] as? [String: Any])
        #expect(dryReport["status"] as? String == "dry-run")
        #expect(dryReport["selected"] as? Int == 2)
        #expect((dryReport["items"] as? [[String: Any]])?.allSatisfy { $0["outcome"] as? String == "would-deliver" } == true)
        #expect(MarkerPlugin.lines(ops.record).isEmpty)
        #expect(try await ops.call("/plugins/marker/dead-letters/replay", admin: false, body: #"{"errorContains": "marker-bug"}"#).status == .forbidden)

        // The fix: point plugins.json at the fixed build and reload (the hot-swap protocol).
        let file = try String(contentsOfFile: ops.host.pluginsFile, encoding: .utf8)
        try file.replacingOccurrences(of: try MarkerPlugin.buggy(), with: try MarkerPlugin.fixed()).write(toFile: ops.host.pluginsFile, atomically: true, encoding: .utf8)
        #expect(try await ops.call("/plugins/reload").status == .ok)
        #expect(ops.host.app.registry.active(named: "marker")?.descriptor.version == "2.0.0")

        let replay = try await ops.call("/plugins/marker/dead-letters/replay", body: #"{"errorContains": "marker-bug", "ratePerSecond": 50}"#)
        #expect(replay.status == .ok, "\(replay.text)")
        let report = try #require(replay.object?["replay"] as? [String: Any])
        #expect(report["status"] as? String == "done")
        #expect(report["selected"] as? Int == 2)
        #expect(report["delivered"] as? Int == 2)
        #expect(report["failedAgain"] as? Int == 0)
        #expect(report["requestedBy"] as? String == "alice")
        let handled = MarkerPlugin.lines(ops.record)
        #expect(Set(handled.map(\.id)) == ["b1", "b2"])
        #expect(handled.allSatisfy { $0.version == "2.0.0" && $0.attempt == 2 && $0.by == "alice" })

        // Nothing left in the selection; the replay did not reach the bystander.
        #expect(try await letters(ops).isEmpty)
        #expect(try await letters(ops, "?state=all").map { $0["state"] as? String } == ["replayed", "replayed"])
        #expect(PipelineHarness.recorded(bystanderRecord).count == 2)

        // Idempotent: the same request again skips them; force delivers again.
        let again = try await ops.call("/plugins/marker/dead-letters/replay", body: #"{"errorContains": "marker-bug"}"#)
        let againReport = try #require(again.object?["replay"] as? [String: Any])
        #expect(againReport["skipped"] as? Int == 2)
        #expect(againReport["delivered"] as? Int == 0)
        #expect(MarkerPlugin.lines(ops.record).count == 2)
        let forced = try await ops.call("/plugins/marker/dead-letters/replay", body: #"{"errorContains": "marker-bug", "force": true}"#)
        #expect((forced.object?["replay"] as? [String: Any])?["delivered"] as? Int == 2)
        #expect(MarkerPlugin.lines(ops.record).count == 4)

        let id = try #require(report["id"] as? String)
        let fetched = try await ops.call("/plugins/marker/dead-letters/replays/\(id)", method: .get, admin: false)
        #expect(fetched.status == .ok)
        #expect((fetched.object?["replay"] as? [String: Any])?["delivered"] as? Int == 2)
        #expect(try await ops.call("/plugins/bystander/dead-letters/replays/\(id)", method: .get, admin: false).status == .notFound)
        #expect(PipelineHarness.recorded(bystanderRecord).count == 2)
        await ops.stop()
        withExtendedLifetime(scratch) {}
    }

    @Test func aReplayThatFailsAgainIsDeadLetteredAgainWithProvenanceAndAttemptsCounting() async throws {
        let ops = try await OperatorHost(plugin: "marker", library: try MarkerPlugin.buggy())
        #expect(await eventually { ops.consumerState("marker") == "running" })
        try await ops.publish("c1", marker: "marker-bug")
        #expect(await eventually(30) { ((try? await letters(ops)) ?? []).count == 1 })
        let original = try #require(try await letters(ops).first?["id"] as? String)

        let replay = try await ops.call("/plugins/marker/dead-letters/replay", body: #"{"ids": ["c1"]}"#)
        let report = try #require(replay.object?["replay"] as? [String: Any])
        #expect(report["failedAgain"] as? Int == 1)
        #expect(report["delivered"] as? Int == 0)

        #expect(await eventually { ((try? await letters(ops)) ?? []).first?["id"] as? String != original })
        let pending = try await letters(ops)
        #expect(pending.count == 1)
        let again = try #require(pending.first)
        #expect(again["eventId"] as? String == "c1")
        #expect(again["attempts"] as? Int == 2)
        #expect(again["replayOf"] as? String == original)
        #expect(again["replayBy"] as? String == "alice")
        #expect(again["offset"] as? Int == 0, "the original position is kept")
        let all = try await letters(ops, "?state=all")
        #expect(all.first { $0["id"] as? String == original }?["state"] as? String == "failed-again")
        await ops.stop()
    }

    @Test func aReplayCutShortByARestartIsReportedAsInterruptedWithWhatItDid() async throws {
        let ops = try await OperatorHost(plugin: "marker", library: try MarkerPlugin.buggy())
        #expect(await eventually { ops.consumerState("marker") == "running" })
        try await ops.publish("d1", marker: "marker-bug")
        try await ops.publish("d2", marker: "marker-bug")
        #expect(await eventually(30) { ((try? await letters(ops)) ?? []).count == 2 })
        // One event per 1000 s: the first is delivered at once, the second waits.
        let replay = try await ops.call("/plugins/marker/dead-letters/replay", body: #"{"errorContains": "marker-bug", "ratePerSecond": 0.001}"#)
        #expect(replay.status == .accepted)
        let id = try #require((replay.object?["replay"] as? [String: Any])?["id"] as? String)
        #expect(ops.host.app.deadLetters.report(id)?.failedAgain == 1)

        // What a restart does: a new replayer over the same data directory.
        let app = ops.host.app
        let restarted = DeadLetterReplayer(registry: app.registry, bus: nil, spool: LocalSpool(dataDirectory: app.environment.dataDirectory, logger: .test),
                                           store: DeadLetterStore(makeReader: nil, kafkaConnected: { false },
                                                                  spool: LocalSpool(dataDirectory: app.environment.dataDirectory, logger: .test), ledger: ReplayLedger()),
                                           dataDirectory: app.environment.dataDirectory, logger: .test)
        #expect(restarted.report(id) == nil, "no disk I/O in init")
        await restarted.loadReports()
        let report = try #require(restarted.report(id))
        #expect(report.status == .interrupted)
        #expect(report.selected == 2)
        #expect(report.failedAgain == 1)
        #expect(report.items.filter { $0.outcome == .pending }.count == 1)
        #expect(restarted.store.ledger.state(of: report.items[0].letter) == "failed-again")

        // A graceful shutdown stops the running replay between two letters (it was sleeping for
        // 1000 s) and the service returns only once the replay has ended: interrupted, reported.
        ops.host.app.deadLetters.stop()
        await ops.host.replays.value
        #expect(ops.host.app.deadLetters.report(id)?.status == .interrupted)
        #expect(ops.host.app.deadLetters.report(id)?.failedAgain == 1)
        #expect(ops.host.app.deadLetters.store.ledger.state(of: report.items[1].letter) == "pending", "the letter not delivered is given back")
        // Stopped, the replayer answers a new request at once: interrupted, nothing claimed.
        let late = try await ops.call("/plugins/marker/dead-letters/replay", body: #"{"errorContains": "marker-bug", "force": true}"#)
        #expect((late.object?["replay"] as? [String: Any])?["status"] as? String == "interrupted", "\(late.text)")
        await ops.stop()
    }

    @Test func deadLettersOfTheSynchronousPathAreListedFromTheSpoolAndReplayed() async throws {
        let scratch = TemporaryDirectory()
        let record = scratch.file("record.txt")
        let host = try await TestHost(plugins: #"[{"name": "marker", "library": "\#(try MarkerPlugin.buggy())", "config": {"record": "\#(record)"}}]"#,
                                      environment: ["KAFKA_BROKERS": "127.0.0.1:1"])
        let admin = try await host.bearer(admin: true)
        let published = try await host.test { client in
            try await client.json("/kafka/test/audit", headers: admin, body: #"{"action": "marker-bug", "resource": "document", "resourceId": 1}"#)
        }
        #expect(published.status == .ok)
        let listing = try await host.test { client in try await client.execute(uri: "/plugins/marker/dead-letters", method: .get, headers: admin) }
        let letter = try #require((listing.object?["letters"] as? [[String: Any]])?.first)
        #expect(letter["source"] as? String == "spool")
        #expect(letter["reason"] as? String == "handler crashed on marker-bug")
        #expect(letter["partition"] == nil || letter["partition"] is NSNull)
        #expect((listing.object?["kafkaUnavailable"] as? String)?.contains("not connected") == true)

        // Disabled, the plugin's letters are still listed (on the topics it consumed).
        #expect(try await host.test { client in try await client.execute(uri: "/plugins/marker/disable", method: .post, headers: admin) }.status == .ok)
        let whileDisabled = try await host.test { client in try await client.execute(uri: "/plugins/marker/dead-letters", method: .get, headers: admin) }
        #expect((whileDisabled.object?["letters"] as? [[String: Any]])?.count == 1)
        #expect(try await host.test { client in try await client.execute(uri: "/plugins/marker/enable", method: .post, headers: admin) }.status == .ok)

        let file = try String(contentsOfFile: host.pluginsFile, encoding: .utf8)
        try file.replacingOccurrences(of: try MarkerPlugin.buggy(), with: try MarkerPlugin.fixed()).write(toFile: host.pluginsFile, atomically: true, encoding: .utf8)
        _ = try host.app.reloadPlugins()
        let replay = try await host.test { client in
            try await client.json("/plugins/marker/dead-letters/replay", headers: admin, body: #"{"since": "1970-01-01T00:00:00Z"}"#)
        }
        #expect((replay.object?["replay"] as? [String: Any])?["delivered"] as? Int == 1, "\(replay.text)")
        #expect(MarkerPlugin.lines(record).map(\.version) == ["2.0.0"])
        let after = try await host.test { client in try await client.execute(uri: "/plugins/marker/dead-letters", method: .get, headers: admin) }
        #expect((after.object?["letters"] as? [[String: Any]])?.isEmpty == true)
        withExtendedLifetime(scratch) {}
    }
}
