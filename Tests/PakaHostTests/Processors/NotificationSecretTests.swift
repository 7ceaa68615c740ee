import Foundation
import PakaPipeline
import PakaPluginHost
import Testing

/// The bot token, the SMTP password and the webhook URL never reach the host log, published
/// events, event errors or the stored rows, even when a provider echoes them back.
@Suite(.serialized) struct NotificationSecretTests {
    static let token = "987654:SECRET-bot-token"
    static let password = "SECRET-smtp-password"

    @Test func secretsNeverReachLogsEventsErrorsOrRows() throws {
        let telegram = try TelegramFakeServer()
        let deadSMTP = try NotificationTestEnvironment.freePort()
        let harness = try NotificationPluginHarness(config: [
            "telegramBotToken": Self.token, "telegramChatId": "1", "telegramAPIBase": telegram.baseURL,
            "smtpURL": "smtp://127.0.0.1:\(deadSMTP)", "smtpUser": "mailer", "smtpPassword": Self.password,
            "mailFrom": "paka@example.test", "mailTo": "ops@example.test",
            "webhookURL": "\(telegram.baseURL)/hook/SECRET-webhook-path", "timeoutSeconds": "2",
        ])
        let ids = (0..<3).map { _ in UUID().uuidString.lowercased() }
        var outcomes: [EventOutcome?] = []
        // Telegram sends, e-mail cannot connect (RETRY), the webhook answers.
        outcomes.append(harness.send(#"{"title":"a","body":"b"}"#, id: ids[0]))
        // A provider that echoes the token in its error description.
        try telegram.script([.badRequest("Unauthorized: bot\(Self.token) is not a member of the chat")])
        outcomes.append(harness.send(#"{"title":"a","body":"b","channel":"telegram"}"#, id: ids[1]))
        outcomes.append(harness.send(#"{"title":"a","body":"b","channel":"email"}"#, id: ids[2]))

        #expect(telegram.requests.count == 3)
        guard case .fail(let echoed) = outcomes[1] else { Issue.record("expected FAIL, got \(String(describing: outcomes[1]))"); return }
        #expect(echoed.contains("Unauthorized: bot[redacted] is not a member"))
        let errors = outcomes.compactMap { outcome -> String? in
            switch outcome { case .retry(let m), .fail(let m): m; default: nil }
        }
        #expect(errors.count == 3)
        let rows = try ids.compactMap { try NotificationPluginHarness.notificationRow($0) }
        let everything = harness.services.logs + harness.services.published.map(\.data) + errors + rows.flatMap { $0.values.compactMap { $0 } }
        #expect(!everything.isEmpty)
        for text in everything {
            #expect(!text.contains("SECRET"), "secret leaked: \(text)")
        }
    }
}
