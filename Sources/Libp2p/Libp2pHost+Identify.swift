internal import NIOCore

extension Libp2pHost {
    /// The protocol ID of ping.
    package static let pingProtocolID = "/ipfs/ping/1.0.0"
    private static let pingSize = 32

    /// Measures the round trip of one 32-byte ping (`/ipfs/ping/1.0.0`, PROTOCOLS.md §7.7).
    ///
    /// - Throws: ``Libp2pError`` `notConnected`, `timeout`, or `protocolViolation` when the echo differs.
    package func ping(_ peer: PeerID, timeout: Duration = .seconds(10)) async throws -> Duration {
        let stream = try await self.openStream(to: peer, protocolID: Self.pingProtocolID, timeout: timeout)
        var generator = SystemRandomNumberGenerator()
        let payload = (0..<Self.pingSize).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let clock = ContinuousClock()
        let start = clock.now
        do {
            try await stream.write(payload)
            let echo = try await stream.readExactly(Self.pingSize, timeout: timeout)
            let elapsed = clock.now - start
            guard echo == payload else { throw Libp2pError(.protocolViolation, "ping echo differs from what we sent") }
            await stream.close()
            return elapsed
        } catch {
            stream.reset()
            throw error
        }
    }

    nonisolated func registerBuiltIns() {
        self.register(protocolID: IdentifyInfo.protocolID) { [weak self] stream in
            guard let self else { return }
            let info = await self.ourIdentify(observed: stream.remoteAddress)
            try await stream.writeMessage(info.encoded)
        }
        self.register(protocolID: Self.pingProtocolID) { stream in
            // Echo 32-byte pings until the dialer closes its side.
            while let ping = try await Libp2pStream.take(
                stream.raw,
                deadline: .now() + TimeAmount(.seconds(60)),
                { buffer throws(Libp2pError) in try buffer.takeExactly(Self.pingSize) }
            ) {
                try await stream.write(ping)
            }
        }
    }

    /// Asks the peer of `connection` for its identify record, checks its key, stores it and reports it.
    nonisolated func identify(_ connection: Connection) async {
        let peer = connection.peerID
        do {
            let stream = try await self.openStream(on: connection, protocolID: IdentifyInfo.protocolID, timeout: nil)
            guard let message = try await stream.readMessage(maxSize: IdentifyInfo.maximumSize) else {
                stream.reset()
                throw Libp2pError(.malformedFrame, "peer closed identify without a message")
            }
            await stream.close()
            let info = try IdentifyInfo(decoding: message)
            guard let key = info.publicKey else {
                throw Libp2pError(.invalidKey, "identify message lacks the public key")
            }
            guard PeerID(publicKey: key) == peer else {
                throw Libp2pError(.peerIDMismatch, "identify key belongs to \(PeerID(publicKey: key)), not \(peer)")
            }
            await self.store(info, for: connection)
        } catch {
            let failure = error as? Libp2pError ?? Libp2pError(.connectionClosed, "\(error)")
            self.eventSink.yield(.identifyFailed(peer, failure))
        }
    }

    private func store(_ info: IdentifyInfo, for connection: Connection) {
        guard self.connections[connection.peerID]?.contains(where: { $0 === connection }) == true else { return }
        self.identified[connection.peerID] = info
        self.eventSink.yield(.identified(connection.peerID, info))
    }

    private func ourIdentify(observed: Multiaddr?) -> IdentifyInfo {
        IdentifyInfo(
            publicKey: self.key.publicKey,
            listenAddresses: self.listenAddressesWithPeerID.map(\.withoutPeerID),
            protocols: self.configuration.identifyProtocols
                ?? self.registeredProtocols.filter { !self.configuration.unannouncedProtocols.contains($0) },
            observedAddress: observed,
            protocolVersion: self.configuration.protocolVersion,
            agentVersion: self.configuration.agentVersion
        )
    }
}
