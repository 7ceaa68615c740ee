import Foundation
import Hummingbird
import HummingbirdTesting
@testable import PakaPipeline
@testable import PakaPluginHost
@testable import PakaServer
import Testing

/// `GET /kafka/status`: the seed's two shapes, field for field.
@Suite struct KafkaStatusRouteTests {
    static let eightTopics = #"["document.uploaded","document.parsed","document.embedded","notification.send","notification.sent","audit.event","report.generate","report.ready"]"#

    @Test func notConnectedStatusIsTheSeedsShapeWithoutAToken() async throws {
        let host = try await TestHost(environment: ["KAFKA_BROKERS": "localhost:9092", "KAFKA_CLIENT_ID": "paka-api"])
        try await host.test { client in
            let response = try await client.execute(uri: "/kafka/status", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            #expect(response.canonical == TestResponse.canonical("""
                {"ok":true,"kafka":{"connected":false,"brokers":"localhost:9092","clientId":"paka-api"},
                 "topics":\(Self.eightTopics),"consumers":[],"message":"Kafka not connected - async processing disabled"}
                """))
        }
    }

    @Test func connectedStatusListsTopicsConsumersAndTheSeedsMessage() throws {
        let status = KafkaStatus(connected: true, brokers: "localhost:9092", clientId: "paka-api", consumers: Topics.consumerGroups)
        let body = String(decoding: try JSONResponse.encoder.encode(KafkaStatusBody(status)), as: UTF8.self)
        #expect(TestResponse.canonical(body) == TestResponse.canonical("""
            {"ok":true,"kafka":{"connected":true,"brokers":"localhost:9092","clientId":"paka-api"},
             "topics":\(Self.eightTopics),
             "consumers":["paka-document-processor","paka-notification-processor","paka-audit-logger","paka-report-generator"],
             "message":"Kafka is connected and processing events"}
            """))
    }

    @Test func disconnectedStatusNeverListsConsumers() {
        let body = KafkaStatusBody(KafkaStatus(connected: false, brokers: "b:9092", clientId: "c", consumers: ["paka-audit-logger"]))
        #expect(body.consumers == [])
        #expect(body.message == "Kafka not connected - async processing disabled")
    }
}

/// The status answer is encoded once per distinct status, and again as soon as it changes.
@Suite struct KafkaStatusAnswerTests {
    @Test func sameStatusReusesTheAnswerAndAnyChangeIsEncodedAfresh() throws {
        let answer = KafkaStatusAnswer()
        let down = KafkaStatus(connected: false, brokers: "b:9092", clientId: "paka-api", consumers: [])
        let up = KafkaStatus(connected: true, brokers: "b:9092", clientId: "paka-api", consumers: ["paka-audit-logger"])
        let first = answer.body(for: down)
        #expect(answer.body(for: down) == first)
        let connected = String(buffer: answer.body(for: up))
        #expect(connected.contains(#""connected":true"#) && connected.contains("paka-audit-logger"))
        var fewer = up
        fewer.consumers = []
        #expect(!String(buffer: answer.body(for: fewer)).contains("paka-audit-logger"))
        #expect(String(buffer: answer.body(for: down)) == String(buffer: first))
        #expect(String(buffer: first).contains("Kafka not connected - async processing disabled"))
    }
}
