package import Libp2p
internal import NodeEvents
internal import WakuArchive
package import WakuCore

extension WakuNode {
    /// Answers one Store v3 query from the archive (PROTOCOLS.md §3): one request and one
    /// response per stream.
    func serveStore(_ stream: Libp2pStream) async throws {
        let started = ContinuousClock.now
        guard let bytes = try await stream.readMessage(maxSize: Self.storeRequestLimit, timeout: .seconds(10)) else {
            return
        }
        let response: StoreQueryResponse
        do {
            response = await self.archive.query(try StoreQueryRequest(serialized: bytes))
        } catch {
            response = .decodingFailed(error)
        }
        try await stream.writeMessage(response.serialized())
        await stream.close()
        self.events.emit(
            .storeServed(
                StoreServed(
                    peerID: stream.peerID.description,
                    status: response.statusCode.rawValue,
                    messages: response.messages.count,
                    duration: ContinuousClock.now - started
                )
            )
        )
    }

    /// Sends one Store query to `peer` and returns its response.
    package func query(_ request: StoreQueryRequest, peer: PeerID) async throws -> StoreQueryResponse {
        let stream = try await self.host.openStream(to: peer, protocolID: Self.storeProtocol, timeout: .seconds(10))
        do {
            try await stream.writeMessage(request.serialized())
            guard let bytes = try await stream.readMessage(maxSize: Self.storeResponseLimit, timeout: .seconds(30))
            else {
                throw NodeError("the store peer closed the stream without answering")
            }
            await stream.close()
            return try StoreQueryResponse(serialized: bytes)
        } catch {
            stream.reset()
            throw error
        }
    }

    /// Fetches, with Store hash queries of at most 50 hashes (PROTOCOLS.md §3.6, §8 #20), what
    /// reconciliation found we lack from `peer` and has not arrived within `grace`.
    func fetch(from peer: PeerID, grace: Duration) async {
        let peerText = peer.description
        for batch in await self.engine.dueForFetch(from: peerText, grace: grace) {
            let request = StoreQueryRequest(
                requestID: Self.requestID(),
                includeData: true,
                messageHashes: batch,
                paginationForward: true,
                paginationLimit: UInt64(batch.count)
            )
            let response: StoreQueryResponse
            do {
                response = try await self.query(request, peer: peer)
            } catch {
                await self.engine.markUnavailable(batch, from: peerText)
                self.events.emit(
                    .notice(
                        Notice(.warning, "fetching missing messages failed: \(Self.describe(error))", peerID: peerText)
                    )
                )
                return
            }
            guard response.statusCode.isSuccess else {
                await self.engine.markUnavailable(batch, from: peerText)
                self.events.emit(
                    .notice(
                        Notice(
                            .warning,
                            "fetch refused: \(response.statusCode) \(response.statusDesc)",
                            peerID: peerText
                        )
                    )
                )
                continue
            }
            let requested = Set(batch)
            var found: [SyncEngine.Incoming] = []
            for entry in response.messages {
                // Only what we asked for, and only if the message really has that hash.
                guard requested.contains(entry.messageHash), let message = entry.message, let topic = entry.pubsubTopic,
                    message.hash(pubsubTopic: topic) == entry.messageHash
                else { continue }
                found.append(
                    SyncEngine.Incoming(
                        pubsubTopic: topic,
                        message: message,
                        hash: entry.messageHash,
                        source: .fetch,
                        peer: peerText
                    )
                )
            }
            if !found.isEmpty { await self.engine.store(found) }
            let delivered = Set(found.map(\.hash))
            await self.engine.markUnavailable(batch.filter { !delivered.contains($0) }, from: peerText)
        }
    }

    /// A random request id, as nwaku's client makes them.
    static func requestID() -> String {
        (0..<16).map { _ in String(UInt8.random(in: 0...255), radix: 16) }.joined()
    }
}
