// swift-tools-version: 6.2
import PackageDescription

/// Settings every target of ours builds with (STYLE.md §4, §13): the strict upcoming features and
/// warnings as errors. Dependencies keep their own settings.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .treatAllWarnings(as: .error),
]

let package = Package(
    name: "wakusync",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "wakusync", targets: ["wakusync"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
    ],
    targets: [
        .target(
            name: "WakuCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            exclude: ["Protos"],
            swiftSettings: strict
        ),
        // Gossipsub as a pure state machine: the standard library only (ARCHITECTURE.md).
        .target(
            name: "Gossipsub",
            swiftSettings: strict
        ),
        .target(
            name: "WakuSync",
            dependencies: ["WakuCore"],
            swiftSettings: strict
        ),
        .systemLibrary(
            name: "CSecp256k1",
            pkgConfig: "libsecp256k1",
            providers: [.apt(["libsecp256k1-dev"])]
        ),
        .target(
            name: "Libp2p",
            dependencies: [
                "CSecp256k1",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "WakuArchive",
            dependencies: [
                "WakuCore",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "WakuArchivePostgres",
            dependencies: [
                "WakuArchive",
                "WakuCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "NodeEvents",
            swiftSettings: strict
        ),
        .target(
            name: "WakuNode",
            dependencies: [
                "WakuCore",
                "Gossipsub",
                "WakuSync",
                "WakuArchive",
                "Libp2p",
                "NodeEvents",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Observers",
            dependencies: [
                "NodeEvents",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "WakuDemo",
            dependencies: [
                "WakuCore",
                "WakuNode",
                "Libp2p",
                "WakuArchive",
                "NodeEvents",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // --config-file: TOML turned into command-line words; no module of the node sees TOML.
        .target(
            name: "CommandConfig",
            dependencies: [.product(name: "TOMLKit", package: "TOMLKit")],
            swiftSettings: strict
        ),
        .target(
            name: "MonitorUI",
            dependencies: ["NodeEvents"],
            swiftSettings: strict
        ),
        // ncursesw through a system-library header with static inline shims (Sources/CNCurses/shim.h);
        // no pkgConfig line: its cflags trip SwiftPM's prohibited-flags warning.
        .systemLibrary(name: "CNCurses", providers: [.apt(["libncurses-dev"])]),
        // Crash-time terminal restore: async-signal-safe C that must not run Swift code.
        .target(name: "CTerminalRestore"),
        .target(
            name: "TerminalNCurses",
            dependencies: ["MonitorUI", "NodeEvents", "CNCurses", "CTerminalRestore"],
            swiftSettings: strict
        ),
        .target(
            name: "WakuTestSupport",
            dependencies: [
                "WakuCore",
                "WakuArchive",
                "WakuSync",
                "WakuNode",
                "NodeEvents",
                "Libp2p",
                "MonitorUI",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: strict
        ),
        // The `wakusync bench` scenarios: set-up, timing and results; the executable only parses and prints.
        .target(
            name: "WakuBench",
            dependencies: [
                "WakuCore",
                "WakuSync",
                "WakuArchive",
                "WakuArchivePostgres",
                "Libp2p",
                "NodeEvents",
                "WakuNode",
                "MonitorUI",
                "TerminalNCurses",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "wakusync",
            dependencies: [
                "WakuCore",
                "WakuSync",
                "NodeEvents",
                "WakuArchive",
                "WakuArchivePostgres",
                "Libp2p",
                "WakuNode",
                "WakuDemo",
                "MonitorUI",
                "TerminalNCurses",
                "Observers",
                "WakuBench",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                "CommandConfig",
            ],
            swiftSettings: strict
        ),
        .target(
            name: "FuzzTargets",
            dependencies: [
                "WakuCore",
                "WakuSync",
                "WakuArchive",
                "Libp2p",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "wakusync-fuzz",
            dependencies: ["FuzzTargets"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "FuzzRegressionTests",
            dependencies: ["FuzzTargets"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "GossipsubTests",
            dependencies: ["Gossipsub"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "WakuCoreTests",
            dependencies: ["WakuCore", "WakuTestSupport", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "WakuSyncTests",
            dependencies: ["WakuCore", "WakuSync", "WakuTestSupport"],
            exclude: ["Reference"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "WakuNodeTests",
            dependencies: [
                "WakuCore", "WakuSync", "NodeEvents", "WakuNode", "Libp2p", "WakuArchive", "WakuArchivePostgres",
                "WakuTestSupport", "Gossipsub",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            exclude: ["Interop"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "WakuArchiveTests",
            dependencies: [
                "WakuArchive", "WakuArchivePostgres", "WakuCore", "WakuTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "Libp2pTests",
            dependencies: [
                "Libp2p",
                "WakuTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            exclude: ["Interop"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "MonitorUITests",
            dependencies: ["MonitorUI", "NodeEvents", "WakuTestSupport"],
            exclude: ["Snapshots"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "TerminalNCursesTests",
            dependencies: ["TerminalNCurses", "MonitorUI", "NodeEvents", "WakuTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "CommandConfigTests",
            dependencies: ["CommandConfig", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "WakuBenchTests",
            dependencies: [
                "WakuBench", "WakuCore", "WakuSync", "WakuArchive",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ObserversTests",
            dependencies: ["Observers", "NodeEvents"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "WakuCore", "WakuArchive", "WakuArchivePostgres", "WakuNode", "NodeEvents", "Libp2p", "WakuTestSupport",
                "wakusync",
            ],
            swiftSettings: strict
        ),
    ]
)
