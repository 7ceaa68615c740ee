import Foundation
import PakaCurl
import PakaPluginSDK

/// The Telegram Bot API: `sendMessage`, or `sendDocument` when the notification has an attachment.
struct TelegramChannel: NotificationChannel {
    let name = "telegram"
    let token: String
    let chatId: String
    let apiBase: String
    let timeout: Double
    let maxRetryAfter: Double

    func deliver(_ request: NotificationRequest, eventId: String) throws -> Delivery {
        let call: (method: String, headers: [String], body: [UInt8])
        if let file = try request.attachmentFile() {
            var form = MultipartForm()
            form.add("chat_id", chatId)
            form.add("caption", request.text(limit: 1024))
            form.add("document", fileName: file.name, contentType: MultipartForm.contentType(forFileName: file.name), bytes: file.bytes)
            call = ("sendDocument", ["Content-Type: \(form.contentType)"], form.closed)
        } else {
            let message: [String: Any] = ["chat_id": chatId, "text": request.text(limit: 4096), "disable_web_page_preview": true]
            call = ("sendMessage", ["Content-Type: application/json"], Array(try JSONSerialization.data(withJSONObject: message)))
        }
        var answer = try post(call.method, headers: call.headers, body: call.body)
        // A 429 with a short retry_after is waited out once here; longer waits go back to the host.
        if answer.status == 429, let wait = answer.retryAfter, wait <= maxRetryAfter {
            Thread.sleep(forTimeInterval: wait)
            answer = try post(call.method, headers: call.headers, body: call.body)
        }
        return try outcome(of: answer, method: call.method)
    }

    private struct Answer {
        let status: Int
        let json: [String: Any]?
        var description: String { json?["description"] as? String ?? "no description" }
        var retryAfter: Double? { ((json?["parameters"] as? [String: Any])?["retry_after"] as? NSNumber)?.doubleValue }
        var messageId: String? { ((json?["result"] as? [String: Any])?["message_id"] as? NSNumber)?.stringValue }
    }

    private func post(_ method: String, headers: [String], body: [UInt8]) throws -> Answer {
        // The token is part of the URL path: the URL never goes into a message.
        do {
            let response = try HTTPClient.post(url: "\(apiBase)/bot\(token)/\(method)", headers: headers, body: body, timeout: timeout)
            return Answer(status: response.status, json: try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        } catch {
            let reason = "Telegram \(method) did not complete: \(error.message)"
            throw error.isPermanent ? PluginError.fail(reason + " (check TELEGRAM_API_BASE)") : PluginError.retry(reason)
        }
    }

    private func outcome(of answer: Answer, method: String) throws -> Delivery {
        switch answer.status {
        case 200..<300 where answer.json?["ok"] as? Bool == true:
            return Delivery(status: "sent", providerMessageId: answer.messageId)
        case 429:
            let wait = answer.retryAfter.map { " (retry after \(Int($0)) s)" } ?? ""
            throw PluginError.retry("Telegram rate limit\(wait): \(answer.description)")
        case 500..<600:
            throw PluginError.retry("Telegram \(method) answered \(answer.status): \(answer.description)")
        default:
            throw PluginError.fail("Telegram refused \(method) (\(answer.status)): \(answer.description)")
        }
    }
}
