internal import Libp2p
internal import WakuArchive
internal import WakuCore

/// Pushes messages a peer lacks over one outbound transfer stream per peer, opened on first use
/// and reopened when a write fails (PROTOCOLS.md §5.2). Messages are read from the archive in
/// batches, never one query per hash.
///
/// Pushes to one peer run one after the other (``PeerLane``): two sessions ending together must
/// not open two streams and lose the frames written to the one replaced.
actor TransferSender {
    private let host: Libp2pHost
    private let archive: any MessageArchive
    private var lanes: [PeerID: PeerLane] = [:]

    /// Hashes per archive lookup.
    static let lookupBatch = 100

    init(host: Libp2pHost, archive: any MessageArchive) {
        self.host = host
        self.archive = archive
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

    /// Pushes the messages with `hashes` to `peer`, after any push to it still running.
    func push(_ hashes: [MessageHash], to peer: PeerID) async -> Report {
        let lane = self.lanes[peer] ?? PeerLane(host: self.host, peer: peer)
        self.lanes[peer] = lane
        return await lane.push(hashes, from: self.archive)
    }

    /// Drops the peer's lane once it has no push running.
    func forget(_ peer: PeerID) async {
        guard let lane = self.lanes.removeValue(forKey: peer) else { return }
        await lane.close()
    }

    /// Closes every outbound stream (at shutdown).
    func closeAll() async {
        for lane in self.lanes.values { await lane.close() }
        self.lanes.removeAll()
    }
}

/// The pushes to one peer, in order, over its one stream.
actor PeerLane {
    private let host: Libp2pHost
    private let peer: PeerID
    private var stream: Libp2pStream?
    private var isBusy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(host: Libp2pHost, peer: PeerID) {
        self.host = host
        self.peer = peer
    }

    func push(_ hashes: [MessageHash], from archive: any MessageArchive) async -> TransferSender.Report {
        while self.isBusy { await withCheckedContinuation { self.waiting.append($0) } }
        self.isBusy = true
        defer {
            self.isBusy = false
            if !self.waiting.isEmpty { self.waiting.removeFirst().resume() }
        }
        var report = TransferSender.Report()
        for start in stride(from: 0, to: hashes.count, by: TransferSender.lookupBatch) {
            let chunk = Array(hashes[start..<min(start + TransferSender.lookupBatch, hashes.count)])
            let stored: [StoredMessage]
            do {
                stored = try await archive.messages(withHashes: chunk)
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
                    try await self.write(payload)
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
    private func write(_ payload: [UInt8]) async throws {
        if let stream = self.stream {
            do {
                try await stream.writeMessage(payload)
                return
            } catch {
                stream.reset()
                self.stream = nil
            }
        }
        let stream = try await self.host.openStream(
            to: self.peer,
            protocolID: Transfer.protocolID,
            timeout: .seconds(10)
        )
        self.stream = stream
        try await stream.writeMessage(payload)
    }

    func close() async {
        await self.stream?.close()
        self.stream = nil
    }
}
