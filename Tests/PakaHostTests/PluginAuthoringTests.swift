import Foundation
import PakaCLI
import PakaPipeline
import PakaPluginHost
import Testing

/// `paka plugin new` and `paka plugin header`: from nothing to a processor a host loads.
@Suite struct PluginAuthoringTests {
    let dir = TemporaryDirectory()

    private func feedOneEvent(_ library: String, name: String) throws -> RecordingHostServices {
        let services = RecordingHostServices()
        let registry = PluginRegistry(services: services, logger: .test)
        #expect(registry.apply(PakaConfiguration(pluginDir: dir.path, plugins: [PluginEntry(name: name, library: library)])).isEmpty)
        let envelope = CloudEvent(id: "0b9c6a52-0000-4000-8000-00000000000a", source: "test", type: "audit.event", subject: "r-1", data: Array("{}".utf8))
        let outcome = registry.active(named: name)?.handle([PluginEvent(id: envelope.id, topic: "audit.event", key: Array("r-1".utf8), payload: envelope.jsonBytes)])
        #expect(outcome == [.ok])
        registry.shutdown()
        return services
    }

    @Test func cScaffoldBuildsPassesItsTestAndCheckAndRunsInAHost() async throws {
        let new = try await runOffPool(TestPaths.pakaExecutable, ["plugin", "new", "my-thing", "--lang", "c", "--topic", "audit.event", "--output", dir.file("my-thing")])
        #expect(new.status == 0, "\(new.output)")
        // make test: the scaffold's own checks, then `paka plugin test` (this paka) on its events.jsonl.
        let test = try await runOffPool("/usr/bin/env", ["make", "-C", dir.file("my-thing"), "test"])
        #expect(test.status == 0 && test.output.contains("16 passed, 0 failed"), "\(test.output)")
        #expect(test.output.contains("2 events: 2 OK, 0 FAIL, 0 RETRY"), "\(test.output)")
        #expect(try await runOffPool("/usr/bin/env", ["make", "-C", dir.file("my-thing")]).status == 0)
        let library = dir.file("my-thing/libmy_thing.so")
        let check = try await runOffPool(TestPaths.pakaExecutable, ["plugin", "check", library])
        #expect(check.status == 0 && check.output.contains("topics:       audit.event"), "\(check.output)")
        let services = try feedOneEvent(library, name: "my-thing")
        #expect(services.published.map(\.topic) == ["my-thing.processed"])
        #expect(services.published.first?.data == #"{"source":"0b9c6a52-0000-4000-8000-00000000000a"}"#)
        #expect(services.logs == ["[my-thing] my-thing got 0b9c6a52-0000-4000-8000-00000000000a on audit.event"])
    }

    /// Each rule the C scaffold keeps, broken on purpose: its own `make test` must notice every one.
    @Test(arguments: [
        ("FAIL on a refused publish", "else res[i] = (paka_event_result){PAKA_FAIL, p->errors[i]};", "else res[i] = (paka_event_result){PAKA_RETRY, p->errors[i]};"),
        ("escaped JSON", "if (escape && (c == '\"' || c == '\\\\'))", "if (0)"),
        ("clamped snprintf length", "return (size_t)wanted < cap ? (size_t)wanted : cap - 1;", "return (size_t)wanted;"),
    ])
    func cScaffoldsOwnTestCatchesEachBugItGuardsAgainst(rule: String, correct: String, broken: String) async throws {
        let folder = dir.file("mutant")
        #expect(try await runOffPool(TestPaths.pakaExecutable, ["plugin", "new", "mutant", "--lang", "c", "--output", folder]).status == 0)
        let source = "\(folder)/mutant.c"
        let text = try String(contentsOfFile: source, encoding: .utf8)
        try #require(text.contains(correct), "the scaffold no longer contains the line this test breaks: \(correct)")
        try text.replacingOccurrences(of: correct, with: broken).write(toFile: source, atomically: true, encoding: .utf8)
        let test = try await runOffPool("/usr/bin/env", ["make", "-C", folder, "test_mutant"])
        try #require(test.status == 0, "\(test.output)")
        let run = try await runOffPool("\(folder)/test_mutant", [])
        #expect(run.status != 0 && run.output.contains("FAILED:"), "breaking '\(rule)' went unnoticed:\n\(run.output)")
    }

    @Test func swiftScaffoldBuildsPassesItsTestAndCheckAndRunsInAHost() async throws {
        let folder = dir.file("swifty")
        let new = try await runOffPool(TestPaths.pakaExecutable, ["plugin", "new", "swifty", "--topic", "audit.event", "--output", folder, "--sdk", TestPaths.packageRoot])
        #expect(new.status == 0, "\(new.output)")
        let build = try await runOffPool("/usr/bin/env", ["swift", "build", "--build-tests", "--package-path", folder])
        try #require(build.status == 0, "\(build.output)")
        let test = try await runOffPool("/usr/bin/env", ["swift", "test", "--skip-build", "--package-path", folder])
        #expect(test.status == 0 && test.output.contains("1 test"), "\(test.output)")
        let library = "\(folder)/.build/debug/libSwifty.so"
        #expect(try await runOffPool(TestPaths.pakaExecutable, ["plugin", "check", library]).status == 0)
        let pluginTest = try await runOffPool(TestPaths.pakaExecutable, ["plugin", "test", library, "--events", "\(folder)/events.jsonl"])
        #expect(pluginTest.status == 0 && pluginTest.output.contains("2 events: 2 OK, 0 FAIL, 0 RETRY"), "\(pluginTest.output)")
        let services = try feedOneEvent(library, name: "swifty")
        #expect(services.published.map(\.topic) == ["swifty.processed"])
        #expect(services.published.first?.data == #"{"source":"0b9c6a52-0000-4000-8000-00000000000a","topic":"audit.event"}"#)
    }

    @Test func headerCommandPrintsTheHeaderThisHostWasBuiltWith() async throws {
        let printed = try await runOffPool(TestPaths.pakaExecutable, ["plugin", "header"])
        #expect(printed.status == 0)
        #expect(printed.output == (try String(contentsOfFile: "\(TestPaths.abiInclude)/paka_plugin.h", encoding: .utf8)))
    }

    @Test func scaffoldRefusesABadNameAnExistingFolderAndSwiftWithoutSDK() async throws {
        let bad = try await runOffPool(TestPaths.pakaExecutable, ["plugin", "new", "Bad Name", "--lang", "c", "--output", dir.file("x")])
        #expect(bad.status != 0 && bad.output.contains("'Bad Name' is not a valid plugin name"))
        _ = dir.write("taken", "")
        let taken = try await runOffPool(TestPaths.pakaExecutable, ["plugin", "new", "ok", "--lang", "c", "--output", dir.file("taken")])
        #expect(taken.status != 0 && taken.output.contains("already exists"))
        do {
            try PluginScaffold(name: "ok", language: .swift, topics: []).write(to: dir.file("nosdk"))
            Issue.record("expected a refusal")
        } catch {
            #expect(error.description.contains("pass --sdk PATH"))
        }
    }
}
