// swift-tools-version:6.0
import PackageDescription

// The module graph is the architecture (docs/architecture.md draws it with the reasons):
//
//   CPakaABI (the C ABI header, nothing else; CPakaABIHost: its host-only companions)
//      ├── PakaPluginSDK ── Plugins/{Document,Notification,Audit,Report}  (.dynamic products)
//      └── PakaPluginHost (loader, registry, hot swap, config, isolation; neither Kafka nor HTTP)
//             └── PakaPipeline (both event paths: consumer loops, dead letters, replays over Kafka;
//                  │            the synchronous fallback and its spool without it) ── paka-bench (PakaBench)
//                  └── PakaServer (HTTP API, tokens, Prometheus exporter, PakaApplication: the composition root)
//                         └── paka (PakaCLI, with Authoring/: the `paka plugin new` templates)
//   CRdKafka ── PakaKafka (librdkafka wrapped once) ── PakaPipeline, PakaServer, PakaCLI; PakaBench (its raw baseline)
//   CLibPQ ──── PakaPostgres (libpq, wrapped once) ── the processors that store data
//   CCurl ───── PakaCurl (libcurl, wrapped once) ──── Document, Notification, PakaCLI (its host API client)
//   PakaJSON (strict JSON scanning, ISO-8601 field ranges; no dependencies) ── PakaPluginHost, PakaPluginSDK, Audit
//   PakaBareHTTP: a bare Hummingbird server, the baseline of scripts/bench-http (bench only)
//
// Processors never link PakaPluginHost or PakaServer: they see the host only through the C host table.
// PakaServer calls into PakaPluginHost, never the other way round; cross-module internals are `package`.
// Each target declares exactly the modules its sources import.
//
// Linux only: the loader reads ELF headers and loads plugins with dlopen(RTLD_NODELETE), and the
// code imports Glibc; so no Apple platform is declared and other systems are refused here.
#if !os(Linux)
#error("Paka builds and runs on Linux only (ELF plugins, Glibc); see docs/architecture.md, \"Platform\"")
#endif

/// Processors resolve their own symbols first: a plugin's copy of the SDK must never bind to
/// another image's copy, whatever order the host loaded them in.
let pluginLinkerSettings: [LinkerSetting] = [.unsafeFlags(["-Xlinker", "-Bsymbolic"])]

