import CPakaABI

/// A checked, Swift-side copy of a plugin's `paka_plugin_descriptor`.
public struct PluginDescriptor: Sendable, Equatable {
    /// The optional hooks a plugin may offer (`PAKA_CAP_*`).
    public struct Capabilities: OptionSet, Sendable, Hashable {
        public let rawValue: UInt64
        public init(rawValue: UInt64) { self.rawValue = rawValue }
        public static let flush = Capabilities(rawValue: UInt64(PAKA_CAP_FLUSH))
        public static let health = Capabilities(rawValue: UInt64(PAKA_CAP_HEALTH))
        public static let http = Capabilities(rawValue: UInt64(PAKA_CAP_HTTP))
        /// Every capability this host knows; anything else a newer plugin claims is switched off.
        public static let known: Capabilities = [.flush, .health, .http]

        public var names: [String] {
            var result: [String] = []
            if contains(.flush) { result.append("flush") }
            if contains(.health) { result.append("health") }
            if contains(.http) { result.append("http") }
            return result
        }
    }

    public let name: String
    public let version: String
    public let abiMajor: Int
    public let abiMinor: Int
    public let topics: [String]
    public let defaultGroup: String
    public let capabilities: Capabilities
    /// Capability bits the plugin claimed that this host does not know (newer minor ABI).
    public let ignoredCapabilityBits: UInt64
    /// The descriptor's one-line `description` (ABI 1.1); empty when absent or from a 1.0 plugin.
    public let summary: String

    public var abiVersion: String { "\(abiMajor).\(abiMinor)" }

    /// What an author of a plugin built against an older minor should know (shown by
    /// `paka plugin check`); empty for a plugin of this host's minor or newer.
    public var olderMinorPitfalls: [String] {
        guard abiMajor == Int(PAKA_ABI_MAJOR), abiMinor < 1 else { return [] }
        return [
            "built against ABI 1.0: its publish cannot tell 'retry later' from 'refused for good'; "
                + "if it answers RETRY on a refused publish, that event's partition stops for good "
                + "(rebuild against 1.1 and use publish_checked: FAIL on PAKA_PUBLISH_REFUSED)",
            "built against ABI 1.0: check that it bounds the event id (any length, quotes, backslashes) "
                + "and escapes it before writing JSON; the 1.0 examples did not",
        ]
    }
    public static var hostABIVersion: String { "\(PAKA_ABI_MAJOR).\(PAKA_ABI_MINOR)" }

    package static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64
            && name.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D || $0 == 0x5F }
    }
}
