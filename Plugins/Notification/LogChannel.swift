import PakaPluginSDK

/// The channel of last resort: with nothing configured a notification is recorded and written
/// to the host log, so the default run works without any provider secret.
struct LogChannel: NotificationChannel {
    let name = "log"
    let host: PluginHost

    func deliver(_ request: NotificationRequest, eventId: String) throws -> Delivery {
        let attachment = request.attachment.map { " [attachment \($0)]" } ?? ""
        let body = request.body.replacingOccurrences(of: "\n", with: " ")
        host.log(.info, "notification \(eventId) (log channel): \(request.title) — \(body.count > 500 ? body.prefix(500) + "…" : body)\(attachment)")
        return Delivery(status: "logged", providerMessageId: nil)
    }
}
