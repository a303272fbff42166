internal import NIOCore

extension Libp2pHost {
    /// Opens a stream to a connected peer and negotiates `protocolID` on it.
    ///
    /// - Throws: ``Libp2pError`` `notConnected` without a connection (dial first),
    ///   `negotiationFailed` when the peer does not serve the protocol, `timeout`, `limitReached`.
    package func openStream(to peer: PeerID, protocolID: String, timeout: Duration? = nil) async throws -> Libp2pStream
    {
        guard let connection = self.connections[peer]?.first(where: { $0.channel.isActive }) else {
            throw Libp2pError(.notConnected, "no connection to \(peer)")
        }
        return try await self.openStream(on: connection, protocolID: protocolID, timeout: timeout)
    }

    nonisolated func openStream(
        on connection: Connection,
        protocolID: String,
        timeout: Duration?
    ) async throws -> Libp2pStream {
        let deadline = NIODeadline.now() + TimeAmount(timeout ?? self.configuration.negotiationTimeout)
        let raw = try await connection.muxer.openStream()
        do {
            try await StreamNegotiation.select(protocolID, on: raw, deadline: deadline)
        } catch {
            connection.muxer.reset(raw.key)
            throw error
        }
        return self.stream(raw, protocolID: protocolID, connection: connection)
    }

    /// Negotiates an inbound stream and runs its protocol's handler.
    nonisolated func serve(_ raw: MuxedStream, on connection: Connection) async {
        let deadline = NIODeadline.now() + TimeAmount(self.configuration.negotiationTimeout)
        let protocolID: String
        do {
            protocolID = try await StreamNegotiation.accept(
                on: raw,
                supported: self.registeredProtocols,
                prefixes: self.prefixProtocols,
                deadline: deadline
            )
        } catch {
            connection.muxer.reset(raw.key)
            return
        }
        guard let handler = self.handler(for: protocolID) else {
            connection.muxer.reset(raw.key)
            return
        }
        let stream = self.stream(raw, protocolID: protocolID, connection: connection)
        do {
            try await handler(stream)
            await stream.close()
        } catch {
            stream.reset()
        }
    }

    private nonisolated func stream(_ raw: MuxedStream, protocolID: String, connection: Connection) -> Libp2pStream {
        Libp2pStream(
            raw: raw,
            protocolID: protocolID,
            connection: connection,
            readTimeout: self.configuration.readTimeout,
            maximumMessageSize: self.configuration.maximumMessageSize(for: protocolID)
        )
    }
}

extension Libp2pHost {
    /// The muxer negotiated on the connection to `peer`, if connected.
    package func muxer(of peer: PeerID) -> Muxer? {
        self.connections[peer]?.first?.muxerProtocol
    }
}
