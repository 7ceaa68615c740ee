import Foundation
@testable import PakaPipeline
@testable import PakaPluginHost
import PakaTestSupport
import Testing

/// `paka dlq list|replay` and `paka plugin pause|resume|offsets` against a running
/// `paka serve` (embedded Kafka) through PAKA_URL and PAKA_TOKEN.
@Suite struct OperatorCommandLineTests {
    @Test func operatorCommandsTalkToTheRunningHostWithTablesOrJSON() async throws {
        let dir = TemporaryDirectory()
        let log = dir.file("host.log")
        let plugins = dir.write("plugins.json", #"{"pluginDir": "\#(dir.path)", "plugins": [{"name": "marker", "library": "\#(try MarkerPlugin.buggy())", "topics": ["audit.event"]}]}"#)
        let host = try startPakaServe(bootstrap: "embedded", pluginsFile: plugins, dataDirectory: dir.file("data"), log: log,
                                      environment: ["KAFKA_TOPIC_PARTITIONS": "1"])
        defer { host.terminate(); host.waitUntilExit() }
        var url: String?
        #expect(await eventually(60) {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            guard let range = text.range(of: "paka listening on ") else { return false }
            url = String(text[range.upperBound...].prefix { !$0.isWhitespace })
            return true
        })
        let base = try #require(url)
        let token = try adminToken()
        var env = ProcessInfo.processInfo.environment
        env["PAKA_URL"] = base
        env["PAKA_TOKEN"] = token
        func paka(_ arguments: String...) throws -> (status: Int32, output: String) { try run(TestPaths.pakaExecutable, arguments, environment: env) }

        let published = try run("/usr/bin/env", ["curl", "-s", "-H", "Authorization: Bearer \(token)", "-H", "Content-Type: application/json",
                                                  "-d", #"{"action": "marker-bug", "resource": "document", "resourceId": 9}"#, "\(base)/kafka/test/audit"])
        #expect(published.output.contains("\"ok\":true"), "\(published.output)")
        #expect(await eventually(60) {
            let listed = try? paka("dlq", "list", "marker", "--json")
            return listed?.output.contains("handler crashed on marker-bug") == true
        })

        let table = try paka("dlq", "list", "marker")
        #expect(table.status == 0, "\(table.output)")
        #expect(table.output.contains("EVENT") && table.output.contains("REASON"))
        #expect(table.output.contains("handler crashed on marker-bug"))
        #expect(table.output.contains("1 dead letter(s)"))

        let dry = try paka("dlq", "replay", "marker", "--error-contains", "marker-bug", "--dry-run")
        #expect(dry.status == 0, "\(dry.output)")
        #expect(dry.output.contains("would-deliver"))
        #expect(dry.output.contains(": dry-run; selected 1"))

        let paused = try paka("plugin", "pause", "marker")
        #expect(paused.status == 0, "\(paused.output)")
        #expect(paused.output.contains("(consumer: paused)"))
        #expect(try String(contentsOfFile: plugins, encoding: .utf8).contains(#""paused": true"#))

        let offsets = try paka("plugin", "offsets", "marker")
        #expect(offsets.output.contains("COMMITTED") && offsets.output.contains("audit.event"), "\(offsets.output)")
        let moved = try paka("plugin", "offsets", "marker", "--reset", "earliest", "--json")
        #expect(moved.status == 0, "\(moved.output)")
        let answer = try #require(try JSONSerialization.jsonObject(with: Data(moved.output.utf8)) as? [String: Any])
        #expect((answer["after"] as? [[String: Any]])?.first?["committed"] as? Int == 0)

        let resumed = try paka("plugin", "resume", "marker")
        #expect(resumed.output.contains("(consumer: running)"), "\(resumed.output)")

        env["PAKA_TOKEN"] = nil
        let anonymous = try paka("plugin", "pause", "marker")
        #expect(anonymous.status == 1)
        #expect(anonymous.output.contains("401") && anonymous.output.contains("PAKA_TOKEN"))
    }
}
