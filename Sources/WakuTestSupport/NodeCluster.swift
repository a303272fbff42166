internal import Foundation
internal import Logging
internal import NIOPosix

package import WakuArchive
package import WakuCore
package import WakuNode
package import NodeEvents

/// Real nodes on 127.0.0.1 (port 0), each with its own archive in a temporary directory, for
/// tests; everything is stopped and removed when the body returns or throws.
package enum NodeCluster {
    /// Runs `count` nodes configured by `configure` (given the node's number) around `body`.
    package static func with<T: Sendable>(
        _ count: Int,
        configure: @Sendable (Int, inout NodeConfiguration) -> Void = { _, _ in },
        clock: @Sendable (Int) -> any Clock<Duration> = { _ in ContinuousClock() },
        archive: @Sendable (Int) async throws -> (any MessageArchive)? = { _ in nil },
        _ body: @Sendable ([WakuNode]) async throws -> T
    ) async throws -> T {
        let directory = try TemporaryDirectory(prefix: "wakusync-nodes")
        defer { directory.remove() }
        var nodes: [WakuNode] = []
        for number in 0..<count {
            var configuration = NodeConfiguration(
                name: "node-\(number + 1)",
                dataDirectory: directory.file("node-\(number + 1)").path,
                agentVersion: "wakusync/test"
            )
            configuration.listenAddresses = ["/ip4/127.0.0.1/tcp/0"]
            configuration.syncInterval = .zero
            configure(number, &configuration)
            nodes.append(
                try WakuNode(
                    configuration: configuration,
                    archive: try await archive(number),
                    group: MultiThreadedEventLoopGroup.singleton,
                    logger: Logger(label: "test.\(configuration.name)", factory: { _ in SwiftLogNoOpLogHandler() }),
                    clock: clock(number)
                )
            )
        }
        let running = nodes
        return try await withThrowingTaskGroup(of: Void.self) { group in
            for node in running {
                group.addTask { try await node.run() }
            }
            defer { for node in running { node.stop() } }
            for node in running {
                try await Self.waitUntilListening(node)
            }
            let result = try await body(running)
            for node in running { node.stop() }
            try await group.waitForAll()
            return result
        }
    }

    /// Waits until `node` has bound its listen addresses.
    package static func waitUntilListening(_ node: WakuNode) async throws {
        try await node.waitUntilStarted()
    }

    /// `count` distinct messages on `pubsubTopic`, timestamps spread over the last `span` before
    /// `now`, deterministic for `seed`.
    package static func messages(
        _ count: Int,
        seed: UInt64,
        now: Int64,
        span: Duration = .seconds(600),
        pubsubTopic: String = "/waku/2/rs/0/0",
        contentTopic: String = "/wakusync/1/test/proto"
    ) -> [TransferPayload] {
        var generator = SeededRandom(seed: seed)
        let spanNanoseconds = span.components.seconds * 1_000_000_000
        return (0..<count).map { number in
            let payload =
                (0..<32).map { _ in UInt8(truncatingIfNeeded: generator.next()) } + Array("\(seed)-\(number)".utf8)
            let timestamp = now - Int64(generator.next() % UInt64(spanNanoseconds)) - 30_000_000_000
            return TransferPayload(
                pubsubTopic: pubsubTopic,
                message: WakuMessage(payload: payload, contentTopic: contentTopic, timestamp: timestamp)
            )
        }
    }

    /// The first event on `events` that `matches`, or nil after `timeout`. Consumes the stream:
    /// an `AsyncStream` ends when the task iterating it is cancelled, so subscribe anew for the
    /// next wait.
    package static func event(
        on events: AsyncStream<NodeEvent>,
        timeout: Duration = .seconds(30),
        where matches: @escaping @Sendable (NodeEvent) -> Bool
    ) async -> NodeEvent? {
        await withTaskGroup(of: NodeEvent?.self) { group in
            group.addTask {
                for await event in events where matches(event) { return event }
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    /// Runs `dial` (which connects some peer to `node`) and returns once `node` itself has
    /// registered the connection: a dial returns when the dialling side is ready, but the other
    /// side adds the connection a moment later, and a stream it opens before that fails.
    package static func connected<T: Sendable>(
        to node: WakuNode,
        timeout: Duration = .seconds(30),
        by dial: @Sendable () async throws -> T,
        peer: @Sendable (T) -> String
    ) async throws -> T {
        let events = node.events.subscribe()
        let result = try await dial()
        let id = peer(result)
        if await node.peerSnapshots().contains(where: { $0.peerID == id && $0.state == .connected }) { return result }
        let seen = await Self.event(on: events, timeout: timeout) { event in
            guard case .peerUpdated(let snapshot) = event else { return false }
            return snapshot.peerID == id && snapshot.state == .connected
        }
        guard seen != nil else { throw CocoaError(.executableLoad) }
        return result
    }

    /// Polls `condition` until it holds or `timeout` passes.
    package static func eventually(
        timeout: Duration = .seconds(30),
        _ condition: @Sendable () async throws -> Bool
    ) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try await condition()
    }

    /// The current wall-clock time in nanoseconds.
    package static var now: Int64 { Int64(Date().timeIntervalSince1970 * 1e9) }
}
