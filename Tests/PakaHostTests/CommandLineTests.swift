import Foundation
import PakaTestSupport
import PakaServer
import PakaKafka
import PakaTestSupport
import Testing

/// The `paka` executable as users run it.
@Suite struct CommandLineTests {
    let dir = TemporaryDirectory()

    @Test func pluginCheckPrintsEveryBuiltProcessorsDescriptor() throws {
        let files = ["DocumentProcessor", "NotificationProcessor", "AuditLogger", "ReportGenerator"].map(TestPaths.builtPlugin)
        let result = try run(TestPaths.pakaExecutable, ["plugin", "check"] + files + [try PluginCompiler.echo(name: "echo-cli")])
        #expect(result.status == 0, "\(result.output)")
        for (name, group) in [("document", "paka-document-processor"), ("notification", "paka-notification-processor"),
                              ("audit", "paka-audit-logger"), ("report", "paka-report-generator"), ("echo", "paka-echo")] {
            #expect(result.output.contains("name:         \(name)\n"))
            #expect(result.output.contains("group:        \(group)\n"))
        }
        #expect(result.output.contains("topics:       audit.event\n"))
        #expect(result.output.contains("abi:          1.1 (major 1, minor 1; host 1.1)"))
    }

    @Test func pluginCheckRefusesATruncatedCopyAndExitsOne() throws {
        let whole = try Data(contentsOf: URL(fileURLWithPath: TestPaths.builtPlugin("AuditLogger")))
        let truncated = dir.file("libAuditLogger.so")
        _ = FileManager.default.createFile(atPath: truncated, contents: whole.prefix(4096), attributes: [.posixPermissions: 0o644])
        let result = try run(TestPaths.pakaExecutable, ["plugin", "check", truncated])
        #expect(result.status == 1)
        #expect(result.output.contains("\(truncated): refused: is truncated: 4096 bytes"))
    }

    @Test func pluginCheckRefusesADuplicateName() throws {
        let first = try PluginCompiler.echo(version: "1.0.0", name: "echo-dup1")
        let second = try PluginCompiler.echo(version: "2.0.0", name: "echo-dup2")
        let result = try run(TestPaths.pakaExecutable, ["plugin", "check", first, second])
        #expect(result.status == 1)
        #expect(result.output.contains("\(second): refused: duplicate plugin name 'echo' (already loaded from \(first))"))
    }

    @Test func configCheckListsProblemsAndExitsOne() throws {
        let bad = dir.write("plugins.json", #"{"plugins": [{"name": "audit", "library": "a.so", "retry": {"maxAttempts": 0}}]}"#)
        let result = try run(TestPaths.pakaExecutable, ["config", "check", bad])
        #expect(result.status == 1)
        #expect(result.output.contains("plugins[0].retry.maxAttempts: must be ≥ 1"))
        let good = try run(TestPaths.pakaExecutable, ["config", "check", "\(TestPaths.packageRoot)/plugins.json"])
        #expect(good.status == 0, "\(good.output)")
        #expect(good.output.contains("audit: enabled"))
    }

    @Test func tokenIsSignedWithTheSecretAndCarriesTheClaims() async throws {
        let secret = "a-test-secret-that-is-32-bytes-long!"
        var env = ProcessInfo.processInfo.environment
        env["JWT_SECRET"] = secret
        let result = try run(TestPaths.pakaExecutable, ["token", "--sub", "alice", "--admin", "--ttl", "2h"], environment: env)
        #expect(result.status == 0, "\(result.output)")
        let token = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let claims = try await TokenAuthority(secret: secret).verify(token)
        #expect(claims.sub.value == "alice")
        #expect(claims.isAdmin)
        #expect(claims.exp.value.timeIntervalSinceNow > 7000 && claims.exp.value.timeIntervalSinceNow <= 7200)
        let forged = try? await TokenAuthority(secret: String(secret.reversed())).verify(token)
        #expect(forged == nil)
    }

    @Test func tokenScopeOptionMintsThoseScopesAndRefusesATypo() async throws {
        let secret = "a-test-secret-that-is-32-bytes-long!"
        var env = ProcessInfo.processInfo.environment
        env["JWT_SECRET"] = secret
        let result = try run(TestPaths.pakaExecutable, ["token", "--sub", "client", "--scope", "publish read"], environment: env)
        #expect(result.status == 0, "\(result.output)")
        let claims = try await TokenAuthority(secret: secret).verify(result.output.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(claims.scope == "publish read")
        #expect(claims.scopes == [.publish, .read])
        #expect(!claims.isAdmin)
        let typo = try run(TestPaths.pakaExecutable, ["token", "--sub", "client", "--scope", "publsh"], environment: env)
        #expect(typo.status != 0)
        #expect(typo.output.contains("unknown scope 'publsh'"), "\(typo.output)")
    }

    @Test func shortSecretIsRefusedWithHowToMakeOne() throws {
        var env = ProcessInfo.processInfo.environment
        env["JWT_SECRET"] = "short"
        let result = try run(TestPaths.pakaExecutable, ["token", "--sub", "alice"], environment: env)
        #expect(result.status != 0)
        #expect(result.output.contains("JWT_SECRET is 5 bytes; HS256 needs at least 32. Generate one with: openssl rand -base64 32"))
    }

    @Test func tokenWithoutSecretExplainsWhatToDo() throws {
        var env = ProcessInfo.processInfo.environment
        env["JWT_SECRET"] = nil
        let result = try run(TestPaths.pakaExecutable, ["token", "--sub", "alice"], environment: env)
        #expect(result.status != 0)
        #expect(result.output.contains("JWT_SECRET is not set"))
    }

    /// The chaos suite's outage drill: the brokers refuse clients, then take them back.
    @Test func brokerTakesEveryBrokerDownOnSIGUSR1AndBackOnSIGUSR2() async throws {
        let broker = Process()
        broker.executableURL = URL(fileURLWithPath: TestPaths.pakaExecutable)
        broker.arguments = ["broker", "--partitions", "1"]
        let output = Pipe()
        broker.standardOutput = output
        broker.standardError = FileHandle.nullDevice
        try broker.run()
        let printed = PipeReading.readLine(output.fileHandleForReading.fileDescriptor)
        let bootstrap = String(decoding: printed, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let producer = try KafkaProducer(configuration: KafkaConfiguration(brokers: bootstrap, clientId: "cli-test"), logger: .test)
        #expect(await eventually { producer.checkConnection(timeout: .milliseconds(500)) })
        kill(broker.processIdentifier, SIGUSR1)
        #expect(await eventually { !producer.checkConnection(timeout: .milliseconds(500)) })
        kill(broker.processIdentifier, SIGUSR2)
        #expect(await eventually(30) { producer.checkConnection(timeout: .milliseconds(500)) })
        await producer.shutdown(timeout: .milliseconds(200))
        broker.terminate()
        broker.waitUntilExit()
        #expect(broker.terminationStatus == 0)
    }
}
