/// The seed's eight topics and four consumer groups: a contract with users, never renamed.
public enum Topics {
    public static let all = [
        "document.uploaded", "document.parsed", "document.embedded",
        "notification.send", "notification.sent",
        "audit.event",
        "report.generate", "report.ready",
    ]

    public static let consumerGroups = [
        "paka-document-processor", "paka-notification-processor", "paka-audit-logger", "paka-report-generator",
    ]

    /// Where events a plugin FAILed (or that exhausted their retries) go.
    public static func deadLetter(of topic: String) -> String { "\(topic).dlq" }

    /// Kafka's legal topic names: 1-249 of [a-zA-Z0-9._-], not "." or "..".
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 249 && name != "." && name != ".."
            && name.utf8.allSatisfy { $0.isASCIIAlphanumeric || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D }
    }
}

extension UInt8 {
    var isASCIIAlphanumeric: Bool { (0x30...0x39).contains(self) || (0x41...0x5A).contains(self) || (0x61...0x7A).contains(self) }
}
