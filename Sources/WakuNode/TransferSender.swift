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
        let chunks = stride(from: 0, to: hashes.count, by: TransferSender.lookupBatch).map {
            Array(hashes[$0..<min($0 + TransferSender.lookupBatch, hashes.count)])
        }
        // The next chunk is read from the archive while this one is encoded and written.
        let lookUp = { (chunk: [MessageHash]) in Task { try await archive.messages(withHashes: chunk) } }
        var next = chunks.first.map(lookUp)
        defer { next?.cancel() }
        for (index, chunk) in chunks.enumerated() {
            guard let pending = next else { break }
            let stored: [StoredMessage]
            do {
                stored = try await pending.value
            } catch {
                report.failure = "archive lookup failed: \(error)"
                return report
            }
            next = index + 1 < chunks.count ? lookUp(chunks[index + 1]) : nil
            let found = Set(stored.map(\.archived.hash))
            report.missing.append(contentsOf: chunk.filter { !found.contains($0) })
            // The chunk's frames go out in one write: one trip through Noise, the muxer and the
            // socket instead of one per message (the receiver reads frames, however they are cut).
            var frames: [[UInt8]] = []
            var pushed: [MessageHash] = []
            var payloadBytes = 0
            for message in stored {
                let payload = TransferPayload(
                    pubsubTopic: message.archived.pubsubTopic,
                    message: message.archived.message
                ).serialized()
                guard payload.count <= MessageLimits.maxMessageSize else {
                    report.oversized.append(message.archived.hash)
                    continue
                }
                frames.append(payload)
                pushed.append(message.archived.hash)
                payloadBytes += payload.count
            }
            guard !frames.isEmpty else { continue }
            do {
                try await self.write(frames)
            } catch {
                report.failure = WakuNode.describe(error)
                return report
            }
            report.sent += pushed
            report.bytes += payloadBytes
        }
        return report
    }

    /// Writes length-prefixed frames on the peer's stream, reopening it once if the old one
    /// failed.
    private func write(_ frames: [[UInt8]]) async throws {
        if let stream = self.stream {
            do {
                try await stream.writeMessages(frames)
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
        try await stream.writeMessages(frames)
    }

    func close() async {
        await self.stream?.close()
        self.stream = nil
    }
}
