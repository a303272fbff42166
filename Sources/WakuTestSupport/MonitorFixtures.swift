package import MonitorUI
package import NodeEvents

/// Fixed, readable monitor states for the UI's golden snapshots and tests: a five-node cluster
/// where node 1 is busy (two live sessions, a resume under way, a backlog of missing hashes, a
/// peer backing off, a failed session, warnings in the log).
package enum MonitorFixtures {
    /// The wall clock of every fixture: 2025-06-15 15:06:40 UTC.
    package static let now: Int64 = 1_750_000_000 * second
    /// Nanoseconds in a second.
    package static let second: Int64 = 1_000_000_000

    /// Peer IDs in the secp256k1 form nwaku uses (`16Uiu2HAm…`, 53 characters).
    package static let peerIDs = [
        "16Uiu2HAmJb2e28qLXxT5kZxVUUoJt72EMzNGXB47Rxx5hw3q5a1D",
        "16Uiu2HAmKPkWvJ3Q6WVeBrbCXDz9Cw3ZSEd5mi6rYdGAyuE4pH2k",
        "16Uiu2HAm7xyMfnRDcU5uQrD1nTGDWKUsbvpvGBqX4rtFspdSb3Ce",
        "16Uiu2HAmQEDkp3bXvXoEBdVpC7mcyPiqXjP8dT9qfVYW2uZv9Ytn",
        "16Uiu2HAmSxbzeL7u2QpSoi9jQpTxC3RPrqLvWNwEtnkAZ4x8Myk7",
        "16Uiu2HAmVHBMnYRqP1zyjHQXyw6qYGsvnj3kFA8tYNyHZHJ9dTWx",
    ]

    /// Content topics the stored batches use.
    package static let contentTopics = [
        "/toy-chat/2/huilong/proto", "/waku/2/default-content/proto", "/status/1/community-updates/rfc26",
        "/wakusync/1/demo-traffic/json",
    ]

    /// Node `index + 1` of the demo cluster, listening on port 60001 + `index`.
    package static func nodeInfo(index: Int) -> NodeInfo {
        NodeInfo(
            name: "node-\(index + 1)",
            peerID: Self.peerIDs[index],
            listenAddresses: ["/ip4/127.0.0.1/tcp/\(60001 + index)/p2p/\(Self.peerIDs[index])"],
            clusterID: 1,
            shards: [0, 1],
            pubsubTopics: [],
            contentTopics: [],
            agentVersion: "wakusync/0.1.0",
            strategy: "balanced",
            syncInterval: .seconds(300),
            syncRange: .seconds(3600),
            syncJitter: .seconds(20),
            startedAt: Self.now - 3723 * Self.second,
            // Node 1 keeps its archive in PostgreSQL, the others in their SQLite files.
            archive: index == 0
                ? "postgres://waku@db.example:5432/waku" : "/var/lib/wakusync/node-\(index + 1)/archive.sqlite3"
        )
    }

    /// A monitor over five demo nodes, watching the busy node 1; the others have only started.
    package static func busyDashboard() -> Dashboard {
        var dashboard = Dashboard(nodeNames: (1...5).map { "node-\($0)" })
        for index in 1..<5 {
            dashboard.apply(.started(Self.nodeInfo(index: index)), fromNode: index, at: Self.now - 3700 * Self.second)
        }
        for (time, event) in Self.busyTimeline() { dashboard.apply(event, fromNode: 0, at: time) }
        dashboard.resize(to: Size(width: 80, height: 24))
        dashboard.logFile = "/home/op/.local/share/wakusync/node-1/wakusync.log"
        return dashboard
    }

    /// A monitor over one node that has just started and knows no peers.
    package static func quietDashboard() -> Dashboard {
        var dashboard = Dashboard(nodeNames: ["default"])
        dashboard.apply(.started(Self.nodeInfo(index: 0)), fromNode: 0, at: Self.now - 2 * Self.second)
        dashboard.apply(.nextSync(at: Self.now + 298 * Self.second), fromNode: 0, at: Self.now - Self.second)
        return dashboard
    }

    /// Node 1's events, each with the wall clock it arrived at.
    package static func busyTimeline() -> [(Int64, NodeEvent)] {
        var events: [(Int64, NodeEvent)] = []
        func at(_ secondsAgo: Int64, _ event: NodeEvent) { events.append((Self.now - secondsAgo * Self.second, event)) }
        at(3723, .started(Self.nodeInfo(index: 0)))
        for (index, peer) in Self.peers().enumerated() { at(3600 - Int64(index) * 10, .peerUpdated(peer)) }
        at(3000, .resume(Self.resume(pages: 0, coveredFraction: 0)))
        // Finished sessions, oldest first.
        for (offset, end) in Self.finishedSessions().enumerated() {
            at(
                600 - Int64(offset) * 60,
                .sessionStarted(Self.start(id: end.id.value, peer: end.peerID, secondsAgo: 600 - Int64(offset) * 60))
            )
            at(600 - Int64(offset) * 60, .sessionEnded(end))
        }
        // Archive growth over the last minute.
        for secondsAgo in stride(from: Int64(70), through: 1, by: -1) {
            at(secondsAgo, .stored(Self.batch(secondsAgo: secondsAgo)))
        }
        at(20, .resume(Self.resume(pages: 31, coveredFraction: 0.62)))
        at(12, .sessionStarted(Self.start(id: 47, peer: Self.peerIDs[1], secondsAgo: 12)))
        for round in 1...3 {
            at(12 - Int64(round) * 3, .sessionRound(Self.round(session: 47, peer: Self.peerIDs[1], number: round)))
        }
        at(4, .sessionStarted(Self.start(id: 48, peer: Self.peerIDs[4], secondsAgo: 4)))
        at(3, .sessionRound(Self.round(session: 48, peer: Self.peerIDs[4], number: 1)))
        at(9, .transfer(Self.transfer(peer: Self.peerIDs[1], settled: 22)))
        at(2, .transfer(Self.transfer(peer: Self.peerIDs[1], settled: 34)))
        at(30, .transfer(Self.finishedTransfer(peer: Self.peerIDs[4])))
        at(25, .rejected(RejectedMessages(source: .sync, peerID: Self.peerIDs[3], reason: .outsideWindow, count: 2)))
        at(15, .notice(Notice(.warning, "dial failed: connection refused", peerID: Self.peerIDs[3])))
        at(5, .retention(deleted: 120, policy: "time:2d"))
        at(
            1,
            .archive(
                ArchiveSnapshot(
                    messages: 48_213,
                    bytes: 53_812_224,
                    oldest: Self.now - 172_000 * Self.second,
                    newest: Self.now - Self.second,
                    syncIndexItems: 3_412
                )
            )
        )
        at(1, .nextSync(at: Self.now + 298 * Self.second))
        return events.sorted { $0.0 < $1.0 }
    }

    static func peers() -> [PeerSnapshot] {
        let sync = "/vac/waku/reconciliation/1.0.0"
        let transfer = "/vac/waku/transfer/1.0.0"
        let store = "/vac/waku/store-query/3.0.0"
        var peers: [PeerSnapshot] = []
        for index in 1...5 {
            var peer = PeerSnapshot(peerID: Self.peerIDs[index], state: .connected)
            peer.address = "/ip4/127.0.0.1/tcp/\(60001 + index)"
            peer.direction = index % 2 == 0 ? .inbound : .outbound
            peer.protocols = [sync, transfer, store, "/ipfs/id/1.0.0", "/ipfs/ping/1.0.0"]
            peer.agentVersion = "wakusync/0.1.0"
            peer.clusterID = 1
            peer.shards = [0, 1]
            peer.isStatic = index <= 2
            peer.lastSyncAt = Self.now - Int64(60 * index + 10) * Self.second
            peer.lastSyncOutcome = "reconciled"
            peer.sessionsCompleted = 12 + index
            peer.differencesWeNeeded = 40 * index + 3
            peer.differencesTheyNeeded = 11 * index
            peer.messagesReceived = 38 * index
            peer.messagesSent = 9 * index
            peer.roundTripTime = .microseconds(380 + 170 * index)
            peers.append(peer)
        }
        peers[1].isPaused = true
        peers[2].state = .backingOff
        peers[2].reconnectAt = Self.now + 17 * Self.second
        peers[2].lastError = "dial: connection refused"
        peers[2].roundTripTime = nil
        peers[3].sessionsFailed = 2
        peers[3].lastSyncOutcome = "failed: timeout"
        peers[4].protocols = [store, "/ipfs/id/1.0.0"]
        peers[4].agentVersion = "nwaku/v0.36.0"
        return peers
    }

    /// A session start with `peer`, begun `secondsAgo` before ``now``, over the last hour.
    package static func start(id: UInt64, peer: String, secondsAgo: Int64) -> SessionStart {
        SessionStart(
            id: SessionID(id),
            peerID: peer,
            role: id % 2 == 0 ? .responder : .initiator,
            windowStart: Self.now - 3600 * Self.second,
            windowEnd: Self.now - 20 * Self.second,
            strategy: "balanced",
            startedAt: Self.now - secondsAgo * Self.second
        )
    }

    static func finishedSessions() -> [SessionEnd] {
        let outcomes: [SessionEnd.Outcome] = [
            .reconciled, .reconciled, .failed("timeout after 30s waiting for round 3"), .reconciled, .scopeMismatch,
            .reconciled,
        ]
        return outcomes.enumerated().map { offset, outcome in
            let peer = Self.peerIDs[1 + offset % 4]
            return SessionEnd(
                id: SessionID(UInt64(40 + offset)),
                peerID: peer,
                role: offset % 2 == 0 ? .initiator : .responder,
                outcome: outcome,
                rounds: outcome == .scopeMismatch ? 1 : 3 + offset % 3,
                bytesSent: 1_800 + 731 * offset,
                bytesReceived: 2_400 + 517 * offset,
                weNeed: outcome == .reconciled ? 4 * offset : 0,
                theyNeed: outcome == .reconciled ? offset : 0,
                duration: .milliseconds(40 + 37 * offset),
                strategy: "balanced",
                endedAt: Self.now - Int64(600 - offset * 60) * Self.second
            )
        }
    }

    static func round(session: UInt64, peer: String, number: Int) -> SessionRound {
        let lower = Self.now - 3600 * Self.second
        let step = 3580 * Self.second / 16
        let received = (0..<16).map { index in
            RangeSummary(
                lower: lower + Int64(index) * step,
                upper: lower + Int64(index + 1) * step,
                kind: index % 5 == 3 ? .itemSet : index % 3 == 0 ? .skip : .fingerprint,
                items: index % 5 == 3 ? 2 + index : 0,
                reconciled: index % 5 == 3 && number > 1
            )
        }
        let sent = received.map { range in
            RangeSummary(
                lower: range.lower,
                upper: range.upper,
                kind: range.kind == .fingerprint ? .itemSet : .skip,
                items: range.kind == .fingerprint ? 3 : 0
            )
        }
        func tally(_ ranges: [RangeSummary]) -> RangeTally {
            RangeTally(
                skip: ranges.filter { $0.kind == .skip }.count,
                fingerprint: ranges.filter { $0.kind == .fingerprint }.count,
                itemSet: ranges.filter { $0.kind == .itemSet }.count,
                items: ranges.reduce(0) { $0 + $1.items }
            )
        }
        return SessionRound(
            id: SessionID(session),
            peerID: peer,
            number: number,
            bytesReceived: 612 * number + 150,
            bytesSent: 498 * number + 77,
            received: tally(received),
            sent: tally(sent),
            receivedRanges: received,
            sentRanges: sent,
            itemsCompared: number == 1 ? 0 : 37 * number,
            newTheyNeed: number == 1 ? 0 : number - 1,
            newWeNeed: number == 1 ? 0 : 2 * number
        )
    }

    static func transfer(peer: String, settled: Int) -> TransferQueue {
        var queue = TransferQueue(peerID: peer)
        queue.weNeedPending = 48 - settled
        queue.received = settled - 6
        queue.fetched = 5
        queue.unavailable = 1
        queue.theyNeedPending = 3
        queue.sent = 17
        queue.newestWeNeed = (0..<4).map { index in
            PendingHash(
                hash: Self.hex(seed: 7 + index),
                timestamp: Self.now - Int64(40 + 13 * index) * Self.second - 123_000_000
            )
        }
        queue.newestTheyNeed = (0..<3).map { index in
            PendingHash(
                hash: Self.hex(seed: 31 + index),
                timestamp: Self.now - Int64(95 + 21 * index) * Self.second - 456_000_000
            )
        }
        return queue
    }

    static func finishedTransfer(peer: String) -> TransferQueue {
        var queue = TransferQueue(peerID: peer)
        queue.received = 14
        queue.sent = 5
        return queue
    }

    /// A running resume from the sixth peer over a five-hour window, `coveredFraction` done.
    package static func resume(pages: Int, coveredFraction: Double) -> ResumeProgress {
        let start = Self.now - 6 * 3600 * Self.second
        let end = Self.now - 3000 * Self.second
        return ResumeProgress(
            state: .running,
            peerID: Self.peerIDs[5],
            windowStart: start,
            windowEnd: end,
            pages: pages,
            messages: pages * 100 + (pages > 0 ? 37 : 0),
            coveredUntil: start + Int64(Double(end - start) * coveredFraction),
            startedAt: Self.now - 3000 * Self.second
        )
    }

    static func batch(secondsAgo: Int64) -> StoredBatch {
        let phase = Int(secondsAgo)
        let source: MessageSource =
            phase % 11 == 0 ? .fetch : phase % 4 == 0 ? .sync : phase % 9 == 0 ? .resume : .publish
        let inserted = 2 + (phase * 7) % 9 + (source == .resume ? 40 : 0)
        let topic = Self.contentTopics[phase % 7 == 0 ? 2 : phase % 3 == 0 ? 1 : phase % 5 == 0 ? 3 : 0]
        return StoredBatch(
            source: source,
            peerID: source == .publish ? nil : Self.peerIDs[1],
            inserted: inserted,
            duplicates: phase % 6 == 0 ? 1 : 0,
            byPubsubTopic: ["/waku/2/rs/1/\(phase % 2)": inserted],
            byContentTopic: [topic: inserted]
        )
    }

    /// 64 hex digits, deterministic in `seed`.
    static func hex(seed: Int) -> String {
        var state = UInt64(seed) &* 0x9E37_79B9_7F4A_7C15
        var digits = ""
        for _ in 0..<64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            digits.append(Character(String((state >> 60) & 0xF, radix: 16)))
        }
        return digits
    }
}
