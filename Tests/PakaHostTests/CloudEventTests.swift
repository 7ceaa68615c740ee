import Foundation
import PakaHost
import Testing

/// The CloudEvents 1.0 envelope every topic carries.
@Suite struct CloudEventTests {
    @Test func envelopeHasEveryRequiredAttributeAndRoundTrips() throws {
        let event = CloudEvent(source: "paka/api", type: "audit.event", subject: "doc \"42\"\n\u{1}é", data: Array(#"{"a":[1,2]}"#.utf8))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(event.jsonBytes)) as? [String: Any])
        #expect(object["specversion"] as? String == "1.0")
        #expect(object["datacontenttype"] as? String == "application/json")
        #expect(UUID(uuidString: object["id"] as? String ?? "") != nil)
        #expect(object["subject"] as? String == "doc \"42\"\n\u{1}é")
        #expect(ISO8601DateFormatter.flexible(object["time"] as? String ?? "") != nil)
        let parsed = try CloudEvent.parse(event.jsonBytes).get()
        #expect(parsed.id == event.id && parsed.type == event.type && parsed.subject == event.subject)
        #expect(try JSONSerialization.jsonObject(with: Data(parsed.data)) as? [String: [Int]] == ["a": [1, 2]])
    }

    @Test func requiredAttributesNameWhatIsMissing() {
        #expect(CloudEvent.requiredAttributes(of: Array(#"{"id":"x","type":"t"}"#.utf8)).failure == .missing("source"))
        #expect(CloudEvent.requiredAttributes(of: Array(#"{"id":5,"type":"t","source":"s"}"#.utf8)).failure == .missing("id"))
        #expect(CloudEvent.requiredAttributes(of: Array("[1]".utf8)).failure == .notAnObject)
        #expect(CloudEvent.requiredAttributes(of: Array("{nope".utf8)).failure == .notJSON)
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let f) = self { return f }
        return nil
    }
}
