import ArgumentParser
import Foundation
import PakaPipeline
import PakaPluginHost
import PakaServer

struct PluginCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugin", abstract: "Write, check and inspect plugins.",
        subcommands: [Check.self, New.self, Header.self, Test.self, PluginPauseCommand.self, PluginResumeCommand.self, PluginOffsetsCommand.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load each file as the host would and print its descriptor or why it is refused (exit 1 on any refusal).")

        @Argument(help: "Plugin .so files.")
        var files: [String]

        @Flag(name: .long, help: "Accept files or folders writable by group/others (development only; also PAKA_ALLOW_INSECURE_PLUGINS=1).")
        var allowInsecurePermissions = false

        func run() throws {
            var seen: [String: String] = [:]
            var refused = 0
            for file in files {
                do throws(PluginLoadError) {
                    let allowInsecure = allowInsecurePermissions || HostEnvironment().allowInsecurePlugins
                    let image = try PluginImage.load(path: file, options: .init(allowInsecurePermissions: allowInsecure))
                    let d = image.descriptor
                    if let first = seen[d.name] {
                        throw PluginLoadError(.duplicateName, path: file, "duplicate plugin name '\(d.name)' (already loaded from \(first))")
                    }
                    seen[d.name] = file
                    print("""
                        \(file): ok
                          name:         \(d.name)
                          version:      \(d.version)
                          abi:          \(d.abiVersion) (major \(d.abiMajor), minor \(d.abiMinor); host \(PluginDescriptor.hostABIVersion))
                          topics:       \(d.topics.joined(separator: ", "))
                          group:        \(d.defaultGroup)
                          capabilities: \(d.capabilities.names.isEmpty ? "none" : d.capabilities.names.joined(separator: ", "))
                          sha256:       \(image.sha256)
                        """)
                    if !d.summary.isEmpty { print("  description:  \(d.summary)") }
                    for pitfall in d.olderMinorPitfalls { print("  warning:      \(pitfall)") }
                    if d.ignoredCapabilityBits != 0 {
                        print("  note:         built for a newer ABI minor; unknown capabilities 0x\(String(d.ignoredCapabilityBits, radix: 16)) are off")
                    }
                } catch {
                    refused += 1
                    print("\(error.path): refused: \(error.message)")
                }
            }
            if refused > 0 { throw ExitCode(1) }
        }
    }
}
