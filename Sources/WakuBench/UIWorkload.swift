internal import NodeEvents
internal import WakuCore

/// A deterministic stand-in for a busy node's event stream, for `bench ui`: a dozen peers,
/// sessions of several rounds with full range summaries, transfer queues, stored batches over
/// many topics, archive snapshots, peer updates and notices.
struct UIWorkload {
    private static let second: Int64 = 1_000_000_000

    private var random: SeededRandom
    private let peers: [String]
    private var nextSession: UInt64 = 1
    /// Live sessions by peer index: id and rounds so far.
    private var live: [Int: (id: SessionID, rounds: Int)] = [:]
    private var stored = 0
    private var snapshots: [PeerSnapshot]

    init(seed: UInt64, peerCount: Int = 12) {
        var random = SeededRandom(seed: seed)
        let alphabet = Array("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz")
        self.peers = (0..<peerCount).map { _ in
            "16Uiu2HAm" + String((0..<44).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] })
        }
        self.random = random
        self.snapshots = self.peers.enumerated().map { index, id in
            var peer = PeerSnapshot(peerID: id, state: index % 7 == 6 ? .backingOff : .connected)
            peer.address = "/ip4/10.0.\(index / 250).\(index % 250 + 1)/tcp/60000"
            peer.direction = index % 2 == 0 ? .outbound : .inbound
            peer.protocols = [
                "/vac/waku/reconciliation/1.0.0", "/vac/waku/transfer/1.0.0", "/vac/waku/store-query/3.0.0",
            ]
            peer.agentVersion = index % 3 == 0 ? "nwaku/v0.36.0" : "wakusync/0.1.0"
            peer.clusterID = 1
            peer.shards = [0, 1, 2]
            peer.roundTripTime = .microseconds(300 + 97 * index)
            return peer
        }
    }

    /// The events a node sends when it starts: itself, its peers, a resume under way.
    func opening(at now: Int64) -> [NodeEvent] {
        let info = NodeInfo(
            name: "bench",
            peerID: "16Uiu2HAmBenchBenchBenchBenchBenchBenchBenchBenchBench",
            listenAddresses: ["/ip4/127.0.0.1/tcp/60000/p2p/16Uiu2HAmBenchBenchBenchBenchBenchBenchBenchBenchBench"],
            clusterID: 1,
            shards: [0, 1, 2],
            pubsubTopics: [],
            contentTopics: [],
            agentVersion: "wakusync/bench",
            strategy: "balanced",
            syncInterval: .seconds(300),
            syncRange: .seconds(3600),
            syncJitter: .seconds(20),
            startedAt: now - 3600 * Self.second
        )
        let resume = ResumeProgress(
            state: .running,
            peerID: self.peers[0],
            windowStart: now - 6 * 3600 * Self.second,
            windowEnd: now - 3600 * Self.second,
            pages: 10,
            messages: 1000,
            coveredUntil: now - 4 * 3600 * Self.second,
            startedAt: now - 60 * Self.second
        )
        return [.started(info), .resume(resume), .nextSync(at: now + 300 * Self.second)]
            + self.snapshots.map(NodeEvent.peerUpdated)
    }

    /// The next event, arriving at `now`.
    mutating func next(at now: Int64) -> NodeEvent {
        let roll = self.random.next() % 100
        let peer = Int(self.random.next() % UInt64(self.peers.count))
        switch roll {
        case 0..<40: return self.storedBatch()
        case 40..<62: return self.transfer(peer: peer, at: now)
        case 62..<88: return self.sessionStep(peer: peer, at: now)
        case 88..<95: return self.peerUpdate(peer: peer, at: now)
        case 95..<98:
            return .archive(
                ArchiveSnapshot(
                    messages: 500_000 + self.stored,
                    bytes: (500_000 + self.stored) * 1100,
                    oldest: now - 172_800 * Self.second,
                    newest: now,
                    syncIndexItems: 40_000
                )
            )
        default:
            return .notice(Notice(.warning, "peer sent a range outside the window", peerID: self.peers[peer]))
        }
    }

    private mutating func storedBatch() -> NodeEvent {
        let inserted = Int(self.random.next() % 20) + 1
        self.stored += inserted
        let source = MessageSource.allCases[Int(self.random.next() % UInt64(MessageSource.allCases.count))]
        let topic = "/bench/1/topic-\(self.random.next() % 40)/proto"
        return .stored(
            StoredBatch(
                source: source,
                peerID: nil,
                inserted: inserted,
                duplicates: Int(self.random.next() % 2),
                byPubsubTopic: ["/waku/2/rs/1/0": inserted],
                byContentTopic: [topic: inserted]
            )
        )
    }

    private mutating func transfer(peer: Int, at now: Int64) -> NodeEvent {
        var queue = TransferQueue(peerID: self.peers[peer])
        queue.weNeedPending = Int(self.random.next() % 500)
        queue.received = Int(self.random.next() % 5000)
        queue.fetched = Int(self.random.next() % 100)
        queue.theyNeedPending = Int(self.random.next() % 50)
        queue.sent = Int(self.random.next() % 3000)
        queue.newestWeNeed = (0..<5).map { offset in
            PendingHash(hash: String(repeating: "ab", count: 32), timestamp: now - Int64(offset) * Self.second)
        }
        queue.newestTheyNeed = queue.newestWeNeed
        return .transfer(queue)
    }

    /// Starts a session with the peer, adds a round, or ends it after a few rounds.
    private mutating func sessionStep(peer: Int, at now: Int64) -> NodeEvent {
        guard let session = self.live[peer] else {
            let id = SessionID(self.nextSession)
            self.nextSession += 1
            self.live[peer] = (id, 0)
            return .sessionStarted(
                SessionStart(
                    id: id,
                    peerID: self.peers[peer],
                    role: peer % 2 == 0 ? .initiator : .responder,
                    windowStart: now - 3600 * Self.second,
                    windowEnd: now,
                    strategy: "balanced",
                    startedAt: now
                )
            )
        }
        if session.rounds >= 6 {
            self.live[peer] = nil
            return .sessionEnded(
                SessionEnd(
                    id: session.id,
                    peerID: self.peers[peer],
                    role: .initiator,
                    outcome: .reconciled,
                    rounds: session.rounds,
                    bytesSent: 40_000,
                    bytesReceived: 38_000,
                    weNeed: 12,
                    theyNeed: 7,
                    duration: .milliseconds(180),
                    strategy: "balanced",
                    endedAt: now
                )
            )
        }
        self.live[peer] = (session.id, session.rounds + 1)
        let step: Int64 = 3600 * Self.second / 64
        let start: Int64 = now - 3600 * Self.second
        let ranges = (0..<64).map { (index: Int) -> RangeSummary in
            let lower = start + Int64(index) * step
            let isItemSet = index % 3 == 0
            return RangeSummary(
                lower: lower,
                upper: lower + step,
                kind: isItemSet ? .itemSet : .fingerprint,
                items: isItemSet ? 4 : 0
            )
        }
        let tally = RangeTally(skip: 0, fingerprint: 42, itemSet: 22, items: 88)
        return .sessionRound(
            SessionRound(
                id: session.id,
                peerID: self.peers[peer],
                number: session.rounds + 1,
                bytesReceived: 2_400,
                bytesSent: 2_100,
                received: tally,
                sent: tally,
                receivedRanges: ranges,
                sentRanges: ranges,
                itemsCompared: 88,
                newTheyNeed: 1,
                newWeNeed: 2
            )
        )
    }

    private mutating func peerUpdate(peer: Int, at now: Int64) -> NodeEvent {
        self.snapshots[peer].lastSyncAt = now
        self.snapshots[peer].lastSyncOutcome = "reconciled"
        self.snapshots[peer].sessionsCompleted += 1
        self.snapshots[peer].differencesWeNeeded += 2
        self.snapshots[peer].messagesReceived += 3
        return .peerUpdated(self.snapshots[peer])
    }
}
