import Foundation
@testable import PakaPipeline
import Testing

/// Replay outcomes are typed in the host and keep the API's strings on the wire
/// (docs/http-api.md, `GET …/dead-letters/replays/{id}`).
@Suite struct ReplayReportTests {
    @Test func everyOutcomeEncodesAsTheStringTheAPIDocuments() throws {
        let expected: [ReplayReport.Outcome: String] = [
            .pending: "pending", .delivered: "delivered", .failedAgain: "failed-again", .notDelivered: "not-delivered",
            .skipped: "skipped", .wouldDeliver: "would-deliver",
        ]
        #expect(Set(ReplayReport.Outcome.allCases) == Set(expected.keys))
        for (outcome, text) in expected {
            let item = ReplayReport.Item(letter: "t.dlq:0:1", eventId: "e1", outcome: outcome, reason: nil)
            let json = String(decoding: try JSONEncoder().encode(item), as: UTF8.self)
            #expect(json.contains(#""outcome":"\#(text)""#), "\(json)")
            let decoded: ReplayReport.Outcome = try JSONDecoder().decode(ReplayReport.Item.self, from: Data(json.utf8)).outcome
            #expect(decoded == outcome)
        }
    }

    @Test func theCountsFollowTheItemsOutcomes() {
        var report = ReplayReport(id: "r", plugin: "p", requestedBy: "alice", requestedAt: Date(), status: .running, force: false, ratePerSecond: nil)
        report.items = [ReplayReport.Outcome.delivered, .delivered, .failedAgain, .notDelivered, .skipped, .pending].enumerated().map {
            ReplayReport.Item(letter: "l\($0.offset)", eventId: nil, outcome: $0.element, reason: nil)
        }
        report.count()
        let counts: [Int] = [report.selected, report.delivered, report.failedAgain, report.notDelivered, report.skipped]
        #expect(counts == [6, 2, 1, 1, 1])
    }
}
