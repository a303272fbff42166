import Foundation
import Libp2p
import NodeEvents
import Testing
import WakuArchivePostgres
import WakuArchive
import WakuCore
import WakuNode
import WakuTestSupport

/// Our node against py-libp2p 0.8.1 peers (`.venv`, made by scripts/setup-python.sh) that run
/// `Interop/waku_py_peer.py`: Store v3 both ways, metadata and identify both ways. The script
/// speaks Waku from its own hand-written protobuf and hash code, so each side checks the other.
@Suite("Node interop with py-libp2p", .timeLimit(.minutes(1)))
struct NodeInteropTests {
    static let script = "Tests/WakuNodeTests/Interop/waku_py_peer.py"
    static let topic = "/waku/2/rs/0/0"
    static let otherTopic = "/waku/2/rs/0/1"
    static let contentTopic = "/wakusync/1/interop-a/proto"
    static let otherContentTopic = "/wakusync/1/interop-b/proto"

    /// Who opens the connection between our node and the py-libp2p peer.
    enum Direction: CaseIterable, Sendable, CustomTestStringConvertible {
        case weDial
        case theyDial

        var testDescription: String { self == .weDial ? "we dial" : "they dial" }
    }

    /// Where the node under test keeps its archive.
    enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case sqlite
        case postgres

