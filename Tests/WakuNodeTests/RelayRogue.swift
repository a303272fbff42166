import Foundation
import Gossipsub
import Libp2p
import Synchronization
import Testing
import WakuCore
import WakuNode
import WakuTestSupport

/// A hand-driven relay peer on a real connection to a node: it reads the node's relay stream to
/// it and records every RPC that arrives, and writes raw RPC frames on a stream of its own.
final class RelayRogue: Sendable {
    /// What the node sent us on its relay streams, in arrival order.
    struct Received: Sendable {
        var frames = 0
        var messages: [RPC.Message] = []
        /// Every IHAVE's ids, one entry per IHAVE.
        var iHaves: [[[UInt8]]] = []
        var iWantIDs: [[UInt8]] = []
        var grafts: [String] = []
        var prunes: [String] = []
        var undecodable = 0
    }

    let host: Libp2pHost
    let node: WakuNode
    /// The node's peer id, as our host knows it.
    let nodeID: PeerID
    /// Our relay stream to the node, opened with a SUBSCRIBE to the topic.
    let stream: Libp2pStream
    private let log: FrameLog
    private let markers = Mutex(0)

    private init(host: Libp2pHost, node: WakuNode, nodeID: PeerID, stream: Libp2pStream, log: FrameLog) {
        self.host = host
        self.node = node
        self.nodeID = nodeID
        self.stream = stream
        self.log = log
    }

    /// Connects a rogue to `node`, subscribes it to `topic` and waits until the node knows it
    /// subscribed, then runs `body`; the host is shut down afterwards.
    static func with<T: Sendable>(
        _ node: WakuNode,
        topic: String = RelayTests.topic,
        _ body: @Sendable (RelayRogue) async throws -> T
    ) async throws -> T {
        try await RoguePeer.with { host in
            let log = FrameLog()
            host.register(protocolID: RelayHostileTests.relayID) { stream in
                // Drained without delay, as a node's writer expects; read until the node goes.
                while let frame = try await stream.readMessage(maxSize: 1 << 20, timeout: .seconds(300)) {
                    log.record(frame)
                }
            }
            let address = try Multiaddr(parsing: try #require(node.listenAddresses.first))
            let ownID = host.peerID.description
            let nodeID = try await NodeCluster.connected(to: node, by: { try await host.dial(address) }) { _ in ownID }
            let stream = try await host.openStream(to: nodeID, protocolID: RelayHostileTests.relayID)
            try await stream.writeMessage(RPC(subscriptions: [.init(subscribe: true, topic: topic)]).encoded())
            let rogue = RelayRogue(host: host, node: node, nodeID: nodeID, stream: stream, log: log)
            let known = try await NodeCluster.eventually {
                node.relayPeers(subscribedTo: topic).contains(host.peerID)
            }
            try #require(known, "the node never took the rogue's SUBSCRIBE")
            return try await body(rogue)
        }
    }

    /// The frames the node sent, decoded as they arrive.
    final class FrameLog: Sendable {
        let state = Mutex(Received())

        func record(_ frame: [UInt8]) {
            self.state.withLock { log in
                log.frames += 1
                guard let rpc = try? RPC(decoding: frame, limits: RPC.Limits()) else {
                    log.undecodable += 1
                    return
                }
                log.messages += rpc.messages
                guard let control = rpc.control else { return }
                log.iHaves += control.ihave.map(\.messageIDs)
                log.iWantIDs += control.iwant.flatMap(\.messageIDs)
                log.grafts += control.graft.map(\.topic)
                log.prunes += control.prune.map(\.topic)
            }
        }
    }

    /// Our peer id.
    var peerID: PeerID { self.host.peerID }

    /// Everything the node sent us so far.
    var received: Received { self.log.state.withLock { $0 } }

    /// Our score at the node, as of its last score update.
    var score: Double { self.node.relayScore(of: self.peerID) ?? 0 }

    /// Writes one RPC on our stream.
    func send(_ rpc: RPC) async throws {
        try await self.stream.writeMessage(rpc.encoded())
    }

    /// Writes one frame, whatever it holds, on our stream.
    func send(frame: [UInt8]) async throws {
        try await self.stream.writeMessage(frame)
    }

    /// Returns once the node has handled every frame we wrote before: a SUBSCRIBE to a made-up
    /// topic, then an UNSUBSCRIBE, each waited for (the node handles one stream's frames in order).
    func sync() async throws {
        let number = self.markers.withLock { count in
            count += 1
            return count
        }
        let topic = "/rogue/marker/\(number)"
        try await self.send(RPC(subscriptions: [.init(subscribe: true, topic: topic)]))
        let joined = try await NodeCluster.eventually {
            self.node.relayPeers(subscribedTo: topic).contains(self.peerID)
        }
        try #require(joined, "the node did not handle our frames")
        try await self.send(RPC(subscriptions: [.init(subscribe: false, topic: topic)]))
        let left = try await NodeCluster.eventually {
            !self.node.relayPeers(subscribedTo: topic).contains(self.peerID)
        }
        try #require(left, "the node did not handle our frames")
    }

    /// Whether the connection to the node is up.
    var isConnected: Bool {
        get async { await self.host.connectedPeers.contains(self.nodeID) }
    }

    /// Waits until the node has closed our connection; false after `timeout`.
    func disconnected(within timeout: Duration) async throws -> Bool {
        try await NodeCluster.eventually(timeout: timeout) { await !self.isConnected }
    }
}

extension SeededRandom {
    /// 32 random bytes, the size of a Waku message id.
    mutating func messageID() -> [UInt8] {
        (0..<4).flatMap { _ in withUnsafeBytes(of: self.next()) { Array($0) } }
    }
}
