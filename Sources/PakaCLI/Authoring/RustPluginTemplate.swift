/// The Rust flavour of `paka plugin new`: a cargo `cdylib` crate with no dependencies (it builds
/// offline), the `#[repr(C)]` binding module from `paka plugin header --rust`, the safe `Plugin`
/// wrapper, one test, and a Makefile whose `make test` also runs `paka plugin test`.
struct RustPluginTemplate {
    let name: String
    let topics: [String]
    let pakaExecutable: String?

    var files: [(String, String)] {
        let id = PluginScaffold.cIdentifier(for: name)
        // Names and topics are checked to be [a-zA-Z0-9._-], so they are safe in Rust literals.
        let lib = RustPluginSource.text
            .replacingOccurrences(of: "TYPE", with: PluginScaffold.typeName(for: name))
            .replacingOccurrences(of: "NAME", with: name)
            .replacingOccurrences(of: "TOPICS", with: topics.map { "\"\($0)\"" }.joined(separator: ", "))
        return [
            ("Cargo.toml", """
                [package]
                name = "\(name)"
                version = "0.1.0"
                edition = "2021"

                [lib]
                name = "\(id)"
                crate-type = ["cdylib"]

                # No dependencies: the crate builds offline, and nothing else links into the host.
                [dependencies]

                """),
            ("src/lib.rs", lib),
            ("src/paka.rs", RustWrapperSource.text),
            ("src/paka_abi.rs", RustBindings.text),
            ("events.jsonl", PluginScaffold.sampleEvents(topic: topics[0])),
            ("Makefile", """
                # make        → target/release/lib\(id).so
                # make test   → cargo test, then the library through the real host loader with
                #               `paka plugin test` on events.jsonl
                PAKA ?= \(pakaExecutable ?? "paka")
                CARGO ?= cargo
                target/release/lib\(id).so: src/*.rs Cargo.toml
                \t$(CARGO) build --offline --release
                test:
                \t$(CARGO) test --offline
                \t$(CARGO) build --offline
                \t$(PAKA) plugin test target/debug/lib\(id).so --events events.jsonl
                clean:
                \t$(CARGO) clean
                .PHONY: test clean

                """),
            (".gitignore", "target/\n"),
        ]
    }
}
