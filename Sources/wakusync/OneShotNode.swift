internal import Foundation
internal import Logging
internal import NIOPosix
internal import WakuNode

/// Runs a client-only node (no listen address, no periodic work) around one piece of work, for
/// `wakusync sync` and `wakusync query`; it uses the data directory's key and archive.
enum OneShotNode {
    static func with<T: Sendable>(
        _ options: NodeOptions,
        configure: (inout NodeConfiguration) -> Void = { _ in },
        _ body: @Sendable (WakuNode) async throws -> T
    ) async throws -> T {
        try options.dataDir.createDirectory()
        var configuration = options.configuration()
        configuration.listenAddresses = []
        configuration.staticPeers = []
        configuration.syncInterval = .zero
        configuration.storeResume = false
        configuration.retentionPolicy = nil
        configure(&configuration)
        let logFile = options.dataDir.directory.appendingPathComponent("node.log").path
        let logger = try LogSetup.bootstrap(file: logFile, alsoStandardError: false, label: "wakusync.\(options.name)")
        let node = try WakuNode(
            configuration: configuration,
            archive: try await options.openNodeArchive(logger: logger),
            group: MultiThreadedEventLoopGroup.singleton,
            logger: logger
        )
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await node.run() }
            defer { node.stop() }
            try await node.waitUntilStarted()
            let result = try await body(node)
            node.stop()
            try await group.waitForAll()
            return result
        }
    }
}
