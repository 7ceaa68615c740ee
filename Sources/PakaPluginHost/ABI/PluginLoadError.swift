/// Why a plugin file was refused. Every message names the file and says what to do about it;
/// the host keeps running whatever the reason.
public struct PluginLoadError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Reason: String, Sendable {
        case missingFile, emptyFile, notELF, wrongMachine, truncated, insecurePermissions, checksumMismatch
        case dlopenFailed, missingEntrySymbol, nullDescriptor, descriptorTooSmall, abiMajorMismatch
        case invalidDescriptor, duplicateName, nameMismatch, createFailed, selfTestFailed
        /// This build's `create` killed the host `crash.maxAttempts` times (in process).
        case crashedTheHost
    }

    public let reason: Reason
    public let path: String
    public let message: String

    public init(_ reason: Reason, path: String, _ message: String) {
        self.reason = reason
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}