        var testDescription: String { self.rawValue }
    }

    @Test(
        "a py-libp2p client pages our Store both ways with and without data, looks up hashes, gets nwaku's 400s",
        arguments: Backend.allCases
    )
    func pythonQueriesOurStore(backend: Backend) async throws {
        try PythonPeer.requireVenv()
        let database = backend == .postgres ? try await PostgresTestDatabase.create() : nil
        defer { if let database { Task { await database.drop() } } }
        let archive: @Sendable (Int) async throws -> (any MessageArchive)? = { _ in
            guard let database else { return nil }
            return try await PostgresArchive.open(database.location)
        }
        try await NodeCluster.with(1, archive: archive) { nodes in
            let node = nodes[0]
            let messages = Self.ourMessages()
            await node.publish(messages)
            #expect(Set(try await node.storedHashes()) == Set(messages.map(Self.hash)))
            let events = node.events.subscribe()
            let order = messages.filter { $0.pubsubTopic == Self.topic && $0.message.contentTopic == Self.contentTopic }
                .sorted { ($0.message.timestamp, Self.hash($0)) < ($1.message.timestamp, Self.hash($1)) }
                .map { Self.hash($0).hex }
            #expect(order.count == 23)
            // One match, two messages outside the content filter, one hash nobody has.
            let lookup = [
                order[5], Self.hash(messages[25]).hex, Self.hash(messages[32]).hex, String(repeating: "ab", count: 32),
            ]
            let address = try #require(node.listenAddresses.first)
            let arguments = [
                "dial", "--target", address, "--plan", "store", "--pubsub-topic", Self.topic,
                "--content-topic", Self.contentTopic, "--page-size", "4", "--lookup", lookup.joined(separator: ","),
            ]
            try await PythonPeer.run(Self.script, arguments) { lines in
                let result = try Self.decode(StorePlanResult.self, try await lines.first("RESULT "))
                #expect(result.peerId.hasPrefix("16Uiu2HA"), "a secp256k1 identity, as nwaku uses")
                let byHash = Dictionary(uniqueKeysWithValues: messages.map { (Self.hash($0).hex, $0) })
                let paginations = [
                    (result.forwardData, true, true), (result.forwardHashes, true, false),
                    (result.backwardData, false, true), (result.backwardHashes, false, false),
                ]
                for (pages, forward, includeData) in paginations {
                    let context = "\(forward ? "forward" : "backward"), include_data \(includeData)"
                    #expect(
                        pages.map(PageView.init) == Self.expectedPages(order, size: 4, forward: forward),
                        "\(context)"
                    )
                    for page in pages {
                        #expect(page.status == 200 && page.desc == "OK" && page.requestIdEchoed == true, "\(context)")
                        #expect(page.fields == [1, 10, 11, 20] + (page.cursor == nil ? [] : [51]), "\(context)")
                        #expect(Self.entryProblems(page, includeData: includeData, byHash: byHash) == [], "\(context)")
                    }
                }

                #expect(result.lookup.status == 200)
                let found = messages.filter { lookup.contains(Self.hash($0).hex) }
                    .sorted { ($0.message.timestamp, Self.hash($0)) < ($1.message.timestamp, Self.hash($1)) }
                #expect(found.count == 3)
                #expect(result.lookup.entries.map(\.hash) == found.map { Self.hash($0).hex })
                #expect(Self.entryProblems(result.lookup, includeData: true, byHash: byHash) == [])

                // nwaku's answers to bytes it cannot decode: 400, empty request id.
                #expect(result.garbage.status == 400 && result.garbage.requestId == "")
                #expect(result.garbage.desc.hasPrefix("decoding rpc failed: "), "\(result.garbage.desc)")
                #expect(result.garbage.fields == [1, 10, 11] && result.garbage.entries.isEmpty)
                #expect(result.noRequestId.status == 400 && result.noRequestId.requestId == "")
                #expect(result.noRequestId.desc == "decoding rpc failed: MissingRequiredField request_id")

                let queries = paginations.map(\.0.count).reduce(0, +) + 3
                let served = await Self.collect(queries, on: events, timeout: .seconds(10)) { event in
                    if case .storeServed(let served) = event { return served.peerID == result.peerId }
                    return false
                }
                let statuses = served.compactMap { event -> UInt32? in
                    if case .storeServed(let served) = event { return served.status }
                    return nil
                }
                #expect(statuses.sorted() == Array(repeating: 200, count: queries - 2) + [400, 400])
            }
        }
    }

    @Test("we page through a py-libp2p Store server both ways, filtered and by hash, and get exactly its messages")
    func weQueryPythonStore() async throws {
        try PythonPeer.requireVenv()
        try await NodeCluster.with(1) { nodes in
            let node = nodes[0]
            try await PythonPeer.run(Self.script, ["listen", "--messages", "41", "--seed", "7"]) { lines in
                let listed = try Self.decode([ListedMessage].self, try await lines.first("MESSAGES "))
                let messages = try listed.map { try $0.transferPayload() }
                #expect(messages.count == 41)
                #expect(messages.map { Self.hash($0).hex } == listed.map(\.hash), "python's hashes are ours")
                let byHash = Dictionary(uniqueKeysWithValues: messages.map { (Self.hash($0), $0) })
                let sorted = messages.sorted {
                    ($0.message.timestamp, Self.hash($0)) < ($1.message.timestamp, Self.hash($1))
                }
                let peer = try await node.connect(to: try await lines.first("LISTEN "))
                var sent: [StoreQueryRequest] = []

                let forward = try await Self.pages(
                    StoreQueryRequest(requestID: "fwd", includeData: true, paginationForward: true, paginationLimit: 7),
                    node: node,
                    peer: peer,
                    sent: &sent
                )
                let backward = try await Self.pages(
                    StoreQueryRequest(
                        requestID: "bwd",
                        includeData: false,
                        paginationForward: false,
                        paginationLimit: 9
                    ),
                    node: node,
                    peer: peer,
                    sent: &sent
                )
                let order = sorted.map { Self.hash($0).hex }
                #expect(forward.map(PageView.init) == Self.expectedPages(order, size: 7, forward: true))
                #expect(backward.map(PageView.init) == Self.expectedPages(order, size: 9, forward: false))
                for entry in forward.flatMap(\.messages) {
                    let expected = try #require(byHash[entry.messageHash])
                    #expect(entry.message == expected.message && entry.pubsubTopic == expected.pubsubTopic)
                    #expect(entry.message?.hash(pubsubTopic: entry.pubsubTopic ?? "") == entry.messageHash)
                }
                #expect(backward.flatMap(\.messages).allSatisfy { $0.message == nil && $0.pubsubTopic == nil })

                // Content filter with an inclusive time range (sint64 on the wire).
                let start = sorted[6].message.timestamp
                let end = sorted[33].message.timestamp
                let filtered = try await Self.pages(
                    StoreQueryRequest(
                        requestID: "filtered",
                        includeData: true,
                        pubsubTopic: Self.topic,
                        contentTopics: ["/pypeer/1/alpha/proto"],
                        timeStart: start,
                        timeEnd: end,
                        paginationForward: true,
                        paginationLimit: 4
                    ),
                    node: node,
                    peer: peer,
                    sent: &sent
                )
                let matching = sorted.filter {
                    $0.pubsubTopic == Self.topic && $0.message.contentTopic == "/pypeer/1/alpha/proto"
                        && (start...end).contains($0.message.timestamp)
                }
                #expect(matching.count > 8)
                #expect(
                    filtered.map(PageView.init)
                        == Self.expectedPages(matching.map { Self.hash($0).hex }, size: 4, forward: true)
                )

                let known = [sorted[3], sorted[20], sorted[40]].map(Self.hash)
                let lookup = try await Self.pages(
                    StoreQueryRequest(
                        requestID: "lookup",
                        includeData: true,
                        messageHashes: known + [try MessageHash(hex: String(repeating: "cd", count: 32))],
                        paginationForward: true,
                        paginationLimit: 4
                    ),
                    node: node,
                    peer: peer,
                    sent: &sent
                )
                #expect(lookup.count == 1 && lookup.first?.messages.map(\.messageHash) == known)

                // nwaku's answer to an unknown cursor: 300 with an empty request id.
                let unknown = try await Self.pages(
                    StoreQueryRequest(
                        requestID: "unknown-cursor",
                        paginationCursor: try MessageHash(hex: String(repeating: "ef", count: 32)),
                        paginationForward: true
                    ),
                    node: node,
                    peer: peer,
                    sent: &sent
                )
                #expect(unknown.first?.statusCode == .badResponse && unknown.first?.requestID == "")
                #expect(unknown.first?.statusDesc == "BAD_RESPONSE: archive error: DRIVER_ERROR: cursor not found")

                // What the script decoded from our requests: every field, in nwaku's order.
                let last = try #require(sent.last?.requestID)
                _ = try await lines.first("REQUEST ", timeout: .seconds(10)) { $0.contains("\"\(last)\"") }
                let received = try lines.all("REQUEST ").map { try Self.decode(ReceivedRequest.self, $0) }
                #expect(received == sent.map(ReceivedRequest.init))
            }
        }
    }

    @Test("metadata both ways: each side learns the other's cluster and shards", arguments: Direction.allCases)
    func metadataBothWays(_ direction: Direction) async throws {
        try PythonPeer.requireVenv()
        try await NodeCluster.with(
            1,
            configure: { _, configuration in
                configuration.clusterID = 1
                configuration.shards = [2, 7]
            }
        ) { nodes in
            let node = nodes[0]
            try await Self.withPythonPeer(node, direction, ["--cluster", "1", "--shards", "0,3,4"]) { peer, lines in
                // nwaku's bytes for cluster 1, shards 2 and 7: unpacked field 2, then packed field 3.
                let ours = "0801100210071a020207"
                let report = try Self.decode(PeerReport.self, try await lines.first("PEER "))
                #expect(report.peer == node.peerID)
                let answer = try #require(report.metadata, "\(report.metadataError ?? "")")
                #expect(answer.hex == ours && answer.clusterId == 1 && answer.shards == [2, 7])
                let request = try Self.decode(MetadataReport.self, try await lines.first("METADATA_REQUEST "))
                #expect(request.peer == node.peerID && request.hex == ours)

                let learned = try await NodeCluster.eventually(timeout: .seconds(10)) {
                    let snapshot = await Self.snapshot(of: peer, on: node)
                    return snapshot?.clusterID == 1 && snapshot?.shards == [0, 3, 4]
                }
                #expect(learned)
                let snapshot = try #require(await Self.snapshot(of: peer, on: node))
                #expect(snapshot.state == .connected && snapshot.lastError == nil, "\(snapshot)")
            }
        }
    }

    @Test("a py-libp2p peer of another cluster is disconnected, with a notice", arguments: Direction.allCases)
    func otherClusterIsDisconnected(_ direction: Direction) async throws {
        try PythonPeer.requireVenv()
        try await NodeCluster.with(1, configure: { _, configuration in configuration.clusterID = 1 }) { nodes in
            let node = nodes[0]
            let events = node.events.subscribe()
            try await Self.withPythonPeer(node, direction, ["--cluster", "9", "--shards", "0"]) { peer, lines in
                let notices = await Self.collect(1, on: events, timeout: .seconds(10)) { event in
                    if case .notice(let notice) = event { return notice.peerID == peer }
                    return false
                }
                guard case .notice(let notice) = notices.first else {
                    Issue.record("no notice about \(peer)")
                    return
                }
                #expect(notice.severity == .warning)
                #expect(notice.message == "disconnecting: cluster 9 differs from ours (1)")
                #expect(try await lines.first("GONE ", timeout: .seconds(10)) == node.peerID)
                let dropped = try await NodeCluster.eventually(timeout: .seconds(10)) {
                    await Self.snapshot(of: peer, on: node)?.state == .disconnected
                }
                #expect(dropped)
                #expect(await Self.snapshot(of: peer, on: node)?.clusterID == 9)
            }
        }
    }

    @Test(
        "identify both ways: py-libp2p sees our agent, protocols and key; we see its protocols",
        arguments: Direction.allCases
    )
    func identifyBothWays(_ direction: Direction) async throws {
        try PythonPeer.requireVenv()
        try await NodeCluster.with(1) { nodes in
            let node = nodes[0]
            try await Self.withPythonPeer(node, direction, []) { peer, lines in
                #expect(peer.hasPrefix("16Uiu2HA"))
                let report = try Self.decode(PeerReport.self, try await lines.first("PEER "))
                let identify = try #require(report.identify, "\(report.identifyError ?? "")")
                #expect(identify.agent.hasPrefix("wakusync/"))
                #expect(identify.protocolVersion == "ipfs/0.1.0")
                let required: Set = [
                    WakuNode.metadataProtocol, WakuNode.storeProtocol, WakuNode.reconciliationProtocol,
                    WakuNode.transferProtocol, "/ipfs/id/1.0.0", "/ipfs/ping/1.0.0",
                ]
                #expect(required.isSubset(of: identify.protocols), "\(identify.protocols)")
                #expect(identify.keyType == "Secp256k1" && identify.keyPeerId == node.peerID)
                #expect(identify.listenAddrs >= 1 && identify.hasObservedAddr)

                let theirs: Set = [
                    WakuNode.storeProtocol, WakuNode.metadataProtocol, "/ipfs/id/1.0.0", "/ipfs/ping/1.0.0",
                ]
                let identified = try await NodeCluster.eventually(timeout: .seconds(10)) {
                    guard let snapshot = await Self.snapshot(of: peer, on: node) else { return false }
                    return theirs.isSubset(of: snapshot.protocols)
                        && snapshot.agentVersion?.hasPrefix("py-libp2p/") == true
                }
                let snapshot = await Self.snapshot(of: peer, on: node)
                #expect(identified, "\(String(describing: snapshot))")
                #expect(snapshot?.direction == (direction == .weDial ? .outbound : .inbound))
                #expect(snapshot?.speaksStore == true && snapshot?.speaksSync == false)
            }
        }
    }
}

