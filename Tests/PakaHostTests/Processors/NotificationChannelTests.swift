import Foundation
import PakaPipeline
import PakaPluginHost
import Testing

/// E-mail through a real SMTP server, the JSON webhook, several channels at once, the log
/// channel, and what the plugin refuses.
@Suite(.serialized) struct NotificationChannelTests {
    @Test func emailArrivesWithFromToSubjectAndBody() throws {
        let smtp = try SMTPCaptureServer()
        let harness = try NotificationPluginHarness(config: [
            "smtpURL": smtp.url, "mailFrom": "paka@example.test", "mailTo": "ops@example.test, boss@example.test",
        ])
        let id = UUID().uuidString.lowercased()
        #expect(harness.send(#"{"title":"Bericht fertig ✓","body":"Grüße aus Paka\nZeile zwei"}"#, id: id) == .ok)

        let message = try #require(smtp.messages.first)
        #expect(smtp.messages.count == 1)
        #expect(message.mailFrom == "paka@example.test")
        #expect(message.rcptTos == ["ops@example.test", "boss@example.test"])
        #expect(message.from == "paka@example.test")
        #expect(message.to == "ops@example.test, boss@example.test")
        #expect(message.subject == "Bericht fertig ✓")
        #expect(message.body?.trimmingCharacters(in: .newlines) == "Grüße aus Paka\nZeile zwei")
        #expect(message.messageId == "<\(id)@example.test>")
        #expect(!message.date.isEmpty)
        let row = try #require(try NotificationPluginHarness.notificationRow(id))
        #expect(row["status"] == "sent")
        #expect(row["channel"] == "email")
        #expect(harness.sent.first?["providerMessageId"] as? String == "<\(id)@example.test>")
    }

    @Test func emailCarriesTheAttachment() throws {
        let smtp = try SMTPCaptureServer()
        let harness = try NotificationPluginHarness(config: ["smtpURL": smtp.url, "mailFrom": "paka@example.test", "mailTo": "ops@example.test"])
        let dir = TemporaryDirectory()
        let file = dir.write("summary.csv", "day,events\n2024-05-01,42\n")
        #expect(harness.send(#"{"title":"Report","body":"see attachment","attachment":"\#(file)"}"#) == .ok)
        let message = try #require(smtp.messages.first)
        #expect(message.body?.trimmingCharacters(in: .newlines) == "see attachment")
        #expect(message.attachments.map(\.name) == ["summary.csv"])
        #expect(message.attachments.first.flatMap { Data(base64Encoded: $0.content) } == Data("day,events\n2024-05-01,42\n".utf8))
    }

    @Test func attachmentNameCannotAddAMailHeaderAndALongSubjectArrivesWhole() throws {
        let smtp = try SMTPCaptureServer()
        let harness = try NotificationPluginHarness(config: ["smtpURL": smtp.url, "mailFrom": "paka@example.test", "mailTo": "ops@example.test"])
        let dir = TemporaryDirectory()
        // A quote and a line break in the file name: libcurl escapes the quote but not the line
        // break, which would end the Content-Disposition line and start a header of its own.
        let file = dir.write("a\"b\nX-Injected: yes.csv", "x,y\n")
        let subject = Array(repeating: "Größenänderung erfolgreich ✓", count: 6).joined(separator: " ")
        let data = try JSONSerialization.data(withJSONObject: ["title": subject, "body": "see attachment", "attachment": file])
        #expect(harness.send(String(decoding: data, as: UTF8.self)) == .ok)
        let message = try #require(smtp.messages.first)
        #expect(message.subject == subject)
        #expect(message.attachments.map(\.name) == ["a\"b X-Injected: yes.csv"])
        #expect(message.attachments.first.flatMap { Data(base64Encoded: $0.content) } == Data("x,y\n".utf8))
    }

