package import Libp2p
internal import NIOPosix
internal import WakuCore
internal import WakuNode
package import WakuSync

/// A bare libp2p host standing in for a hostile or hand-driven peer.
package enum RoguePeer {
    /// A started host (metadata of cluster 0 answered) around `body`, shut down afterwards.
    package static func with<T: Sendable>(_ body: @Sendable (Libp2pHost) async throws -> T) async throws -> T {
        let host = try Libp2pHost(
            key: try PrivateKey.generate(),
            listenAddresses: [],
            configuration: HostConfiguration(agentVersion: "rogue/1"),
            group: MultiThreadedEventLoopGroup.singleton
        )
        // Speaks Waku metadata like any Waku peer, or the node would disconnect it at once.
        host.register(protocolID: WakuNode.metadataProtocol) { stream in
            _ = try await stream.readMessage(timeout: .seconds(10))
            try await stream.writeMessage(MetadataMessage(clusterID: 0, shards: []).serialized())
            await stream.close()
        }
        try await host.start()
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await host.run() }
            defer { group.cancelAll() }
            let result = try await body(host)
            await host.shutdown()
            return result
        }
    }

    /// Runs a whole session as initiator against `peer` over a real stream.
    package static func reconcile(
        _ host: Libp2pHost,
        with peer: PeerID,
        index: SyncIndex,
        from start: Int64,
        to end: Int64
    ) async throws -> ReconciliationSession {
        let stream = try await host.openStream(to: peer, protocolID: WakuNode.reconciliationProtocol)
        var session = ReconciliationSession(role: .initiator, configuration: .init())
        try await stream.writeMessage(session.start(from: start, to: end, index: index))
        reading: while let bytes = try await stream.readMessage(maxSize: 1 << 24, timeout: .seconds(10)) {
            switch try session.receive(bytes, index: index) {
            case .finish: break reading
            case .reply(let reply): try await stream.writeMessage(reply)
            case .replyAndFinish(let reply):
                try await stream.writeMessage(reply)
                break reading
            }
        }
        await stream.close()
        return session
    }
}