// MARK: - Helpers

extension NodeInteropTests {
    /// Connects `node` and a py-libp2p peer started with `arguments`, in `direction`, and runs
    /// `body` with the peer's ID while the peer runs.
    static func withPythonPeer(
        _ node: WakuNode,
        _ direction: Direction,
        _ arguments: [String],
        _ body: (String, PythonPeer.Lines) async throws -> Void
    ) async throws {
        switch direction {
        case .weDial:
            try await PythonPeer.run(Self.script, ["listen"] + arguments) { lines in
                let peer = try await node.connect(to: try await lines.first("LISTEN "))
                try await body(peer.description, lines)
            }
        case .theyDial:
            let address = try #require(node.listenAddresses.first)
            try await PythonPeer.run(Self.script, ["dial", "--target", address] + arguments) { lines in
                let result = try Self.decode(DialResult.self, try await lines.first("RESULT "))
                try await body(result.peerId, lines)
            }
        }
    }

    /// Follows cursors from `request` to the last page; every request made is appended to `sent`.
    static func pages(
        _ request: StoreQueryRequest,
        node: WakuNode,
        peer: PeerID,
        sent: inout [StoreQueryRequest]
    ) async throws -> [StoreQueryResponse] {
        var request = request
        let name = request.requestID
        var pages: [StoreQueryResponse] = []
        while pages.count < 100 {
            request.requestID = "\(name)-\(pages.count)"
            sent.append(request)
            let response = try await node.query(request, peer: peer)
            pages.append(response)
            guard response.statusCode == .success else { break }
            #expect(response.requestID == request.requestID)
            guard let cursor = response.paginationCursor else { break }
            request.paginationCursor = cursor
        }
        return pages
    }

