import Foundation
import Libp2p
import NodeEvents
import Synchronization
import Testing
import WakuCore
import WakuNode
import WakuTestSupport

/// Hostile Store peers against Store Resume, and hostile Store clients against our server.
@Suite("Hostile input: Store", .timeLimit(.minutes(2)))
struct HostileStoreTests {
    static let second: Int64 = 1_000_000_000
    static let hour: Int64 = 3_600 * 1_000_000_000

    @Test("Store Resume stores only what lies in its span and its topics; the rest is refused by reason")
    func resumeSpanAndTopics() async throws {
        let directory = try TemporaryDirectory(prefix: "wakusync-resume-span")
        defer { directory.remove() }
        var configuration = Hostile.configuration("target", in: directory)
        configuration.shards = [0]
        let now = NodeCluster.now
        let good = Hostile.message("good", at: now - Self.hour)
        let page = [
            Hostile.entry(good),
            // Resume reaches 6 h back at most.
            Hostile.entry(Hostile.message("too old", at: now - 7 * Self.hour)),
            Hostile.entry(Hostile.message("future", at: now + Self.hour)),
            Hostile.entry(Hostile.message("other shard", at: now - Self.hour, pubsubTopic: "/waku/2/rs/0/3")),
            Hostile.entry(
                Hostile.message("impostor", at: now - Self.hour),
                claimed: Hostile.hash(Hostile.message("someone else", at: now - Self.hour))
            ),
        ]
        try await Hostile.withNode(configuration) { node, log in
            try await Hostile.withHosts(1) { hosts in
                Self.serveStore(on: hosts[0]) { request, _ in
                    StoreQueryResponse(requestID: request.requestID, messages: page)
                }
                try await Self.connectStorePeers(hosts, to: node)
                node.send(.startResume)
                let finished = try await log.wait { _ in log.resumes.contains { $0.state == .finished } }
                try #require(finished)
                #expect(
                    log.rejections(from: .resume) == [
                        .outsideWindow: 1, .futureTimestamp: 1, .outsideScope: 1, .hashMismatch: 1,
                    ]
                )
                #expect(try await node.storedHashes() == [Hostile.hash(good)])
            }
        }
    }

    /// How a store peer in ``resumeCursors()`` misbehaves, by the order resume reaches it.
    enum Role: Int, CaseIterable {
        case repeatsItsCursor, namesAForeignCursor, neverEnds, honest
    }

    @Test(
        "resume gives up on a store peer whose cursor repeats, names no message of its page, or never ends, and falls back to the next peer"
    )
    func resumeCursors() async throws {
        let directory = try TemporaryDirectory(prefix: "wakusync-resume-cursor")
        defer { directory.remove() }
        var configuration = Hostile.configuration("target", in: directory)
        configuration.shards = [0]
        configuration.limits.resumePages = 5
        let now = NodeCluster.now
        let message: @Sendable (String, Int) -> TransferPayload = { tag, number in
            Hostile.message("\(tag) \(number)", at: now - 2 * Self.hour + Int64(number) * Self.second)
        }
        let roles = Mutex<[PeerID: Role]>([:])
        let queries = Mutex<[Role: Int]>([:])
        let foreign = Hostile.hash(Hostile.message("on no page", at: now))
        try await Hostile.withNode(configuration) { node, log in
            try await Hostile.withHosts(Role.allCases.count) { hosts in
                for host in hosts {
                    Self.serveStore(on: host) { request, peer in
                        // Resume tries one peer after the other: the first it asks plays the first role.
                        let role = roles.withLock { table in
                            if let role = table[peer] { return role }
                            let role = Role(rawValue: table.count) ?? .honest
                            table[peer] = role
                            return role
                        }
                        let number = queries.withLock { counts in
                            counts[role, default: 0] += 1
                            return counts[role] ?? 0
                        }
                        let page: [TransferPayload]
                        let cursor: MessageHash?
                        switch role {
                        case .repeatsItsCursor:
                            page = [message("repeat", 1)]
                            cursor = Hostile.hash(page[0])
                        case .namesAForeignCursor:
                            page = [message("foreign", 1)]
                            cursor = foreign
                        case .neverEnds:
                            page = [message("endless", number)]
                            cursor = Hostile.hash(page[0])
                        case .honest:
                            page = (1...3).map { message("honest", $0) }
                            cursor = nil
                        }
                        return StoreQueryResponse(
                            requestID: request.requestID,
                            messages: page.map { Hostile.entry($0) },
                            paginationCursor: cursor
                        )
                    }
                }
                try await Self.connectStorePeers(hosts, to: node)
                node.send(.startResume)
                let finished = try await log.wait { _ in log.resumes.contains { $0.state == .finished } }
                try #require(finished)
                let failures = log.resumes.compactMap { progress -> String? in
                    if case .failed(let reason) = progress.state { reason } else { nil }
                }
                #expect(failures.count == 3, "\(failures)")
                #expect(failures.prefix(2).allSatisfy { $0.contains("cursor does not advance") }, "\(failures)")
                #expect(failures.last?.contains("more than 5 pages") == true, "\(failures)")
                let honest = roles.withLock { $0.first { $0.value == .honest }?.key }
                #expect(log.resumes.last?.state == .finished && log.resumes.last?.peerID == honest?.description)
                #expect(
                    queries.withLock { $0 } == [
                        .repeatsItsCursor: 2, .namesAForeignCursor: 1, .neverEnds: 5, .honest: 1,
                    ]
                )
                let expected =
                    [message("repeat", 1), message("foreign", 1)] + (1...5).map { message("endless", $0) }
                    + (1...3).map { message("honest", $0) }
                #expect(Set(try await node.storedHashes()) == Set(expected.map(Hostile.hash)))
            }
        }
    }

    @Test("a peer over its Store stream allowance gets nwaku's 429 and a limit event; another peer is served meanwhile")
    func storeStreamsPerPeer() async throws {
        let directory = try TemporaryDirectory(prefix: "wakusync-store-streams")
        defer { directory.remove() }
        var configuration = Hostile.configuration("target", in: directory)
        configuration.limits.storeStreamsPerPeer = 2
        try await Hostile.withNode(configuration) { node, log in
            await node.publish(NodeCluster.messages(5, seed: 51, now: NodeCluster.now))
            try await Hostile.withHosts(2) { hosts in
                let (greedy, polite) = (hosts[0], hosts[1])
                let peer = try await Hostile.connect(greedy, to: node)
                try await Hostile.connect(polite, to: node)
                // Five streams at once, none sending its request yet.
                var streams: [Libp2pStream] = []
                for _ in 0..<5 {
                    streams.append(try await greedy.openStream(to: peer, protocolID: WakuNode.storeProtocol))
                }
                let refused = try await log.wait { _ in
                    log.limits.count { $0.limit == .store && $0.peerID == greedy.peerID.description } >= 3
                }
                #expect(refused)
                #expect(log.limits.allSatisfy { $0.detail.contains("more than 2 Store streams at once") })
                // The greedy peer holds its two streams open; another peer is answered as usual.
                let served = try await Hostile.query(Hostile.anyQuery(0), from: polite, to: peer)
                #expect(served.statusCode == .success && served.messages.count == 5)
                var statuses: [StoreStatus] = []
                for (number, stream) in streams.enumerated() {
                    try await stream.writeMessage(Hostile.anyQuery(number + 1).serialized())
                    let reply = try StoreQueryResponse(
                        serialized: try #require(try await stream.readMessage(maxSize: 1 << 24, timeout: .seconds(30)))
                    )
                    await stream.close()
                    statuses.append(reply.statusCode)
                    if reply.statusCode == .tooManyRequests {
                        #expect(reply == StoreQueryResponse.tooManyRequests, "nwaku's 429, byte for byte")
                    }
                }
                #expect(statuses.count { $0 == .tooManyRequests } == 3 && statuses.count { $0 == .success } == 2)
            }
        }
    }

    @Test("a burst beyond twice the per-second Store query rate gets nwaku's 429; another peer is served meanwhile")
    func storeQueryRate() async throws {
        let directory = try TemporaryDirectory(prefix: "wakusync-store-rate")
        defer { directory.remove() }
        var configuration = Hostile.configuration("target", in: directory)
        configuration.limits.storeQueriesPerSecond = 1
        configuration.limits.storeStreamsPerPeer = 64
        try await Hostile.withNode(configuration) { node, log in
            await node.publish(NodeCluster.messages(5, seed: 52, now: NodeCluster.now))
            try await Hostile.withHosts(2) { hosts in
                let (greedy, polite) = (hosts[0], hosts[1])
                let peer = try await Hostile.connect(greedy, to: node)
                try await Hostile.connect(polite, to: node)
                let started = ContinuousClock.now
                let burst = try await withThrowingTaskGroup(of: StoreQueryResponse.self) { group in
                    for number in 0..<12 {
                        group.addTask { try await Hostile.query(Hostile.anyQuery(number), from: greedy, to: peer) }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                let elapsed = ContinuousClock.now - started
                // The polite peer has its own allowance.
                let served = try await Hostile.query(Hostile.anyQuery(99), from: polite, to: peer)
                #expect(served.statusCode == .success && served.messages.count == 5)
                let refused = burst.filter { $0.statusCode == .tooManyRequests }
                let answered = burst.filter { $0.statusCode == .success }
                #expect(refused.count + answered.count == 12)
                // Two at once, then one more per second of the burst.
                #expect(!refused.isEmpty && answered.count <= 3 + Int(elapsed.components.seconds), "\(elapsed)")
                #expect(refused.allSatisfy { $0 == StoreQueryResponse.tooManyRequests })
                let reported = try await log.wait { _ in
                    log.limits.count { $0.limit == .store && $0.peerID == greedy.peerID.description } == refused.count
                }
                #expect(reported)
                #expect(log.limits.allSatisfy { $0.detail.contains("more than 1 Store queries per second") })
            }
        }
    }

    /// Answers every Store query `host` receives with `answer(request, host's own peer ID)`.
    static func serveStore(
        on host: Libp2pHost,
        _ answer: @escaping @Sendable (StoreQueryRequest, PeerID) -> StoreQueryResponse
    ) {
        host.register(protocolID: WakuNode.storeProtocol) { stream in
            let bytes = try #require(try await stream.readMessage(timeout: .seconds(10)))
            let response = answer(try StoreQueryRequest(serialized: bytes), host.peerID)
            try await stream.writeMessage(try response.serialized())
            await stream.close()
        }
    }

    /// Connects every host to `node` and waits until the node knows each serves Store.
    static func connectStorePeers(_ hosts: [Libp2pHost], to node: WakuNode) async throws {
        for host in hosts { try await Hostile.connect(host, to: node) }
        let ready = try await NodeCluster.eventually {
            await node.peerSnapshots().filter(\.speaksStore).count == hosts.count
        }
        try #require(ready)
    }
}
