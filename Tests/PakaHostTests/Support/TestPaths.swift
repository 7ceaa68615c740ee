import Foundation

/// Where the package, its build products and the test fixtures are.
enum TestPaths {
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }  // Support → PakaHostTests → Tests → root
        return url.path
    }()

    /// `swift build` output holding `paka` and the processors' .so files.
    static var buildDirectory: String {
        ProcessInfo.processInfo.environment["PAKA_BUILD_DIR"] ?? "\(packageRoot)/.build/debug"
    }

    static var pakaExecutable: String { "\(buildDirectory)/paka" }

    /// Process isolation starts `paka worker`, and the test runner is not `paka`: the host takes
    /// `PAKA_WORKER_EXECUTABLE`. `scripts/test` exports it before the tests start. A run without
    /// it sets it here, once: `setenv` while another thread launches a process can crash that
    /// launch (glibc's `environ` is not thread-safe; a test run died in `Process.run` so, with
    /// three suites each calling `setenv` on every test).
    static let workerExecutableInEnvironment: Void = {
        if getenv("PAKA_WORKER_EXECUTABLE") == nil { setenv("PAKA_WORKER_EXECUTABLE", pakaExecutable, 1) }
    }()

    static func builtPlugin(_ product: String) -> String { "\(buildDirectory)/lib\(product).so" }

    static var abiInclude: String { "\(packageRoot)/Sources/CPakaABI/include" }
    static var fixtures: String { "\(packageRoot)/Tests/Fixtures" }
}

/// A private (0700) temporary folder, removed when the value is dropped.
final class TemporaryDirectory: @unchecked Sendable {
    let path: String

    init() {
        var template = Array("\(FileManager.default.temporaryDirectory.path)/paka-test-XXXXXX".utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }

    func file(_ name: String) -> String { "\(path)/\(name)" }

    func write(_ name: String, _ text: String, mode: Int = 0o644) -> String {
        let target = file(name)
        _ = FileManager.default.createFile(atPath: target, contents: Data(text.utf8), attributes: [.posixPermissions: mode])
        return target
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
