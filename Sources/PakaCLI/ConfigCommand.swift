import ArgumentParser
import Foundation
import PakaPipeline
import PakaPluginHost
import PakaServer

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Validate plugins.json.", subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a plugins.json (default: $PAKA_PLUGINS_FILE or plugins.json); list every problem, exit 1 if any.")

        @Argument(help: "The file to check.")
        var file: String?

        func run() throws {
            let environment = HostEnvironment()
            let path = file ?? environment.pluginsFile
            do {
                let config = try PakaConfiguration.load(path: path, environment: environment.raw)
                print("\(path): ok (plugin directory \(config.pluginDir))")
                for entry in config.plugins {
                    let topics = entry.topics.map { $0.joined(separator: ",") } ?? "(plugin's own)"
                    print("  \(entry.name): \(entry.enabled ? "enabled" : "disabled"), library \(entry.libraryPath(pluginDir: config.pluginDir)), topics \(topics), group \(entry.groupId ?? "(plugin's own)")")
                }
            } catch {
                print(error.description)
                throw ExitCode(1)
            }
        }
    }
}
