import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The seed's notification flow through the HTTP API with Kafka not connected: the event is
/// processed synchronously and reaches the (fake) Telegram Bot API.
@Suite struct NotificationEndToEndTests {
    @Test func postKafkaTestNotificationReachesTelegram() async throws {
        let telegram = try TelegramFakeServer()
        let databaseURL = try NotificationTestEnvironment.databaseURL()
        let host = try await TestHost(plugins: #"""
            [{"name": "notification", "library": "\#(TestPaths.builtPlugin("NotificationProcessor"))",
              "config": {"telegramBotToken": "${TELEGRAM_BOT_TOKEN}", "telegramChatId": "99",
                         "telegramAPIBase": "\#(telegram.baseURL)", "databaseURL": "${DATABASE_URL}"}}]
            """#, environment: ["TELEGRAM_BOT_TOKEN": "42:e2e-token", "DATABASE_URL": databaseURL])
        let headers = try await host.bearer()
        let status = try await host.test { client in
            try await client.json("/kafka/test/notification", headers: headers, body: #"{"title":"Deploy","body":"v2 is out"}"#).status
        }
        #expect(status.code < 300)
        let request = try #require(telegram.requests.first)
        #expect(request.path == "/bot42:e2e-token/sendMessage")
        #expect(request.json?["chat_id"] as? String == "99")
        #expect(request.json?["text"] as? String == "Deploy\n\nv2 is out")
    }
}
