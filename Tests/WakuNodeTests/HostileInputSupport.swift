import Foundation
import Libp2p
import Logging
import NIOPosix
import NodeEvents
import Synchronization
import Testing
import WakuArchive
import WakuCore
import WakuNode
import WakuSync
import WakuTestSupport

/// Every event a node emits from the moment the log is made, kept so a test can wait on several
/// conditions one after the other (an `AsyncStream` is consumed by the first wait).
final class EventLog: Sendable {
    private final class Store: Sendable {
        let events = Mutex<[NodeEvent]>([])
    }

    private let store = Store()
    private let reader: Task<Void, Never>

    init(_ node: WakuNode) {
        let store = self.store
        let stream = node.events.subscribe()
        self.reader = Task {
            for await event in stream { store.events.withLock { $0.append(event) } }
        }
    }

    deinit { self.reader.cancel() }

    var events: [NodeEvent] { self.store.events.withLock { $0 } }

    /// Waits until `condition` holds over the events so far, or `timeout` passes.
    @discardableResult
    func wait(
        timeout: Duration = .seconds(30),
        until condition: @escaping @Sendable ([NodeEvent]) -> Bool
    ) async throws -> Bool {
        try await NodeCluster.eventually(timeout: timeout) { condition(self.events) }
    }

    /// Rejected messages so far, summed by reason (only `source`'s, when given).
    func rejections(from source: NodeEvents.MessageSource? = nil) -> [Rejection: Int] {
        Self.rejections(in: self.events, from: source)
    }

    static func rejections(in events: [NodeEvent], from source: NodeEvents.MessageSource? = nil) -> [Rejection: Int] {
        var counts: [Rejection: Int] = [:]
        for case .rejected(let rejected) in events where source == nil || rejected.source == source {
            counts[rejected.reason, default: 0] += rejected.count
        }
        return counts
    }

    /// Notices so far.
    var notices: [Notice] { self.events.compactMap { if case .notice(let notice) = $0 { notice } else { nil } } }

    /// Limits reported as reached so far.
    var limits: [LimitExceeded] {
        self.events.compactMap { if case .limitExceeded(let limit) = $0 { limit } else { nil } }
    }

    /// Resume progress reports so far.
    var resumes: [ResumeProgress] {
        self.events.compactMap { if case .resume(let progress) = $0 { progress } else { nil } }
    }
}

/// Nodes and scripted peers for the hostile-input suites.
enum Hostile {
    /// The pubsub topic of cluster 0, shard 0.
    static let shard0 = "/waku/2/rs/0/0"

    /// A node configuration on 127.0.0.1 (port 0) without periodic sync, like ``NodeCluster``'s.
    static func configuration(_ name: String, in directory: TemporaryDirectory) -> NodeConfiguration {
        var configuration = NodeConfiguration(
            name: name,
            dataDirectory: directory.file(name).path,
            agentVersion: "wakusync/test"
        )
        configuration.listenAddresses = ["/ip4/127.0.0.1/tcp/0"]
        configuration.syncInterval = .zero
        return configuration
    }

    /// Runs one node around `body`, with an event log started before the node runs (so notices
    /// from its start-up are kept); stops it afterwards.
    static func withNode<T: Sendable>(
        _ configuration: NodeConfiguration,
        archive: (any MessageArchive)? = nil,
        _ body: @Sendable (WakuNode, EventLog) async throws -> T
    ) async throws -> T {
        let node = try WakuNode(
            configuration: configuration,
            archive: archive,
            group: MultiThreadedEventLoopGroup.singleton,
            logger: Logger(label: "test.\(configuration.name)", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        let log = EventLog(node)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await node.run() }
            defer { node.stop() }
            try await node.waitUntilStarted()
            let result = try await body(node, log)
            node.stop()
            try await group.waitForAll()
            return result
        }
    }

    /// `count` bare libp2p hosts that answer Waku metadata (cluster 0) unless `metadata` is false,
    /// and listen on 127.0.0.1 when `listen` is set, around `body`; shut down afterwards.
    static func withHosts<T: Sendable>(
        _ count: Int,
        agent: String = "rogue/1",
        metadata: Bool = true,
        listen: Bool = false,
        _ body: @Sendable ([Libp2pHost]) async throws -> T
    ) async throws -> T {
        var hosts: [Libp2pHost] = []
        for _ in 0..<count {
            let host = try Libp2pHost(
                key: try PrivateKey.generate(),
                listenAddresses: listen ? [try Multiaddr(parsing: "/ip4/127.0.0.1/tcp/0")] : [],
                configuration: HostConfiguration(agentVersion: agent),
                group: MultiThreadedEventLoopGroup.singleton
            )
            if metadata {
                host.register(protocolID: WakuNode.metadataProtocol) { stream in
                    _ = try await stream.readMessage(timeout: .seconds(10))
                    try await stream.writeMessage(MetadataMessage(clusterID: 0, shards: []).serialized())
                    await stream.close()
                }
            }
            try await host.start()
            hosts.append(host)
        }
        let started = hosts
        return try await withThrowingTaskGroup(of: Void.self) { group in
            for host in started { group.addTask { try await host.run() } }
            defer { group.cancelAll() }
            let result = try await body(started)
            for host in started { await host.shutdown() }
            return result
        }
    }

