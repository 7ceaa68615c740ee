import Foundation
import PakaPipeline
import PakaPluginHost
import Testing

/// `paka plugin test FILE.so --events FILE.jsonl`: a plugin against a file of events, through the
/// real loader and host table, in a child process so a crash is reported rather than inherited.
@Suite struct PluginTestCommandTests {
    let dir = TemporaryDirectory()

    private func pluginTest(_ library: String, events: String, config: [String] = []) async throws -> (status: Int32, output: String) {
        try await runOffPool(TestPaths.pakaExecutable, ["plugin", "test", library, "--events", dir.write("events.jsonl", events)] + config)
    }

    @Test func printsEveryResultPublishAndLogLineAndExitsZeroWhenAllAreOK() async throws {
        let events = #"{"specversion":"1.0","id":"ce-1","source":"s","type":"echo.in","subject":"r-1","data":{}}"#
            + "\n\n" + #"{"bare":"data"}"# + "\n"
        let run = try await pluginTest(try PluginCompiler.echo(name: "echo-cli"), events: events)
        #expect(run.status == 0, "\(run.output)")
        for line in [
            "plugin echo 1.0.0 (ABI 1.1) from",
            "event 1: id ce-1, topic echo.in", "  log info: 1.0.0 got ce-1", #"  publish echo.out key="r-1": {"echoed":true,"id":"ce-1"}"#,
            "event 3: id ", "  result: OK", "2 events: 2 OK, 0 FAIL, 0 RETRY",
        ] {
            #expect(run.output.contains(line), "missing '\(line)' in:\n\(run.output)")
        }
        // The bare line was wrapped as a CloudEvent on the plugin's first topic.
        #expect(run.output.contains("event 3: id ") && run.output.components(separatedBy: "topic echo.in").count == 3, "\(run.output)")
    }

    /// `--concurrency 4`: instances side by side, the events of one key in file order.
    @Test func concurrencyRunsInstancesInParallelKeepingEachKeysOrder() async throws {
        let record = dir.file("effects.txt")
        var lines: [String] = []
        var published: [(key: String, id: String)] = []
        for n in 0..<24 {
            let key = "k\(n % 6)", id = "e\(n)"
            lines.append(#"{"specversion":"1.0","id":"\#(id)","source":"s","type":"scripted.in","subject":"\#(key)","data":{"delayMs":40}}"#)
            published.append((key, id))
        }
        let run = try await pluginTest(try PluginCompiler.build("\(TestPaths.fixtures)/lanes.c", name: "lanes"), events: lines.joined(separator: "\n"),
                                       config: ["--config", #"{"record":"\#(record)"}"#, "--concurrency", "4"])
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("4 instances in parallel") && run.output.contains("24 events: 24 OK"), "\(run.output)")
        let effects = LaneEffect.read(record)
        #expect(LaneEffect.orderViolations(effects, published: published).isEmpty, "\(effects.map(\.id))")
        #expect((effects.map(\.inFlight).max() ?? 0) > 1, "instances ran side by side")
    }

    @Test func aFailOrABadLineExitsOneAndSaysWhy() async throws {
        let events = #"{"n":1}"# + "\n" + #"{"say":"fail"}"# + "\n" + "not json\n"
        let run = try await pluginTest(try PluginCompiler.build(name: "scripted"), events: events)
        #expect(run.status == 1, "\(run.output)")
        #expect(run.output.contains("  result: FAIL: event asked to fail"), "\(run.output)")
        #expect(run.output.contains("line 3: not JSON"), "\(run.output)")
        #expect(run.output.contains("2 events: 1 OK, 1 FAIL, 0 RETRY; 1 bad lines"), "\(run.output)")
    }

    @Test func aRetryExitsOne() async throws {
        let run = try await pluginTest(try PluginCompiler.build(name: "scripted"), events: #"{"mode":"retry-until-2"}"# + "\n")
        #expect(run.status == 1 && run.output.contains("  result: RETRY: not yet"), "\(run.output)")
    }

    @Test func theConfigReachesCreate() async throws {
        let record = dir.file("record.txt")
        let run = try await pluginTest(try PluginCompiler.build(name: "scripted"), events: #"{"specversion":"1.0","id":"c-1","source":"s","type":"scripted.in","data":{}}"# + "\n",
                                       config: ["--config", #"{"record":"\#(record)"}"#])
        #expect(run.status == 0, "\(run.output)")
        #expect(try String(contentsOfFile: record, encoding: .utf8).contains("1.0.0 c-1 1 -1"))
    }

    @Test(arguments: [("segv", "SIGSEGV"), ("abort", "SIGABRT")])
    func aCrashIsReportedWithItsSignalNotInherited(trigger: String, signal: String) async throws {
        let library = try PluginCompiler.build("\(TestPaths.fixtures)/crash-in-handle.c", name: "crasher")
        let run = try await pluginTest(library, events: #"{"fine":true}"# + "\n" + #"{"do":"\#(trigger)"}"# + "\n" + #"{"never":"reached"}"# + "\n")
        #expect(run.status == 3, "\(run.output)")
        #expect(run.output.contains("event 1: id ") && run.output.contains("  result: OK"), "\(run.output)")
        #expect(run.output.contains("event 2: id "), "the event being handled when it crashed is shown:\n\(run.output)")
        #expect(!run.output.contains("event 3:"), "\(run.output)")
        #expect(run.output.contains("CRASHED: the plugin killed its process with signal") && run.output.contains("(\(signal))"), "\(run.output)")
    }

    @Test func aPluginThatNeverReturnsIsKilledAfterTheTimeoutAndReported() async throws {
        let library = try PluginCompiler.build("\(TestPaths.fixtures)/crash-in-handle.c", name: "crasher")
        let run = try await pluginTest(library, events: #"{"do":"hang"}"# + "\n", config: ["--timeout", "1"])
        #expect(run.status == 3, "\(run.output)")
        #expect(run.output.contains("event 1: id ") && run.output.contains("TIMED OUT: the plugin did not finish within 1 s"), "\(run.output)")
    }

    @Test func aRefusedPluginExitsTwoWithTheLoadersMessage() async throws {
        let run = try await pluginTest(dir.write("fake.so", "not a library"), events: "{}\n")
        #expect(run.status == 2 && run.output.contains("refused: is not an ELF shared library"), "\(run.output)")
    }

    @Test func aConfigThatIsNotAnObjectIsRejectedBeforeLoading() async throws {
        let run = try await pluginTest(try PluginCompiler.echo(name: "echo-cli"), events: "{}\n", config: ["--config", "[1]"])
        #expect(run.status != 0 && run.output.contains("--config must be a JSON object"), "\(run.output)")
    }
}
