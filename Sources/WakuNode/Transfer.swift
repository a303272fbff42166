internal import Libp2p
internal import NodeEvents
internal import WakuArchive
internal import WakuCore

/// Transfer (`/vac/waku/transfer/1.0.0`, PROTOCOLS.md §5): receiving the messages peers push to
/// us, and pushing them what they lack.
///
/// Received frames are decoded and hashed in the stream's own task and handed to the engine a
/// batch at a time; the engine's gate and acceptance rule decide, and its bounded ingest buffer
/// slows a fast sender down (so does the stream's flow-control window behind it).
final class Transfer: Sendable {
    package static let protocolID = "/vac/waku/transfer/1.0.0"

    private let engine: SyncEngine
    private let events: EventHub
    private let peers: PeerManager
    private let sender: TransferSender
    private let frameLimit: Int

    /// Frames decoded before they go to the engine together.
    static let batchCount = 256
    static let batchBytes = 2 << 20

    init(
        host: Libp2pHost,
        archive: any MessageArchive,
        engine: SyncEngine,
        events: EventHub,
        peers: PeerManager,
        configuration: NodeConfiguration
    ) {
        self.engine = engine
        self.events = events
        self.peers = peers
        self.sender = TransferSender(host: host, archive: archive)
        // nwaku reads frames of up to its `--max-msg-size` (§5.2); a frame also carries the pubsub
        // topic, which the message's own size limit does not count.
        self.frameLimit = configuration.maxMessageSize + 1_024
    }

    // MARK: - Receiving

    /// Reads pushed messages until the peer closes the stream; counts what was stored and what
    /// was refused, by reason, at most every 250 ms (nwaku keeps its stream open for minutes).
    func receive(_ stream: Libp2pStream) async throws {
        let peer = stream.peerID
        var tally = TransferTally()
        var lastReport = ContinuousClock.now
        do {
            while let frames = try await stream.readMessages(
                maxCount: Self.batchCount,
                maxBytes: Self.batchBytes,
                maxSize: self.frameLimit,
                timeout: .seconds(300)
            ) {
                var batch: [IncomingMessage] = []
                batch.reserveCapacity(frames.count)
                for frame in frames {
                    tally.messages += 1
                    tally.bytes += frame.count
                    guard let payload = try? TransferPayload(serialized: frame, maxSize: self.frameLimit) else {
                        tally.report.reject(.malformed)
                        continue
                    }
                    batch.append(IncomingMessage(pubsubTopic: payload.pubsubTopic, message: payload.message))
                }
                tally.report += await self.engine.ingest(batch, via: .transfer(peer))
                if ContinuousClock.now - lastReport >= .milliseconds(250) {
                    await self.flush(&tally, from: peer)
                    lastReport = ContinuousClock.now
                }
            }
        } catch {
            self.events.emit(
                .notice(Notice(.info, "transfer stream ended: \(WakuNode.describe(error))", peerID: peer.description))
            )
        }
        await self.flush(&tally, from: peer)
        await stream.close()
    }

    /// What the receiver reports, accumulated between reports.
    private struct TransferTally {
        var messages = 0
        var bytes = 0
        var report = IngestReport()
    }

    private func flush(_ tally: inout TransferTally, from peer: PeerID) async {
        guard tally.messages > 0 else { return }
        self.events.emit(
            .transferred(
                TransferTraffic(
                    peerID: peer.description,
                    direction: .received,
                    messages: tally.messages,
                    bytes: tally.bytes
                )
            )
        )
        let received = tally.messages
        await self.peers.change(peer) { $0.messagesReceived += received }
        self.events.reportRejections(tally.report, source: .sync, peer: peer)
        tally = TransferTally()
    }

    // MARK: - Pushing

    /// Pushes what `peer` lacks and accounts for it in the queues and events.
    func push(_ hashes: [MessageHash], to peer: PeerID) async {
        await self.pushReporting(hashes, to: peer)
    }

    /// ``push(_:to:)``, saying what was sent (the archive audit confirms it with Store queries).
    @discardableResult
    func pushReporting(_ hashes: [MessageHash], to peer: PeerID) async -> TransferSender.Report {
        let report = await self.sender.push(hashes, to: peer)
        let peerText = peer.description
        await self.engine.recordPushes(report.sent, abandoned: report.missing + report.oversized, to: peer)
        if !report.sent.isEmpty {
            self.events.emit(
                .transferred(
                    TransferTraffic(
                        peerID: peerText,
                        direction: .sent,
                        messages: report.sent.count,
                        bytes: report.bytes
                    )
                )
            )
            let sent = report.sent.count
            await self.peers.change(peer) { $0.messagesSent += sent }
        }
        if !report.missing.isEmpty {
            self.events.emit(
                .notice(
                    Notice(
                        .warning,
                        "\(report.missing.count) messages to push are no longer in the archive",
                        peerID: peerText
                    )
                )
            )
        }
        if !report.oversized.isEmpty {
            self.events.emit(
                .notice(
                    Notice(
                        .warning,
                        "\(report.oversized.count) messages exceed the 150 KiB transfer limit",
                        peerID: peerText
                    )
                )
            )
        }
        if let failure = report.failure {
            self.events.emit(.notice(Notice(.warning, "pushing messages failed: \(failure)", peerID: peerText)))
        }
        return report
    }

    /// Closes every outbound stream (at shutdown).
    func closeAll() async {
        await self.sender.closeAll()
    }

    /// The peer is gone: its outbound stream goes too.
    func forget(_ peer: PeerID) async {
        await self.sender.forget(peer)
    }
}