    /// Dials `node` from `host` and waits until the node has registered the connection, so the
    /// node may open streams to the host at once.
    @discardableResult
    static func connect(_ host: Libp2pHost, to node: WakuNode) async throws -> PeerID {
        let address = try Multiaddr(parsing: try #require(node.listenAddresses.first))
        return try await NodeCluster.connected(to: node, by: { try await host.dial(address) }) { _ in
            host.peerID.description
        }
    }

    /// Answers every reconciliation session opened with `host` from an index of `items` (see
    /// ``index(_:)``), as an honest responder would: the lies are in what the index holds.
    static func answerSessions(on host: Libp2pHost, from items: [(payload: TransferPayload, timestamp: Int64?)]) {
        host.register(protocolID: WakuNode.reconciliationProtocol) { stream in
            let index = Self.index(items)
            var session = ReconciliationSession(role: .responder, configuration: .init())
            while let bytes = try await stream.readMessage(maxSize: 1 << 24, timeout: .seconds(10)) {
                switch try session.receive(bytes, index: index) {
                case .finish:
                    await stream.close()
                    return
                case .reply(let reply):
                    try await stream.writeMessage(reply)
                case .replyAndFinish(let reply):
                    try await stream.writeMessage(reply)
                    await stream.close()
                    return
                }
            }
            await stream.close()
        }
    }

    /// An index holding `items`: each message's own hash, stamped `timestamp` when given (a lie
    /// about when it was sent), else its own timestamp.
    static func index(_ items: [(payload: TransferPayload, timestamp: Int64?)]) -> SyncIndex {
        let index = SyncIndex()
        for (payload, timestamp) in items {
            let id = SyncID(timestamp: timestamp ?? payload.message.timestamp, hash: Self.hash(payload))
            index.insert(id, pubsubTopic: payload.pubsubTopic, contentTopic: payload.message.contentTopic)
        }
        return index
    }

    static func hash(_ payload: TransferPayload) -> MessageHash {
        payload.message.hash(pubsubTopic: payload.pubsubTopic)
    }

    /// One message on `pubsubTopic` and `contentTopic` stamped `timestamp`, distinct per `tag`.
    static func message(
        _ tag: String,
        at timestamp: Int64,
        pubsubTopic: String = Self.shard0,
        contentTopic: String = "/wakusync/1/test/proto",
        padding: Int = 0
    ) -> TransferPayload {
        TransferPayload(
            pubsubTopic: pubsubTopic,
            message: WakuMessage(
                payload: Array(tag.utf8) + Array(repeating: 0x2e, count: padding),
                contentTopic: contentTopic,
                timestamp: timestamp
            )
        )
    }

    /// A Store entry for `payload` under its own hash (or `claimed`).
    static func entry(_ payload: TransferPayload, claimed: MessageHash? = nil) -> WakuMessageKeyValue {
        WakuMessageKeyValue(
            messageHash: claimed ?? Self.hash(payload),
            message: payload.message,
            pubsubTopic: payload.pubsubTopic
        )
    }

    /// Sends one Store query from `host` to `peer` and returns the response.
    static func query(
        _ request: StoreQueryRequest,
        from host: Libp2pHost,
        to peer: PeerID
    ) async throws -> StoreQueryResponse {
        let stream = try await host.openStream(to: peer, protocolID: WakuNode.storeProtocol, timeout: .seconds(10))
        try await stream.writeMessage(request.serialized())
        let reply = try #require(try await stream.readMessage(maxSize: 1 << 24, timeout: .seconds(30)))
        await stream.close()
        return try StoreQueryResponse(serialized: reply)
    }

    /// A Store query for everything, one page of up to 20.
    static func anyQuery(_ number: Int) -> StoreQueryRequest {
        StoreQueryRequest(requestID: "q\(number)", includeData: true, paginationForward: true, paginationLimit: 20)
    }
}
