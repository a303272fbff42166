internal import Libp2p
internal import NodeEvents
internal import WakuCore

/// Waku metadata (`/vac/waku/metadata/1.0.0`, PROTOCOLS.md §7.8): we answer with our cluster and
/// shards, and ask every new peer for its own. A peer of another cluster, or one that will not say
/// (it refuses the protocol, answers nothing, or answers garbage), is disconnected, as nwaku
/// disconnects us in that case.
final class MetadataExchange: Sendable {
    package static let protocolID = "/vac/waku/metadata/1.0.0"
    /// Metadata messages are read up to this size, as nwaku does.
    static let messageLimit = 1_024

    private let host: Libp2pHost
    private let peers: PeerManager
    private let events: EventHub
    private let ours: MetadataMessage
    private let clusterID: UInt16

    init(host: Libp2pHost, peers: PeerManager, events: EventHub, configuration: NodeConfiguration) {
        self.host = host
        self.peers = peers
        self.events = events
        self.clusterID = configuration.clusterID
        self.ours = MetadataMessage(
            clusterID: UInt32(configuration.clusterID),
            shards: configuration.shards.map(UInt32.init)
        )
    }

    /// Answers a metadata request with our cluster and shards.
    func serve(_ stream: Libp2pStream) async throws {
        guard let request = try await stream.readMessage(maxSize: Self.messageLimit, timeout: .seconds(10)) else {
            return
        }
        let theirs = try? MetadataMessage(serialized: request)
        try await stream.writeMessage(self.ours.serialized())
        await stream.close()
        if let theirs { await self.record(theirs, of: stream.peerID) }
    }

    /// Asks a new peer for its cluster and shards; disconnects it when it is of another cluster or
    /// cannot tell.
    func exchange(with peer: PeerID) async {
        let reason: String
        do {
            let theirs = try await self.request(from: peer)
            await self.record(theirs, of: peer)
            guard theirs.clusterID == UInt32(self.clusterID) else {
                reason =
                    "cluster \(theirs.clusterID.map(String.init) ?? "missing") differs from ours (\(self.clusterID))"
                await self.disconnect(peer, reason: reason)
                return
            }
        } catch {
            await self.disconnect(peer, reason: "metadata: \(WakuNode.describe(error))")
        }
    }

    private func request(from peer: PeerID) async throws -> MetadataMessage {
        let stream = try await self.host.openStream(to: peer, protocolID: Self.protocolID, timeout: .seconds(10))
        do {
            try await stream.writeMessage(self.ours.serialized())
            let reply = try await stream.readMessage(maxSize: Self.messageLimit, timeout: .seconds(10))
            await stream.close()
            guard let reply else { throw NodeError("the peer closed metadata without answering") }
            return try MetadataMessage(serialized: reply)
        } catch {
            stream.reset()
            throw error
        }
    }

    private func record(_ theirs: MetadataMessage, of peer: PeerID) async {
        await self.peers.change(peer) {
            $0.clusterID = theirs.clusterID.map { UInt16(truncatingIfNeeded: $0) }
            $0.shards = theirs.shards.map { UInt16(truncatingIfNeeded: $0) }
        }
    }

    private func disconnect(_ peer: PeerID, reason: String) async {
        self.events.emit(.notice(Notice(.warning, "disconnecting: \(reason)", peerID: peer.description)))
        await self.peers.change(peer) { $0.lastError = reason }
        await self.host.disconnect(peer)
    }
}