let package = Package(
    name: "paka",
    products: [
        .executable(name: "paka", targets: ["PakaCLI"]),
        .executable(name: "paka-bench", targets: ["PakaBench"]),
        .executable(name: "paka-bare-http", targets: ["PakaBareHTTP"]),
        .library(name: "PakaPluginSDK", targets: ["PakaPluginSDK"]),
        .library(name: "DocumentProcessor", type: .dynamic, targets: ["DocumentProcessor"]),
        .library(name: "NotificationProcessor", type: .dynamic, targets: ["NotificationProcessor"]),
        .library(name: "AuditLogger", type: .dynamic, targets: ["AuditLogger"]),
        .library(name: "ReportGenerator", type: .dynamic, targets: ["ReportGenerator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.7.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // MARK: C edges
        .target(name: "CPakaABI", path: "Sources/CPakaABI"),
        // Host-only companions of the ABI header (minimum sizes, the header's text): never in a plugin's view.
        .target(name: "CPakaABIHost", dependencies: ["CPakaABI"], path: "Sources/CPakaABIHost"),
        // Host-internal C for crash containment: worker spawn, the crash journal's signal handler.
        .target(name: "CPakaIsolation", path: "Sources/CPakaIsolation"),
        .systemLibrary(
            name: "CRdKafka", path: "Sources/CRdKafka", pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]),
        .systemLibrary(
            name: "CLibPQ", path: "Sources/CLibPQ", pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]),
        .systemLibrary(
            name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),

        // MARK: Host
        .target(
            name: "PakaKafka",
            dependencies: [
                "CRdKafka",
                .product(name: "Logging", package: "swift-log"),
                // NIOThreadPool, for the async conveniences' blocking calls (BlockingCall.swift).
                .product(name: "NIOPosix", package: "swift-nio"),
            ]),
        // The plugin host: loader, registry, hot swap, configuration, isolation. Knows neither Kafka nor HTTP.
        .target(
            name: "PakaPluginHost",
            dependencies: [
                "CPakaABI",
                "CPakaABIHost",
                "CPakaIsolation",
                "PakaJSON",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                // The metrics API only (counters recorded where they happen); the Prometheus
                // registry and its exporter stay in PakaServer.
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ]),
        // Both event paths: consumer loops, dead letters and replays over Kafka; the synchronous
        // fallback and its spool without it; the router between them and the host table's publish.
        .target(
            name: "PakaPipeline",
            dependencies: [
                "PakaPluginHost",
                "PakaKafka",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ]),
        // The HTTP server, tokens, the Prometheus exporter and the composition root (PakaApplication).
        .target(
            name: "PakaServer",
            dependencies: [
                "PakaPluginHost",
                "PakaPipeline",
                "PakaKafka",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]),
        .executableTarget(
            name: "PakaCLI",
            dependencies: [
                "PakaPluginHost",
                "PakaPipeline",
                "PakaServer",
                "PakaKafka",
                "PakaCurl",
                // Authoring/ (the `paka plugin new` templates) reads the ABI header's text and limits.
                "CPakaABI",
                "CPakaABIHost",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),

        .executableTarget(
            name: "PakaBench",
            dependencies: ["PakaPluginHost", "PakaPipeline", "PakaKafka", "CRdKafka", .product(name: "Logging", package: "swift-log")]),

        // The bare-Hummingbird baseline of scripts/bench-http (bench only).
        .executableTarget(
            name: "PakaBareHTTP",
            dependencies: [.product(name: "Hummingbird", package: "hummingbird")]),

        // MARK: Plugin SDK and the built-in processors
        .target(name: "PakaPluginSDK", dependencies: ["CPakaABI", "PakaJSON"]),
        // libpq wrapped once, for the processors that store data (linked into each .so).
        .target(name: "PakaPostgres", dependencies: ["CLibPQ"]),
        // Strict JSON scanning without building documents (the host's poison check, plugins' parsing),
        // and the range check of ISO-8601 times that the host and the SDK share.
        .target(name: "PakaJSON"),
        // libcurl wrapped once (HTTP POST, SMTP send), for the processors that talk to the outside world.
        .target(name: "PakaCurl", dependencies: ["CCurl"]),
        .target(
            name: "DocumentProcessor", dependencies: ["PakaPluginSDK", "PakaPostgres", "PakaCurl"], path: "Plugins/Document",
            linkerSettings: pluginLinkerSettings),
        .target(
            name: "NotificationProcessor", dependencies: ["PakaPluginSDK", "PakaPostgres", "PakaCurl"],
            path: "Plugins/Notification", linkerSettings: pluginLinkerSettings),
        .target(
            name: "AuditLogger", dependencies: ["PakaPluginSDK", "PakaPostgres", "PakaJSON"], path: "Plugins/Audit",
            linkerSettings: pluginLinkerSettings),
        .target(
            name: "ReportGenerator", dependencies: ["PakaPluginSDK", "PakaPostgres"], path: "Plugins/Report",
            linkerSettings: pluginLinkerSettings),

        // MARK: Tests
        // Test-only helpers shared by the test targets (a Kafka cluster in a child process).
        .target(name: "PakaTestSupport", dependencies: ["PakaPluginSDK"], path: "Tests/PakaTestSupport"),
        .testTarget(
            name: "PakaHostTests",
            dependencies: [
                "PakaPluginHost", "PakaPipeline", "PakaServer", "PakaCLI", "PakaKafka", "CPakaABI", "PakaPostgres", "PakaJSON", "PakaPluginSDK", "PakaTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]),
        .testTarget(
            name: "PakaKafkaTests",
            dependencies: ["PakaKafka", "PakaTestSupport", .product(name: "Logging", package: "swift-log")]),
        .testTarget(
            name: "PakaPostgresTests",
            dependencies: ["PakaPostgres"]),
    ]
)
