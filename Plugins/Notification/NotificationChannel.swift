/// One way out (Telegram, e-mail, webhook, log).
///
/// `deliver` throws `PluginError.retry` when the provider is unreachable or busy and
/// `PluginError.fail` when it refused the message for good.
protocol NotificationChannel {
    var name: String { get }
    func deliver(_ request: NotificationRequest, eventId: String) throws -> Delivery
}

/// What a channel did with a notification.
struct Delivery {
    /// "sent" or "logged".
    let status: String
    /// The provider's id for the message (Telegram message_id, e-mail Message-ID), when any.
    let providerMessageId: String?
}
