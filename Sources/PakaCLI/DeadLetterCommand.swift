import ArgumentParser
import Foundation

/// `paka dlq list|replay`: a plugin's dead letters on the running host (PAKA_URL, PAKA_TOKEN).
struct DeadLetterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlq", abstract: "Browse and replay a plugin's dead letters on the running host (PAKA_URL, PAKA_TOKEN).",
        subcommands: [List.self, Replay.self])

    struct Filters: ParsableArguments {
        @Option(help: "Only letters dead-lettered at or after this time (ISO 8601 or epoch milliseconds).")
        var since: String?
        @Option(help: "Only letters dead-lettered at or before this time.")
        var until: String?
        @Option(name: .customLong("error-contains"), help: "Only letters whose reason contains this text (any case).")
        var errorContains: String?
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List dead letters, newest first.")
        @Argument(help: "The plugin's name.") var plugin: String
        @OptionGroup var filters: Filters
        @Option(help: "At most this many (1-500).") var limit = 50
        @Option(help: "The nextCursor of the previous page.") var cursor: String?
        @Flag(help: "Include letters a replay already resolved.") var all = false
        @Flag(help: "Print the host's JSON.") var json = false

        func run() throws {
            try CommandOutput.run {
                var query = ["limit=\(limit)"]
                if let since = filters.since { query.append("since=\(HostAPIClient.escape(since))") }
                if let until = filters.until { query.append("until=\(HostAPIClient.escape(until))") }
                if let text = filters.errorContains { query.append("errorContains=\(HostAPIClient.escape(text))") }
                if let cursor { query.append("cursor=\(HostAPIClient.escape(cursor))") }
                if all { query.append("state=all") }
                let page = try HostAPIClient().get("/plugins/\(HostAPIClient.escape(plugin))/dead-letters?" + query.joined(separator: "&"))
                if json { print(CommandOutput.json(page)); return }
                let letters = page["letters"] as? [[String: Any]] ?? []
                print(CommandOutput.table(["ID", "EVENT", "TOPIC", "PART", "OFFSET", "TIME", "ATTEMPTS", "STATE", "REASON"], letters.map { l in
                    [CommandOutput.text(l["id"]), CommandOutput.text(l["eventId"]), CommandOutput.text(l["topic"]), CommandOutput.text(l["partition"]),
                     CommandOutput.text(l["offset"]), CommandOutput.text(l["time"]), CommandOutput.text(l["attempts"]), CommandOutput.text(l["state"]),
                     String(CommandOutput.text(l["reason"]).prefix(80))]
                }))
                print("\(letters.count) dead letter(s)" + ((page["nextCursor"] as? String).map { "; more: --cursor \($0)" } ?? ""))
                if let why = page["kafkaUnavailable"] as? String { print("note: \(why)") }
            }
        }
    }

    struct Replay: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Give dead letters back to that plugin only (never re-published to the topic). Try --dry-run first.")
        @Argument(help: "The plugin's name.") var plugin: String
        @Option(name: .customLong("id"), help: "A dead-letter id or event id (repeatable).") var ids: [String] = []
        @OptionGroup var filters: Filters
        @Flag(name: .customLong("dry-run"), help: "Only say what would be replayed.") var dryRun = false
        @Option(help: "Deliver at most this many events per second.") var rate: Double?
        @Flag(help: "Deliver again letters a replay already handled.") var force = false
        @Flag(help: "Print the host's JSON.") var json = false

        func run() throws {
            try CommandOutput.run {
                var body: [String: Any] = ["dryRun": dryRun, "force": force]
                if !ids.isEmpty { body["ids"] = ids }
                if let since = filters.since { body["since"] = since }
                if let until = filters.until { body["until"] = until }
                if let text = filters.errorContains { body["errorContains"] = text }
                if let rate { body["ratePerSecond"] = rate }
                let answer = try HostAPIClient().post("/plugins/\(HostAPIClient.escape(plugin))/dead-letters/replay", body)
                if json { print(CommandOutput.json(answer)); return }
                let report = answer["replay"] as? [String: Any] ?? [:]
                let items = report["items"] as? [[String: Any]] ?? []
                print(CommandOutput.table(["LETTER", "EVENT", "OUTCOME", "REASON"], items.map {
                    [CommandOutput.text($0["letter"]), CommandOutput.text($0["eventId"]), CommandOutput.text($0["outcome"]), CommandOutput.text($0["reason"])]
                }))
                print("replay \(CommandOutput.text(report["id"])): \(CommandOutput.text(report["status"])); selected \(CommandOutput.text(report["selected"])), delivered \(CommandOutput.text(report["delivered"])), failed again \(CommandOutput.text(report["failedAgain"])), skipped \(CommandOutput.text(report["skipped"])), not delivered \(CommandOutput.text(report["notDelivered"]))")
            }
        }
    }
}
