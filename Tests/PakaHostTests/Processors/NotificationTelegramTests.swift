import Foundation
import PakaPipeline
import PakaPluginHost
import Testing

/// The notification plugin's .so against a local server playing the Telegram Bot API.
@Suite(.serialized) struct NotificationTelegramTests {
    static let token = "123456:TEST-telegram-token"
    let telegram: TelegramFakeServer
    let harness: NotificationPluginHarness

    init() throws {
        telegram = try TelegramFakeServer()
        harness = try NotificationPluginHarness(config: [
            "telegramBotToken": Self.token, "telegramChatId": "4242", "telegramAPIBase": telegram.baseURL, "timeoutSeconds": "2",
        ])
    }

    @Test func sendMessageCarriesChatIdAndTextAndRecordsTheProviderMessageId() throws {
        let id = UUID().uuidString.lowercased()
        #expect(harness.send(#"{"title":"Build done","body":"All green","requestedBy":"alice"}"#, id: id) == .ok)

        let request = try #require(telegram.requests.first)
        #expect(telegram.requests.count == 1)
        #expect(request.path == "/bot\(Self.token)/sendMessage")
        #expect(request.json?["chat_id"] as? String == "4242")
        #expect(request.json?["text"] as? String == "Build done\n\nAll green")
        let row = try #require(try NotificationPluginHarness.notificationRow(id))
        #expect(row["status"] == "sent")
        #expect(row["channel"] == "telegram")
        #expect(row["provider_message_id"] == "1001")
        #expect(row["title"] == "Build done")
        #expect(harness.sent.count == 1)
        #expect(harness.sent.first?["eventId"] as? String == id)
        #expect(harness.sent.first?["channel"] as? String == "telegram")
        #expect(harness.sent.first?["status"] as? String == "sent")
        #expect(harness.sent.first?["providerMessageId"] as? String == "1001")
    }

    @Test func redeliveredEventSendsNothingTheSecondTime() throws {
        let id = UUID().uuidString.lowercased()
        #expect(harness.send(#"{"title":"Once","body":"only once"}"#, id: id) == .ok)
        #expect(harness.send(#"{"title":"Once","body":"only once"}"#, id: id, attempt: 2) == .ok)
        #expect(telegram.requests.count == 1)
        #expect(harness.sent.count == 1)
    }

    @Test func rateLimitWaitsRetryAfterThenSendsOnce() throws {
        try telegram.script([.tooManyRequests(retryAfter: 1)])
        let id = UUID().uuidString.lowercased()
        #expect(harness.send(#"{"title":"Busy","body":"wait for it"}"#, id: id) == .ok)
        let requests = telegram.requests
        #expect(requests.count == 2)
        #expect(requests.count == 2 && requests[1].time - requests[0].time >= 0.95)
        #expect(try NotificationPluginHarness.notificationRow(id)?["status"] == "sent")
    }

    @Test func rateLimitLongerThanTheLimitIsRetryWithoutWaiting() throws {
        try telegram.script([.tooManyRequests(retryAfter: 120)])
        let id = UUID().uuidString.lowercased()
        let outcome = harness.send(#"{"title":"Busy","body":"much later"}"#, id: id)
        guard case .retry(let reason) = outcome else { Issue.record("expected RETRY, got \(String(describing: outcome))"); return }
        #expect(reason.contains("retry after 120 s"))
        #expect(telegram.requests.count == 1)
        #expect(try NotificationPluginHarness.notificationRow(id) == nil)
    }

    /// The server's number is not trusted: one no integer can hold was a trap in the plugin.
    @Test(arguments: ["1e300", "-5"])
    func rateLimitWithAnAbsurdRetryAfterIsRetryWithoutWaitingOrCrashing(retryAfter: String) throws {
        try telegram.script([.tooManyRequests(retryAfterJSON: retryAfter)])
        let id = UUID().uuidString.lowercased()
        let outcome = harness.send(#"{"title":"Busy","body":"absurd"}"#, id: id)
        guard case .retry(let reason) = outcome else { Issue.record("expected RETRY, got \(String(describing: outcome))"); return }
        #expect(reason == "telegram: Telegram rate limit: Too Many Requests")
        #expect(telegram.requests.count == 1)
    }

    @Test func serverErrorIsRetryAndNothingIsRecordedAsSent() throws {
        try telegram.script([.serverError])
        let id = UUID().uuidString.lowercased()
        let outcome = harness.send(#"{"title":"Flaky","body":"try again"}"#, id: id)
        guard case .retry(let reason) = outcome else { Issue.record("expected RETRY, got \(String(describing: outcome))"); return }
        #expect(reason.contains("500"))
        #expect(try NotificationPluginHarness.notificationRow(id) == nil)
        #expect(try NotificationPluginHarness.deliveries(id).isEmpty)
        #expect(harness.sent.isEmpty)

        #expect(harness.send(#"{"title":"Flaky","body":"try again"}"#, id: id, attempt: 2) == .ok)
        #expect(telegram.requests.count == 2)
        #expect(try NotificationPluginHarness.notificationRow(id)?["status"] == "sent")
    }

    @Test func timeoutIsRetry() throws {
        try telegram.script([TelegramFakeServer.Response(status: 200, body: "{}", delay: 4)])
        let outcome = harness.send(#"{"title":"Slow","body":"provider hangs"}"#)
        guard case .retry(let reason) = outcome else { Issue.record("expected RETRY, got \(String(describing: outcome))"); return }
        #expect(reason.contains("did not complete"))
    }

    @Test func badRequestFailsWithTheProvidersDescription() throws {
        try telegram.script([.badRequest("Bad Request: chat not found")])
        let id = UUID().uuidString.lowercased()
        let outcome = harness.send(#"{"title":"Lost","body":"nobody there"}"#, id: id)
        guard case .fail(let reason) = outcome else { Issue.record("expected FAIL, got \(String(describing: outcome))"); return }
        #expect(reason.contains("Bad Request: chat not found"))
        let row = try #require(try NotificationPluginHarness.notificationRow(id))
        #expect(row["status"] == "failed")
        #expect(row["error"]??.contains("chat not found") == true)
        #expect(harness.sent.isEmpty)
    }

    @Test func attachmentGoesUpWithSendDocumentAsMultipart() throws {
        let dir = TemporaryDirectory()
        let file = dir.write("report.html", "<html><body>Weekly report</body></html>")
        let id = UUID().uuidString.lowercased()
        #expect(harness.send(#"{"title":"Report","body":"attached","attachment":"\#(file)"}"#, id: id) == .ok)

        let request = try #require(telegram.requests.first)
        #expect(request.path == "/bot\(Self.token)/sendDocument")
        #expect(request.contentType.hasPrefix("multipart/form-data; boundary="))
        #expect(request.text.contains("name=\"chat_id\"\r\n\r\n4242\r\n"))
        #expect(request.text.contains("name=\"caption\"\r\n\r\nReport\n\nattached\r\n"))
        #expect(request.text.contains("name=\"document\"; filename=\"report.html\"\r\nContent-Type: text/html\r\n\r\n<html><body>Weekly report</body></html>\r\n"))
        #expect(try NotificationPluginHarness.notificationRow(id)?["provider_message_id"] == "1001")
    }

    @Test func missingAttachmentFailsNamingTheFile() throws {
        let outcome = harness.send(#"{"title":"Report","body":"attached","attachment":"/nonexistent/report.html"}"#)
        guard case .fail(let reason) = outcome else { Issue.record("expected FAIL, got \(String(describing: outcome))"); return }
        #expect(reason.contains("/nonexistent/report.html"))
        #expect(telegram.requests.isEmpty)
    }
}