    /// The pages nwaku returns for `order` (ascending hashes): `size` per page in the query's
    /// direction, each page ascending, the cursor the last entry in the query's direction.
    static func expectedPages(_ order: [String], size: Int, forward: Bool) -> [PageView] {
        let sequence = forward ? order : order.reversed()
        var pages: [PageView] = []
        var start = 0
        repeat {
            let chunk = Array(sequence[start..<min(start + size, sequence.count)])
            start += chunk.count
            let cursor = start < sequence.count ? chunk.last : nil
            pages.append(PageView(hashes: forward ? chunk : chunk.reversed(), cursor: cursor))
        } while start < sequence.count
        return pages
    }

    /// What is wrong with the entries of `page` as the script decoded them.
    static func entryProblems(_ page: ReportedPage, includeData: Bool, byHash: [String: TransferPayload]) -> [String] {
        page.entries.compactMap { entry in
            guard includeData else {
                return entry.fields == [1] && entry.message == nil ? nil : "\(entry.hash) carries data"
            }
            guard let expected = byHash[entry.hash], let message = entry.message else {
                return "\(entry.hash) is unknown or has no data"
            }
            let problems = [
                entry.fields == [1, 2, 3] ? nil : "entry fields \(entry.fields)",
                entry.hashOk == true ? nil : "hash does not match the message",
                entry.pubsubTopic == expected.pubsubTopic ? nil : "pubsub topic \(entry.pubsubTopic ?? "-")",
                message.fields == [1, 2, 3, 10, 11, 21, 31] ? nil : "message fields \(message.fields ?? [])",
                message.contentTopic == expected.message.contentTopic ? nil : "content topic",
                message.payload == expected.message.payload.hexString ? nil : "payload",
                message.meta == expected.message.meta.hexString ? nil : "meta",
                message.version == expected.message.version ? nil : "version \(message.version)",
                message.timestamp == expected.message.timestamp ? nil : "timestamp \(message.timestamp)",
                message.rateLimitProof == "" && message.ephemeral == 0 ? nil : "proof or ephemeral",
            ].compactMap { $0 }
            return problems.isEmpty ? nil : "\(entry.hash): \(problems.joined(separator: ", "))"
        }
    }

