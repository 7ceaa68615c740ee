import Foundation
import PakaCurl
import PakaPluginSDK

/// A generic JSON webhook: the notification POSTed as a JSON object.
struct WebhookChannel: NotificationChannel {
    let name = "webhook"
    let url: String
    let timeout: Double

    func deliver(_ request: NotificationRequest, eventId: String) throws -> Delivery {
        var payload: [String: Any] = ["eventId": eventId, "title": request.title, "body": request.body]
        if let requestedBy = request.requestedBy { payload["requestedBy"] = requestedBy }
        if let attachment = request.attachment { payload["attachment"] = attachment }
        let body = try JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys, .withoutEscapingSlashes])
        let response: HTTPClient.Response
        do {
            response = try HTTPClient.post(url: url, headers: ["Content-Type: application/json"], body: Array(body), timeout: timeout)
        } catch {
            // The URL may carry a credential: it never goes into the message.
            let reason = "webhook did not complete: \(error.message)"
            throw error.isPermanent ? PluginError.fail(reason + " (check WEBHOOK_URL)") : PluginError.retry(reason)
        }
        let excerpt = String(response.text.prefix(200))
        switch response.status {
        case 200..<300:
            // The receiver took it (2xx); its body is optional and only may name an id: not JSON is no id.
            let json = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
            let id = (json?["id"] as? String) ?? (json?["id"] as? NSNumber)?.stringValue
            return Delivery(status: "sent", providerMessageId: id)
        case 408, 429, 500..<600:
            throw PluginError.retry("webhook answered \(response.status): \(excerpt)")
        default:
            throw PluginError.fail("webhook refused the notification (\(response.status)): \(excerpt)")
        }
    }
}
