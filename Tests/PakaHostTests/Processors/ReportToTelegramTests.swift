import Foundation
import Hummingbird
import HummingbirdTesting
import PakaTestSupport
import Testing

/// The seed's report flow to its end: "Report will be generated async and sent to Telegram".
/// `POST /kafka/test/report` → the report processor writes the report and publishes
/// `notification.send` → the notification processor sends it to the (fake) Telegram Bot API.
@Suite struct ReportToTelegramTests {
    @Test func reportRequestEndsAsATelegramDocumentWithTheSummary() async throws {
        let telegram = try TelegramFakeServer()
        let database = try ScratchDatabase()
        let host = try await TestHost(plugins: #"""
            [{"name": "report", "library": "\#(TestPaths.builtPlugin("ReportGenerator"))",
              "config": {"databaseURL": "${TEST_DATABASE_URL}", "dataDir": "${PAKA_DATA_DIR}"}},
             {"name": "notification", "library": "\#(TestPaths.builtPlugin("NotificationProcessor"))",
              "config": {"telegramBotToken": "${TELEGRAM_BOT_TOKEN}", "telegramChatId": "77",
                         "telegramAPIBase": "\#(telegram.baseURL)", "databaseURL": "${TEST_DATABASE_URL}"}}]
            """#, environment: ["TELEGRAM_BOT_TOKEN": "42:report-token", "TEST_DATABASE_URL": database.url])
        let headers = try await host.bearer()
        let answer = try await host.test { client in
            try await client.json("/kafka/test/report", headers: headers, body: #"{"reportType": "daily"}"#)
        }
        #expect(answer.status == .ok)
        #expect(answer.object?["topic"] as? String == "report.generate")
        #expect(await eventually(30) { !telegram.requests.isEmpty })
        let request = try #require(telegram.requests.first)
        #expect(request.path == "/bot42:report-token/sendDocument")
        #expect(request.contentType.hasPrefix("multipart/form-data"))
        #expect(request.text.contains("name=\"chat_id\"\r\n\r\n77"))
        #expect(request.text.contains("<h2>Audit events</h2>"))  // the HTML report travels as the document
        let db = try database.connect()
        #expect(try db.execute("SELECT count(*) AS n FROM reports").value(0, "n") == "1")
        #expect(try db.execute("SELECT status FROM notifications").rows == [["sent"]])
    }
}