    /// Up to `count` events matching `matches`, waiting at most `timeout`.
    static func collect(
        _ count: Int,
        on events: AsyncStream<NodeEvent>,
        timeout: Duration,
        where matches: @escaping @Sendable (NodeEvent) -> Bool
    ) async -> [NodeEvent] {
        await withTaskGroup(of: [NodeEvent]?.self) { group in
            group.addTask {
                var found: [NodeEvent] = []
                // Ends early when cancelled: the timer fired and whatever came is the answer.
                for await event in events where matches(event) {
                    found.append(event)
                    if found.count == count { break }
                }
                return found
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            if let first { return first }
            return await group.next().flatMap { $0 } ?? []
        }
    }

    static func snapshot(of peer: String, on node: WakuNode) async -> PeerSnapshot? {
        await node.peerSnapshots().first { $0.peerID == peer }
    }

    static func hash(_ payload: TransferPayload) -> MessageHash {
        payload.message.hash(pubsubTopic: payload.pubsubTopic)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(type, from: Data(text.utf8))
    }

    /// The messages our node serves in the first test: 23 match the query's filter (timestamps in
    /// pairs, so order needs the hash too), 7 have another content topic, 5 another pubsub topic;
    /// empty and 64-byte metas, an empty payload, every version.
    static func ourMessages() -> [TransferPayload] {
        var generator = SeededRandom(seed: 5)
        return (0..<35).map { number in
            let topics =
                number < 23
                ? (Self.topic, Self.contentTopic)
                : number < 30 ? (Self.topic, Self.otherContentTopic) : (Self.otherTopic, Self.contentTopic)
            let payloadLength = number == 0 ? 0 : 24
            let metaLength = [0, 64, 10][number % 3]
            let payload = (0..<payloadLength).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            let meta = (0..<metaLength).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            let message = WakuMessage(
                payload: payload,
                contentTopic: topics.1,
                version: UInt32(number % 3),
                timestamp: 1_700_000_000_000_000_000 + Int64(number / 2) * 1_000_000_007,
                meta: meta
            )
            return TransferPayload(pubsubTopic: topics.0, message: message)
        }
    }
}