    /// A timeout no integer can hold trapped in libcurl's setup (the host with it); a typo was
    /// silently 30 s. Both are refused when the plugin is created, naming the key.
    @Test(arguments: [("timeoutSeconds", "1e300"), ("timeoutSeconds", "thirty"), ("maxRetryAfterSeconds", "-1")])
    func secondsOutOfRangeOrNotANumberAreRefusedAtCreate(key: String, value: String) throws {
        let server = try TelegramFakeServer()
        #expect {
            _ = try NotificationPluginHarness(config: ["webhookURL": "\(server.baseURL)/hooks/ops", key: value])
        } throws: { "\($0)".contains("\(key) must be a number of seconds from") && "\($0)".contains(value) }
    }

    @Test func webhookReceivesTheNotificationAsJSON() throws {
        let server = try TelegramFakeServer()
        let harness = try NotificationPluginHarness(config: ["webhookURL": "\(server.baseURL)/hooks/ops"])
        let id = UUID().uuidString.lowercased()
        #expect(harness.send(#"{"title":"Deployed","body":"v1.2.3 is live","requestedBy":"alice"}"#, id: id) == .ok)
        let request = try #require(server.requests.first)
        #expect(request.path == "/hooks/ops")
        #expect(request.contentType == "application/json")
        #expect(request.json?["eventId"] as? String == id)
        #expect(request.json?["title"] as? String == "Deployed")
        #expect(request.json?["body"] as? String == "v1.2.3 is live")
        #expect(request.json?["requestedBy"] as? String == "alice")
        #expect(try NotificationPluginHarness.notificationRow(id)?["channel"] == "webhook")
    }

    @Test func everyConfiguredChannelIsUsedAndARetrySendsOnlyTheMissingOne() throws {
        let server = try TelegramFakeServer()
        let harness = try NotificationPluginHarness(config: [
            "telegramBotToken": "1:multi", "telegramChatId": "7", "telegramAPIBase": server.baseURL, "webhookURL": "\(server.baseURL)/hook",
        ])
        try server.script([.ok(messageId: 55), .serverError])
        let id = UUID().uuidString.lowercased()
        guard case .retry = harness.send(#"{"title":"Both","body":"two ways"}"#, id: id) else { Issue.record("expected RETRY"); return }
        #expect(try NotificationPluginHarness.deliveries(id) == ["telegram": "sent"])
        #expect(try NotificationPluginHarness.notificationRow(id) == nil)

        #expect(harness.send(#"{"title":"Both","body":"two ways"}"#, id: id, attempt: 2) == .ok)
        #expect(server.requests.map(\.path) == ["/bot1:multi/sendMessage", "/hook", "/hook"])
        #expect(try NotificationPluginHarness.deliveries(id) == ["telegram": "sent", "webhook": "sent"])
        let row = try #require(try NotificationPluginHarness.notificationRow(id))
        #expect(row["channel"] == "telegram,webhook")
        #expect(row["status"] == "sent")
        #expect(harness.sent.map { $0["channel"] as? String } == ["telegram", "webhook"])
    }

    @Test func eventChoosesItsChannel() throws {
        let server = try TelegramFakeServer()
        let harness = try NotificationPluginHarness(config: [
            "telegramBotToken": "1:choose", "telegramChatId": "7", "telegramAPIBase": server.baseURL, "webhookURL": "\(server.baseURL)/hook",
        ])
        #expect(harness.send(#"{"title":"Only","body":"the webhook","channel":"webhook"}"#) == .ok)
        #expect(server.requests.map(\.path) == ["/hook"])
    }

    @Test func noChannelConfiguredRecordsLoggedAndWritesTheHostLog() throws {
        let harness = try NotificationPluginHarness(config: [:])
        let id = UUID().uuidString.lowercased()
        #expect(harness.send(#"{"title":"Hello","body":"from the default run"}"#, id: id) == .ok)
        let row = try #require(try NotificationPluginHarness.notificationRow(id))
        #expect(row["status"] == "logged")
        #expect(row["channel"] == "log")
        #expect(harness.services.logs.contains("[notification] notification \(id) (log channel): Hello — from the default run"))
        #expect(harness.sent.first?["status"] as? String == "logged")
        #expect(harness.send(#"{"title":"Hello","body":"from the default run"}"#, id: id, attempt: 2) == .ok)
        #expect(harness.services.logs.filter { $0.contains("notification \(id) (log channel)") }.count == 1)
    }

    @Test func channelThatIsNotConfiguredFailsNamingTheSettings() throws {
        let harness = try NotificationPluginHarness(config: [:])
        #expect(harness.send(#"{"title":"x","body":"y","channel":"telegram"}"#)
                == .fail("channel 'telegram' is requested but not configured: set TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID"))
        #expect(harness.send(#"{"title":"x","body":"y","channel":"pigeon"}"#) == .fail("unknown channel 'pigeon': use telegram, email, webhook or log"))
    }

    @Test func malformedEventFailsWithTheReason() throws {
        let harness = try NotificationPluginHarness(config: [:])
        guard case .fail(let reason) = harness.send(#"{"body":"no title"}"#) else { Issue.record("expected FAIL"); return }
        #expect(reason.contains("title"))
        guard case .fail(let idReason) = harness.send(#"{"title":"t","body":"b"}"#, id: "not-a-uuid") else { Issue.record("expected FAIL"); return }
        #expect(idReason.contains("must be a UUID"))
    }

    @Test func unreachableDatabaseStartsDegradedAndAnswersRetryWithoutSending() throws {
        let server = try TelegramFakeServer()
        let port = try NotificationTestEnvironment.freePort()
        let harness = try NotificationPluginHarness(
            config: ["telegramBotToken": "1:down", "telegramChatId": "7", "telegramAPIBase": server.baseURL],
            databaseURL: "postgresql://paka@127.0.0.1:\(port)/paka?connect_timeout=2")
        guard case .retry(let reason) = harness.send(#"{"title":"t","body":"b"}"#) else { Issue.record("expected RETRY"); return }
        #expect(reason.contains("PostgreSQL unavailable"))
        // Nothing is sent before the outcome can be recorded: no duplicate once the database is back.
        #expect(server.requests.isEmpty)
        #expect(harness.plugin.health()?.message.contains("cannot connect to PostgreSQL") == true)
    }

    @Test func missingDatabaseURLIsRefusedWithAClearMessage() throws {
        let registry = PluginRegistry(services: RecordingHostServices(), logger: .test)
        defer { registry.shutdown() }
        let refusals = registry.apply(PakaConfiguration(pluginDir: "/", plugins: [
            PluginEntry(name: "notification", library: TestPaths.builtPlugin("NotificationProcessor"), config: .object(["databaseURL": .string("")])),
        ]))
        #expect(refusals.first?.message.contains("notification needs DATABASE_URL") == true)
    }
}
