import ArgumentParser
import Foundation

/// `paka plugin pause|resume NAME`: the running host's consumer for that plugin holds (or
/// releases) its partitions; kept in plugins.json, so it survives a restart.
struct PluginPauseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pause", abstract: "Pause a plugin's consumer on the running host (admin token).")
    @Argument(help: "The plugin's name.") var plugin: String
    @Flag(help: "Print the host's JSON.") var json = false

    func run() throws { try PluginPauseCommand.send(plugin, action: "pause", json: json) }

    static func send(_ plugin: String, action: String, json: Bool) throws {
        try CommandOutput.run {
            let answer = try HostAPIClient().post("/plugins/\(HostAPIClient.escape(plugin))/\(action)")
            print(json ? CommandOutput.json(answer) : "\(CommandOutput.text(answer["message"])) (consumer: \(CommandOutput.text(answer["consumer"])))")
        }
    }
}

struct PluginResumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resume", abstract: "Resume a paused plugin's consumer on the running host (admin token).")
    @Argument(help: "The plugin's name.") var plugin: String
    @Flag(help: "Print the host's JSON.") var json = false

    func run() throws { try PluginPauseCommand.send(plugin, action: "resume", json: json) }
}

/// `paka plugin offsets NAME [--reset earliest|latest | --timestamp T | --set TOPIC:PARTITION=OFFSET…]`.
struct PluginOffsetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "offsets", abstract: "Show a plugin's committed offsets, end offsets and lag; move them while it is paused (admin token).")
    @Argument(help: "The plugin's name.") var plugin: String
    @Option(help: "Move to the earliest or latest offset (plugin must be paused).") var reset: String?
    @Option(help: "Move to the first event at or after this time (ISO 8601 or epoch milliseconds).") var timestamp: String?
    @Option(name: .customLong("set"), help: "Move one partition: TOPIC:PARTITION=OFFSET (repeatable).") var set: [String] = []
    @Flag(help: "Print the host's JSON.") var json = false

    func validate() throws {
        let moves = [reset != nil, timestamp != nil, !set.isEmpty].filter { $0 }.count
        if moves > 1 { throw ValidationError("give only one of --reset, --timestamp, --set") }
        if let reset, !["earliest", "latest"].contains(reset) { throw ValidationError("--reset must be earliest or latest") }
    }

    func run() throws {
        try CommandOutput.run {
            let client = HostAPIClient()
            let path = "/plugins/\(HostAPIClient.escape(plugin))/offsets"
            var body: [String: Any]?
            if let reset { body = ["to": reset] }
            if let timestamp { body = ["timestamp": Int64(timestamp).map { $0 as Any } ?? timestamp] }
            if !set.isEmpty { body = ["offsets": try set.map(Self.parse)] }
            guard let body else {
                let report = try client.get(path)
                if json { print(CommandOutput.json(report)); return }
                let partitions = report["partitions"] as? [[String: Any]] ?? []
                print(CommandOutput.table(["TOPIC", "PARTITION", "COMMITTED", "END", "LAG"], partitions.map {
                    [CommandOutput.text($0["topic"]), CommandOutput.text($0["partition"]), CommandOutput.text($0["committed"]),
                     CommandOutput.text($0["end"]), CommandOutput.text($0["lag"])]
                }))
                print("group \(CommandOutput.text(report["group"])), consumer \(CommandOutput.text(report["consumer"])), total lag \(CommandOutput.text(report["totalLag"]))")
                return
            }
            let moved = try client.post(path, body)
            if json { print(CommandOutput.json(moved)); return }
            let before = moved["before"] as? [[String: Any]] ?? []
            let after = moved["after"] as? [[String: Any]] ?? []
            print(CommandOutput.table(["TOPIC", "PARTITION", "BEFORE", "AFTER", "END"], after.map { row in
                let old = before.first { CommandOutput.text($0["topic"]) == CommandOutput.text(row["topic"]) && CommandOutput.text($0["partition"]) == CommandOutput.text(row["partition"]) }
                return [CommandOutput.text(row["topic"]), CommandOutput.text(row["partition"]), CommandOutput.text(old?["committed"]),
                        CommandOutput.text(row["committed"]), CommandOutput.text(row["end"])]
            }))
        }
    }

    static func parse(_ text: String) throws -> [String: Any] {
        let parts = text.split(separator: "=")
        let place = parts.first?.split(separator: ":") ?? []
        guard parts.count == 2, place.count == 2, let partition = Int(place[1]), let offset = Int64(parts[1]) else {
            throw ValidationError("--set wants TOPIC:PARTITION=OFFSET, e.g. audit.event:0=42 (got '\(text)')")
        }
        return ["topic": String(place[0]), "partition": partition, "offset": offset]
    }
}
