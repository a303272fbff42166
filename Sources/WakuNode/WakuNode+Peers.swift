internal import Libp2p
internal import NodeEvents
internal import WakuCore

extension WakuNode {
    /// Turns host events into peer state, and asks every new peer for its Waku metadata.
    func followHostEvents() async {
        await withDiscardingTaskGroup { group in
            for await event in self.host.events {
                if case .connected(let peer, _, _) = event {
                    group.addTask { await self.exchangeMetadata(with: peer) }
                }
                await self.apply(event)
            }
        }
    }

    private func apply(_ event: HostEvent) async {
        switch event {
        case .connected(let peer, let address, let direction):
            await self.peers.connected(peer.description, address: address, direction: direction)
        case .identified(let peer, let identify):
            await self.peers.change(peer.description) {
                $0.protocols = identify.protocols.sorted()
                $0.agentVersion = identify.agentVersion
            }
        case .identifyFailed(let peer, let error):
            await self.peers.change(peer.description) { $0.lastError = "identify failed: \(error.detail)" }
        case .disconnected(let peer, let reason):
            await self.peers.disconnected(peer.description, reason: reason.detail, at: self.now())
        }
    }

    /// Requests the peer's cluster and shards; a peer of another cluster is dropped, as nwaku
    /// drops us in that case (PROTOCOLS.md §7.8).
    func exchangeMetadata(with peer: PeerID) async {
        let ours = MetadataMessage(
            clusterID: UInt32(self.configuration.clusterID),
            shards: self.configuration.shards.map(UInt32.init)
        )
        do {
            let stream = try await self.host.openStream(
                to: peer,
                protocolID: Self.metadataProtocol,
                timeout: .seconds(10)
            )
            let reply: [UInt8]?
            do {
                try await stream.writeMessage(ours.serialized())
                reply = try await stream.readMessage(maxSize: Self.metadataLimit, timeout: .seconds(10))
                await stream.close()
            } catch {
                stream.reset()
                throw error
            }
            guard let reply else { throw NodeError("the peer closed metadata without answering") }
            let theirs = try MetadataMessage(serialized: reply)
            await self.peers.change(peer.description) {
                $0.clusterID = theirs.clusterID.map { UInt16(truncatingIfNeeded: $0) }
                $0.shards = theirs.shards.map { UInt16(truncatingIfNeeded: $0) }
            }
            guard theirs.clusterID == UInt32(self.configuration.clusterID) else {
                let reason =
                    "cluster \(theirs.clusterID.map(String.init) ?? "missing") differs from ours (\(self.configuration.clusterID))"
                self.events.emit(.notice(Notice(.warning, "disconnecting: \(reason)", peerID: peer.description)))
                await self.peers.change(peer.description) { $0.lastError = reason }
                await self.host.disconnect(peer)
                return
            }
        } catch {
            // Peers without Waku metadata (plain libp2p nodes) stay connected; nwaku would drop them.
            await self.peers.change(peer.description) { $0.lastError = "metadata: \(Self.describe(error))" }
        }
    }

    /// Dials static peers when due, with exponential backoff after failures.
    func maintainStaticPeers() async {
        for address in self.configuration.staticPeers {
            if let parsed = try? Multiaddr(parsing: address) { await self.peers.addStatic(parsed) }
        }
        while !Task.isCancelled {
            for address in await self.peers.dueDials(at: self.now()) {
                await self.dialStatic(address)
            }
            do { try await self.clock.sleep(for: .milliseconds(500)) } catch { return }
        }
    }

    func dialStatic(_ address: Multiaddr) async {
        do {
            let peer = try await self.host.dial(address, timeout: .seconds(10))
            await self.peers.dialSucceeded(address, peer: peer.description)
        } catch {
            await self.peers.dialFailed(address, error: Self.describe(error), at: self.now())
        }
    }

    /// Pings connected peers every 10 s for the RTT column.
    func pingPeers() async {
        while !Task.isCancelled {
            for peer in await self.host.connectedPeers {
                if let rtt = try? await self.host.ping(peer, timeout: .seconds(5)) {
                    await self.peers.change(peer.description) { $0.roundTripTime = rtt }
                }
            }
            do { try await self.clock.sleep(for: .seconds(10)) } catch { return }
        }
    }

    /// A one-line description of any error for events and peer state.
    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as Libp2pError: "\(error.code.rawValue): \(error.detail)"
        case let error as CodecError: error.description
        default: "\(error)"
        }
    }
}

/// A failure of the node's own protocol logic, with a readable reason.
struct NodeError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
