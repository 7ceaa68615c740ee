import Foundation
import Hummingbird
import HummingbirdTesting
@testable import PakaPipeline
@testable import PakaPluginHost
@testable import PakaServer
import Testing

/// What the `/kafka/test/*` routes answer: the seed's bodies in Kafka mode, and synchronous
/// processing (with each plugin's outcome) when Kafka is not connected.
@Suite struct ProducerResponseTests {
    private func receipt(_ topic: String, _ mode: EventRouter.Mode, _ outcomes: [String: EventOutcome] = [:]) -> EventRouter.Receipt {
        EventRouter.Receipt(eventId: "e-1", topic: topic, mode: mode, outcomes: outcomes)
    }

    private func encoded(_ body: PublishReceiptBody) throws -> String {
        TestResponse.canonical(String(decoding: try JSONResponse.encoder.encode(body), as: UTF8.self))
    }

    @Test func kafkaModeAnswersAreTheSeedsBodiesPlusEventIdAndMode() throws {
        #expect(try encoded(PublishReceiptBody(receipt("notification.send", .kafka), wording: .notification)) == TestResponse.canonical(
            #"{"ok":true,"message":"Notification event published to Kafka","topic":"notification.send","eventId":"e-1","mode":"kafka"}"#))
        #expect(try encoded(PublishReceiptBody(receipt("audit.event", .kafka), wording: .audit)) == TestResponse.canonical(
            #"{"ok":true,"message":"Audit event published to Kafka","topic":"audit.event","eventId":"e-1","mode":"kafka"}"#))
        #expect(try encoded(PublishReceiptBody(receipt("report.generate", .kafka), wording: .report)) == TestResponse.canonical(
            #"{"ok":true,"message":"Report generation request published to Kafka","topic":"report.generate","note":"Report will be generated async and sent to Telegram","eventId":"e-1","mode":"kafka"}"#))
    }

    @Test func notificationWithoutKafkaIsProcessedSynchronously() async throws {
        let host = try await TestHost()
        let headers = try await host.bearer()
        try await host.test { client in
            let response = try await client.json("/kafka/test/notification", headers: headers, body: ProducerRouteTests.validBodies["/kafka/test/notification"]!)
            #expect(response.status == .ok)
            let eventId = try #require(response.object?["eventId"] as? String)
            #expect(response.canonical == TestResponse.canonical(
                #"{"ok":true,"message":"Kafka not connected - notification processed synchronously","topic":"notification.send","eventId":"\#(eventId)","mode":"synchronous","outcomes":{}}"#))
        }
    }

    @Test func auditWithoutKafkaIsHandledByTheAuditPluginAndSaysSo() async throws {
        let database = try ScratchDatabase()  // the audit plugin stores its events in PostgreSQL
        let host = try await TestHost(plugins: #"[{"name": "audit", "library": "\#(TestPaths.builtPlugin("AuditLogger"))", "config": {"databaseURL": "\#(database.url)"}}]"#)
        let headers = try await host.bearer()
        try await host.test { client in
            let response = try await client.json("/kafka/test/audit", headers: headers, body: ProducerRouteTests.validBodies["/kafka/test/audit"]!)
            #expect(response.status == .ok)
            let eventId = try #require(response.object?["eventId"] as? String)
            #expect(response.canonical == TestResponse.canonical(
                #"{"ok":true,"message":"Kafka not connected - audit event processed synchronously","topic":"audit.event","eventId":"\#(eventId)","mode":"synchronous","outcomes":{"audit":"ok"}}"#))
        }
        #expect(host.app.registry.active(named: "audit")?.counters.snapshot.handled == 1)
    }

    @Test func reportWithoutKafkaKeepsTheNoteField() async throws {
        let host = try await TestHost()
        let headers = try await host.bearer()
        try await host.test { client in
            let response = try await client.json("/kafka/test/report", headers: headers, body: #"{"reportType": "weekly"}"#)
            let eventId = try #require(response.object?["eventId"] as? String)
            #expect(response.canonical == TestResponse.canonical(
                #"{"ok":true,"message":"Kafka not connected - report generated synchronously","topic":"report.generate","note":"Report was generated synchronously and sent to Telegram when configured","eventId":"\#(eventId)","mode":"synchronous","outcomes":{}}"#))
        }
    }

    /// A FAIL is not an HTTP error: the event was accepted and kept (local dead-letter spool).
    @Test func pluginFailureStillAnswersOkWithTheOutcomeAndSpoolsTheCloudEvent() async throws {
        let library = try PluginCompiler.build(name: "scripted-http")
        let host = try await TestHost(plugins: #"[{"name": "scripted", "library": "\#(library)", "topics": ["audit.event"]}]"#)
        let headers = try await host.bearer()
        let eventId = try await host.test { client in
            let response = try await client.json("/kafka/test/audit", headers: headers,
                                                 body: #"{"action": "delete", "resource": "document", "resourceId": "doc-7", "details": {"why": "fail"}}"#)
            #expect(response.status == .ok)
            #expect(response.object?["ok"] as? Bool == true)
            #expect(response.object?["outcomes"] as? [String: String] == ["scripted": "fail: event asked to fail"])
            return try #require(response.object?["eventId"] as? String)
        }
        let spool = try String(contentsOfFile: "\(host.dataDirectory)/dead-letters/audit.event.dlq.jsonl", encoding: .utf8)
        let record = try #require(try JSONSerialization.jsonObject(with: Data(spool.utf8)) as? [String: Any])
        let event = try #require(record["event"] as? [String: Any])
        #expect(event["id"] as? String == eventId)
        #expect(event["specversion"] as? String == "1.0")
        #expect(event["source"] as? String == "paka/api")
        #expect(event["type"] as? String == "audit.event")
        #expect(event["subject"] as? String == "doc-7")
        let data = try #require(event["data"] as? [String: Any])
        #expect(data["requestedBy"] as? String == "alice")
        #expect(data["action"] as? String == "delete")
        #expect(data["resourceId"] as? String == "doc-7")
    }
}
