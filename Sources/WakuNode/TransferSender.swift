internal import Libp2p
internal import NodeEvents
internal import WakuArchive
internal import WakuCore

/// Pushes messages a peer lacks over one outbound transfer stream per peer, opened on first use
/// and reopened when a write fails (PROTOCOLS.md §5.2). Messages are read from the archive in
/// batches, never one query per hash.
actor TransferSender {
    private let host: Libp2pHost
    private let archive: any MessageArchive
    private let events: EventHub
    private var streams: [PeerID: Libp2pStream] = [:]

    /// Hashes per archive lookup.
    static let lookupBatch = 100

    init(host: Libp2pHost, archive: any MessageArchive, events: EventHub) {
        self.host = host
        self.archive = archive
        self.events = events
    }

    /// What one push achieved.
    struct Report {
        var sent: [MessageHash] = []
        var bytes = 0
        /// Not in our archive any more (retention, or never stored): cannot be pushed.
        var missing: [MessageHash] = []
        /// Encoded larger than nwaku's 150 KiB frame limit: cannot be pushed.
        var oversized: [MessageHash] = []
        var failure: String?
    }

    /// Pushes the messages with `hashes` to `peer`.
    func push(_ hashes: [MessageHash], to peer: PeerID) async -> Report {
        var report = Report()
        for start in stride(from: 0, to: hashes.count, by: Self.lookupBatch) {
            let chunk = Array(hashes[start..<min(start + Self.lookupBatch, hashes.count)])
            let stored: [StoredMessage]
            do {
                stored = try await self.archive.messages(withHashes: chunk)
            } catch {
                report.failure = "archive lookup failed: \(error)"
                return report
            }
            let found = Set(stored.map(\.archived.hash))
            report.missing.append(contentsOf: chunk.filter { !found.contains($0) })
            for message in stored {
                let payload = TransferPayload(
                    pubsubTopic: message.archived.pubsubTopic,
                    message: message.archived.message
                ).serialized()
                guard payload.count <= MessageLimits.maxMessageSize else {
                    report.oversized.append(message.archived.hash)
                    continue
                }
                do {
                    try await self.write(payload, to: peer)
                } catch {
                    report.failure = WakuNode.describe(error)
                    return report
                }
                report.sent.append(message.archived.hash)
                report.bytes += payload.count
            }
        }
        return report
    }

    /// Writes on the peer's stream, reopening it once if the old one failed.
    private func write(_ payload: [UInt8], to peer: PeerID) async throws {
        if let stream = self.streams[peer] {
            do {
                try await stream.writeMessage(payload)
                return
            } catch {
                stream.reset()
                self.streams[peer] = nil
            }
        }
        let stream = try await self.host.openStream(
            to: peer,
            protocolID: WakuNode.transferProtocol,
            timeout: .seconds(10)
        )
        self.streams[peer] = stream
        try await stream.writeMessage(payload)
    }

    /// Closes every outbound stream (at shutdown).
    func closeAll() async {
        for stream in self.streams.values { await stream.close() }
        self.streams.removeAll()
    }
}
