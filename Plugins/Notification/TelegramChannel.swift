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
        let call: (method: String, body: Body)
        if let file = try request.attachmentFile() {
            call = ("sendDocument", .form([
                .field("chat_id", chatId),
                .field("caption", request.text(limit: 1024)),
                .file("document", fileName: file.name, contentType: AttachmentType.contentType(forFileName: file.name), bytes: file.bytes),
            ]))
        } else {
            let message: [String: Any] = ["chat_id": chatId, "text": request.text(limit: 4096), "disable_web_page_preview": true]
            call = ("sendMessage", .json(Array(try JSONSerialization.data(withJSONObject: message))))
        }
        var answer = try post(call.method, call.body)
        // A 429 with a short retry_after is waited out once here; longer waits go back to the host.
        if answer.status == 429, let wait = answer.retryAfter, wait <= maxRetryAfter {
            Thread.sleep(forTimeInterval: wait)
            answer = try post(call.method, call.body)
        }
        return try outcome(of: answer, method: call.method)
    }

    /// sendMessage takes JSON; sendDocument a multipart form, which libcurl encodes.
    private enum Body {
        case json([UInt8])
        case form([MimePart])
    }

    private struct Answer {
        let status: Int
        let json: [String: Any]?
        var description: String { json?["description"] as? String ?? "no description" }
        /// Seconds, or nil when absent or outside 0–86 400 (the answer is the server's: `1e300`
        /// or NaN must not reach an integer conversion, a trap in the host).
        var retryAfter: Double? {
            ((json?["parameters"] as? [String: Any])?["retry_after"] as? NSNumber)
                .map(\.doubleValue).flatMap { (0...86_400).contains($0) ? $0 : nil }
        }
        var messageId: String? { ((json?["result"] as? [String: Any])?["message_id"] as? NSNumber)?.stringValue }
    }

    private func post(_ method: String, _ body: Body) throws -> Answer {
        // The token is part of the URL path: the URL never goes into a message.
        let url = "\(apiBase)/bot\(token)/\(method)"
        do {
            let response = switch body {
            case .json(let bytes): try HTTPClient.post(url: url, headers: ["Content-Type: application/json"], body: bytes, timeout: timeout)
            case .form(let parts): try HTTPClient.post(url: url, headers: [], form: parts, timeout: timeout)
            }
            // A body that is not JSON (a proxy's page) is judged by its status alone: `json` nil.
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
