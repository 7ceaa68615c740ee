import CPakaABI

/// What the host answers a plugin's publish (ABI 1.1 `publish_checked`): the plugin turns
/// `retryLater` into RETRY and `refused` into FAIL for the event that published.
public enum PluginPublishOutcome: Sendable, Equatable {
    /// Queued or produced in the background (not yet delivered).
    case accepted
    /// Cannot be taken now (e.g. the host is still starting); the same publish may work later.
    case retryLater(String)
    /// Can never be taken (invalid topic, data not JSON); retrying the same publish is pointless.
    case refused(String)

    var status: paka_publish_status {
        switch self {
        case .accepted: PAKA_PUBLISH_OK
        case .retryLater: PAKA_PUBLISH_RETRY
        case .refused: PAKA_PUBLISH_REFUSED
        }
    }

    package var reason: String {
        switch self {
        case .accepted: ""
        case .retryLater(let why), .refused(let why): why
        }
    }
}
