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
        .target(
            name: "WakuSync",
            dependencies: ["WakuCore"],
            swiftSettings: strict
        ),
        .target(
            name: "NodeEvents",
            swiftSettings: strict
        ),
        .target(
            name: "MonitorUI",
            dependencies: ["NodeEvents"],
            swiftSettings: strict
        ),
        // ncursesw through a system-library header with static inline shims (ENGINEERING_NOTES.md §2.1);
        // no pkgConfig line: its cflags trip SwiftPM's prohibited-flags warning.
        .systemLibrary(name: "CNCurses", providers: [.apt(["libncurses-dev"])]),
        // Crash-time terminal restore: async-signal-safe C that must not run Swift code.
        .target(name: "CTerminalRestore"),
        .target(
            name: "TerminalNCurses",
            dependencies: ["MonitorUI", "CNCurses", "CTerminalRestore"],
            swiftSettings: strict
        ),
        .target(
            name: "WakuTestSupport",
            dependencies: ["WakuCore", "WakuSync", "NodeEvents", "MonitorUI"],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "wakusync",
            dependencies: [
                "WakuCore",
                "WakuSync",
                "NodeEvents",
                "MonitorUI",
                "TerminalNCurses",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
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
            name: "EndToEndTests",
            dependencies: ["WakuCore", "WakuTestSupport", "wakusync"],
            swiftSettings: strict
        ),
    ]
)
