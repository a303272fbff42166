internal import Libp2p
internal import NodeEvents
internal import WakuCore

extension WakuNode {
    /// Carries out an observer's command.
    func handle(_ command: NodeCommand) async {
        switch command {
        case .forceSync(let peer?):
            if await self.synchronize(with: peer) == nil {
                self.events.emit(
                    .notice(Notice(.info, "sync not started: the peer is paused, busy or unknown", peerID: peer))
                )
            }
        case .forceSync(nil):
            let candidates = PeerChoice.eligible(await self.peers.snapshots, busy: await self.engine.busyPeers)
            for peer in candidates { self.workSink.yield(.sync(peerID: peer.peerID)) }
        case .pause(let peer):
            await self.peers.change(peer) { $0.isPaused = true }
        case .unpause(let peer):
            await self.peers.change(peer) { $0.isPaused = false }
        case .startResume:
            await self.resume(waitingForPeers: false)
        case .addPeer(let text):
            do {
                let address = try Multiaddr(parsing: text)
                await self.peers.addStatic(address)
                await self.dialStatic(address)
            } catch {
                self.events.emit(.notice(Notice(.warning, "cannot add peer '\(text)': \(Self.describe(error))")))
            }
        case .disconnect(let peer):
            guard let peerID = try? PeerID(parsing: peer) else { return }
            await self.host.disconnect(peerID)
        }
    }

    /// Registers the Waku protocols; identify then announces exactly these (plus id and ping).
    /// The host keeps the handlers, so they hold the node weakly: a stopped node is freed.
    func registerHandlers() {
        let handlers: [(String, @Sendable (WakuNode, Libp2pStream) async throws -> Void)] = [
            (Self.metadataProtocol, { try await $0.serveMetadata($1) }),
            (Self.storeProtocol, { try await $0.serveStore($1) }),
            (Self.reconciliationProtocol, { try await $0.serveReconciliation($1) }),
            (Self.transferProtocol, { try await $0.receiveTransfer($1) }),
            (Self.auditProtocol, { try await $0.serveAudit($1) }),
        ]
        for (protocolID, serve) in handlers {
            self.host.register(protocolID: protocolID) { [weak self] stream in
                guard let self else { return stream.reset() }
                try await serve(self, stream)
            }
        }
    }

    /// Answers a metadata request with our cluster and shards (PROTOCOLS.md §7.8).
    func serveMetadata(_ stream: Libp2pStream) async throws {
        guard let request = try await stream.readMessage(maxSize: Self.metadataLimit, timeout: .seconds(10)) else {
            return
        }
        let theirs = try? MetadataMessage(serialized: request)
        let ours = MetadataMessage(
            clusterID: UInt32(self.configuration.clusterID),
            shards: self.configuration.shards.map(UInt32.init)
        )
        try await stream.writeMessage(ours.serialized())
        await stream.close()
        if let theirs {
            await self.peers.change(stream.peerID.description) {
                $0.clusterID = theirs.clusterID.map { UInt16(truncatingIfNeeded: $0) }
                $0.shards = theirs.shards.map { UInt16(truncatingIfNeeded: $0) }
            }
        }
    }
}
