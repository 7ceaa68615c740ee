import ArgumentParser
import Foundation

extension PluginCommand {
    struct New: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a ready-to-build processor folder (Swift package, C source + Makefile, or Rust crate) with its test.")

        @Argument(help: "Plugin name: [a-z0-9_-], 1-64 characters.")
        var name: String

        @Option(name: .long, help: "swift, c or rust.")
        var lang: String = "swift"

        @Option(name: .long, help: "A topic to consume (repeatable; default <name>.in).")
        var topic: [String] = []

        @Option(name: .long, help: "Folder to create (default ./<name>).")
        var output: String?

        @Option(name: .long, help: "Swift only: the Paka checkout whose PakaPluginSDK the package uses (default: the one this paka was built from).")
        var sdk: String?

        func run() throws {
            guard let language = PluginScaffold.Language(rawValue: lang) else {
                throw ValidationError("--lang must be swift, c or rust, not '\(lang)'")
            }
            let folder = output ?? name
            let absolute = folder.hasPrefix("/") ? folder : FileManager.default.currentDirectoryPath + "/" + folder
            let scaffold = PluginScaffold(name: name, language: language, topics: topic, sdkPath: sdk ?? Self.checkoutOfThisBinary(),
                                          pakaExecutable: Self.thisBinary())
            do {
                let files = try scaffold.write(to: absolute)
                print("wrote \(absolute):")
                files.forEach { print("  \($0)") }
                let library = "lib\(name.replacingOccurrences(of: "-", with: "_")).so"
                switch language {
                case .c: print("next: cd \(folder) && make test && make && paka plugin check \(library)")
                case .rust: print("next: cd \(folder) && make test && make && paka plugin check target/release/\(library)")
                case .swift:
                    let swiftLibrary = ".build/debug/lib\(PluginScaffold.typeName(for: name)).so"
                    print("next: cd \(folder) && swift test && swift build && paka plugin check \(swiftLibrary)"
                          + " && paka plugin test \(swiftLibrary) --events events.jsonl")
                }
            } catch {
                throw ValidationError(error.description)
            }
        }

        /// This `paka`, by absolute path: the scaffold's `make test` runs its `plugin test`.
        static func thisBinary() -> String { Test.thisExecutable() }

        /// The repository this `paka` was built in (its .build folder's parent), if any.
        static func checkoutOfThisBinary() -> String? {
            var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            for _ in 0..<6 {
                url.deleteLastPathComponent()
                let manifest = url.appendingPathComponent("Package.swift").path
                // A search: a folder without a readable Package.swift is simply not the checkout.
                if let text = try? String(contentsOfFile: manifest, encoding: .utf8), text.contains("name: \"paka\"") { return url.path }
            }
            return nil
        }
    }

    struct Header: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the ABI header (paka_plugin.h) this host was built with, for C or Zig authors; --rust: the same as a Rust module.")

        @Flag(name: .long, help: "Print the #[repr(C)] Rust binding module (paka_abi.rs) instead of the C header.")
        var rust = false

        func run() throws { print(rust ? PluginScaffold.rustBindingsText : PluginScaffold.headerText, terminator: "") }
    }
}
