import Foundation
import PakaKafka
@testable import PakaPipeline
@testable import PakaPluginHost
import PakaTestSupport
import Testing

/// Static group membership (`group.instance.id` = `PAKA_INSTANCE_ID-<plugin>`): a host killed
/// with SIGKILL never leaves its groups; started again, it must get its partitions back.
/// The seconds it takes are printed for docs/isolation.md (a measurement, not an assertion).
@Suite(.serialized) struct StaticMembershipTests {
    private func assigned(_ log: String) -> Bool {
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").contains { line in
            guard line.contains("partitions assigned"), let range = line.range(of: "count=") else { return false }
            return (Int(line[range.upperBound...].prefix { $0.isNumber }) ?? 0) > 0
        }
    }

    /// Seconds from starting the second host until it owns partitions; nil if it never did.
    private func reassignmentAfterKill(staticMembership: Bool) async throws -> Double? {
        let dir = TemporaryDirectory()
        let cluster = try EmbeddedKafkaCluster(brokerCount: 1, logger: .test)
        defer { cluster.shutdown() }
        for topic in ["scripted.in", "scripted.in.dlq"] + Topics.all + Topics.all.map(Topics.deadLetter(of:)) {
            try cluster.createTopic(topic, partitions: 2)
        }
        let plugins = dir.write("plugins.json", """
            {"pluginDir": "\(dir.path)", "plugins": [{"name": "scripted", "library": "\(try PluginCompiler.build(name: "scripted"))"}]}
            """)
        let environment = ["PAKA_INSTANCE_ID": "measured", "PAKA_STATIC_MEMBERSHIP": staticMembership ? "1" : "0",
                           "KAFKA_PROPERTY_SESSION_TIMEOUT_MS": "10000", "PAKA_WATCH": "0"]
        let firstLog = dir.file("first.log"), secondLog = dir.file("second.log")
        let first = try startPakaServe(bootstrap: cluster.bootstrapServers, pluginsFile: plugins, dataDirectory: dir.file("data"),
                                       log: firstLog, environment: environment)
        #expect(await eventually(60) { assigned(firstLog) })
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        let started = Date()
        let second = try startPakaServe(bootstrap: cluster.bootstrapServers, pluginsFile: plugins, dataDirectory: dir.file("data"),
                                        log: secondLog, environment: environment)
        let back = await eventually(60) { assigned(secondLog) }
        let elapsed = Date().timeIntervalSince(started)
        second.terminate()
        second.waitUntilExit()
        return back ? elapsed : nil
    }

    @Test func aHostKilledAndStartedAgainGetsItsPartitionsBackWithAndWithoutStaticMembership() async throws {
        let withStatic = try await reassignmentAfterKill(staticMembership: true)
        let dynamic = try await reassignmentAfterKill(staticMembership: false)
        print("partitions back after kill -9 and restart (embedded mock, session.timeout.ms=10000): "
              + "static membership \(withStatic.map { String(format: "%.1f s", $0) } ?? "never"), "
              + "dynamic \(dynamic.map { String(format: "%.1f s", $0) } ?? "never")")
        #expect(withStatic != nil)
        #expect(dynamic != nil)
    }
}
