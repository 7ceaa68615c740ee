/// The C flavour of `paka plugin new`: one source file, the ABI header, a Makefile, a test that
/// drives the plugin through its descriptor with a stand-in host table, and a file of events
/// for `paka plugin test`.
struct CPluginTemplate {
    let name: String
    let topics: [String]
    /// The `paka` the Makefile runs `paka plugin test` with (default: `paka` on PATH).
    let pakaExecutable: String?

    var files: [(String, String)] {
        let id = PluginScaffold.cIdentifier(for: name)
        func fill(_ text: String) -> String {
            // Names and topics are checked to be [a-zA-Z0-9._-], so they are safe in C strings.
            text.replacingOccurrences(of: "IDENT", with: id)
                .replacingOccurrences(of: "NAME", with: name)
                .replacingOccurrences(of: "FIRST_TOPIC", with: "\"\(topics[0])\"")
                .replacingOccurrences(of: "TOPICS", with: topics.map { "\"\($0)\"" }.joined(separator: ", "))
        }
        return [
            ("paka_plugin.h", PluginScaffold.headerText),
            ("\(id).c", fill(CPluginSource.text)),
            ("test_\(id).c", fill(CPluginTestSource.text)),
            ("events.jsonl", PluginScaffold.sampleEvents(topic: topics[0])),
            ("Makefile", """
                # make        → lib\(id).so
                # make test   → test_\(id).c against the plugin, then the library through the real host
                #               loader with `paka plugin test` on events.jsonl
                CFLAGS ?= -O2 -Wall -Wextra
                PAKA ?= \(pakaExecutable ?? "paka")
                lib\(id).so: \(id).c paka_plugin.h
                \t$(CC) $(CFLAGS) -shared -fPIC -fvisibility=hidden -o $@ \(id).c
                test_\(id): \(id).c test_\(id).c paka_plugin.h
                \t$(CC) $(CFLAGS) -o $@ test_\(id).c \(id).c
                test: test_\(id) lib\(id).so
                \t./test_\(id)
                \t$(PAKA) plugin test lib\(id).so --events events.jsonl
                clean:
                \trm -f lib\(id).so test_\(id)
                .PHONY: test clean

                """),
        ]
    }
}
