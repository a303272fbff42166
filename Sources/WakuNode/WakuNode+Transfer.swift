internal import Libp2p
internal import NodeEvents
internal import WakuCore

extension WakuNode {
    /// Pushes what `peer` lacks and accounts for it in the queues and events.
    func push(_ hashes: [MessageHash], to peer: PeerID) async {
        let report = await self.sender.push(hashes, to: peer)
        let peerText = peer.description
        await self.engine.recordPushes(report.sent, abandoned: report.missing + report.oversized, to: peerText)
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
            await self.peers.change(peerText) { $0.messagesSent += report.sent.count }
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
    }

    /// What the transfer reader hands to the writer: a message to store, or a refusal to count.
    enum TransferItem: Sendable {
        case accepted(SyncEngine.Incoming, bytes: Int)
        case rejected(TransferRejection, bytes: Int)
        case held(bytes: Int)
    }

    /// Reads pushed messages until the peer closes the stream; stores those the transfer gate
    /// accepts (PROTOCOLS.md §5.2) and counts the rest by reason.
    ///
    /// Reading and storing run side by side: while one batch is written, the next accumulates,
    /// and the counts are reported after every batch (nwaku keeps its stream open for minutes, so
    /// waiting for the end would report nothing).
    func receiveTransfer(_ stream: Libp2pStream) async throws {
        let peer = stream.peerID.description
        let queue = BatchQueue<TransferItem>(limit: 2_000)
        await withDiscardingTaskGroup { group in
            group.addTask { await self.absorbAll(from: queue, peer: peer) }
            do {
                while let frame = try await stream.readMessage(
                    maxSize: MessageLimits.maxMessageSize,
                    timeout: .seconds(300)
                ) {
                    await queue.add(await self.judge(frame, from: peer))
                }
            } catch {
                self.events.emit(.notice(Notice(.info, "transfer stream ended: \(Self.describe(error))", peerID: peer)))
            }
            await queue.finish()
        }
        await stream.close()
    }

    private func judge(_ frame: [UInt8], from peer: String) async -> TransferItem {
        let payload: TransferPayload
        do {
            payload = try TransferPayload(serialized: frame)
        } catch {
            return .rejected(.malformed, bytes: frame.count)
        }
        let (verdict, hash) = await self.engine.admit(payload, from: peer)
        switch verdict {
        case .accept:
            let incoming = SyncEngine.Incoming(
                pubsubTopic: payload.pubsubTopic,
                message: payload.message,
                hash: hash,
                source: .sync,
                peer: peer
            )
            return .accepted(incoming, bytes: frame.count)
        case .hold:
            return .held(bytes: frame.count)
        case .reject(let reason):
            return .rejected(reason, bytes: frame.count)
        }
    }

    /// What the transfer writer reports, accumulated between reports.
    private struct TransferTally {
        var messages = 0
        var bytes = 0
        var rejected: [TransferRejection: Int] = [:]
    }

    /// Stores accepted pushes batch by batch; reports counts at most every 250 ms and whenever
    /// the stream goes quiet, so a flood costs a few events, not three per message.
    private func absorbAll(from queue: BatchQueue<TransferItem>, peer: String) async {
        var tally = TransferTally()
        var lastReport = ContinuousClock.now
        while let batch = await queue.next(waitingAtMost: .milliseconds(200)) {
            var messages: [SyncEngine.Incoming] = []
            for item in batch {
                switch item {
                case .accepted(let incoming, let size):
                    messages.append(incoming)
                    tally.bytes += size
                case .rejected(let reason, let size):
                    tally.rejected[reason, default: 0] += 1
                    tally.bytes += size
                case .held(let size):
                    tally.bytes += size
                }
            }
            tally.messages += batch.count
            if !messages.isEmpty { await self.engine.store(messages) }
            if tally.messages > 0 && (batch.isEmpty || ContinuousClock.now - lastReport >= .milliseconds(250)) {
                await self.report(tally, from: peer)
                tally = TransferTally()
                lastReport = ContinuousClock.now
            }
        }
        if tally.messages > 0 { await self.report(tally, from: peer) }
    }

    private func report(_ tally: TransferTally, from peer: String) async {
        self.events.emit(
            .transferred(
                TransferTraffic(peerID: peer, direction: .received, messages: tally.messages, bytes: tally.bytes)
            )
        )
        await self.peers.change(peer) { $0.messagesReceived += tally.messages }
        for (reason, count) in tally.rejected.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            self.events.emit(.transferRejected(peerID: peer, reason: reason, count: count))
        }
    }
}
