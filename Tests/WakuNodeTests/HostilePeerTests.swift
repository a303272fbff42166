import Foundation
import Libp2p
import NIOCore
import NIOPosix
import NodeEvents
import Synchronization
import Testing
import WakuCore
import WakuNode
import WakuSync
import WakuTestSupport

/// Scripted adversaries over loopback. Each attack must end with the bad session or connection
/// closed, an event saying why, and the node still healthy: afterwards an honest peer syncs.
@Suite("Hostile peers", .timeLimit(.minutes(2)))
struct HostilePeerTests {
    static let start = NodeCluster.now - 3_620_000_000_000
    static let end = NodeCluster.now - 20_000_000_000

    /// The node at index 0 under attack, an honest node at index 1 to prove it still works.
    static func withTarget(
        configure: @escaping @Sendable (inout NodeConfiguration) -> Void = { _ in },
        _ body: @Sendable (WakuNode, Libp2pHost, PeerID) async throws -> Void
    ) async throws {
        try await NodeCluster.with(
            2,
            configure: { number, configuration in if number == 0 { configure(&configuration) } }
        ) { nodes in
            let target = nodes[0]
            await nodes[1].publish(NodeCluster.messages(20, seed: 77, now: NodeCluster.now))
            try await RoguePeer.with { rogue in
                let address = try Multiaddr(parsing: try #require(target.listenAddresses.first))
                let peer = try await NodeCluster.connected(to: target, by: { try await rogue.dial(address) }) { _ in
                    rogue.peerID.description
                }
                try await body(target, rogue, peer)
            }
            // Still healthy: an honest peer syncs and its messages arrive.
            let honest = try await target.connect(to: try #require(nodes[1].listenAddresses.first))
            let end = try #require(await target.syncNow(with: honest))
            #expect(end.outcome == .reconciled)
            let arrived = try await NodeCluster.eventually { try await target.storedHashes().count >= 20 }
            #expect(arrived, "the node stays healthy after the attack")
        }
    }

    static func failure(on events: AsyncStream<NodeEvent>) async -> String? {
        let ended = await NodeCluster.event(on: events) {
            if case .sessionEnded(let end) = $0 { end.failed } else { false }
        }
        guard case .sessionEnded(let end)? = ended, case .failed(let reason) = end.outcome else { return nil }
        return reason
    }

    static func firstPayload(_ fingerprint: Fingerprint = .max) -> [UInt8] {
        RangesData(ranges: [
            SyncRange(lower: .bound(Self.start), upper: .bound(Self.end), kind: .fingerprint(fingerprint))
        ]).encoded()
    }

    @Test("a peer that never answers: the session times out")
    func neverAnswers() async throws {
        // Two seconds: short for the test, long enough for the honest session afterwards on a
        // loaded machine.
        try await Self.withTarget(configure: { $0.roundTimeout = .seconds(2) }) { target, rogue, peer in
            rogue.register(protocolID: WakuNode.reconciliationProtocol) { stream in
                _ = try await stream.readMessage(timeout: .seconds(10))
                try await Task.sleep(for: .seconds(10))
            }
            let events = target.events.subscribe()
            let end = await target.syncNow(with: rogue.peerID)
            #expect(end?.failed == true)
            let reason = await Self.failure(on: events)
            #expect(reason?.contains("timeout") == true, "\(reason ?? "-")")
            _ = peer
        }
    }

    @Test("a peer that never stops: the round limit ends the session")
    func neverStops() async throws {
        try await Self.withTarget(configure: { $0.roundLimit = 10 }) { target, rogue, peer in
            await target.publish(NodeCluster.messages(200, seed: 1, now: NodeCluster.now))
            let events = target.events.subscribe()
            let stream = try await rogue.openStream(to: peer, protocolID: WakuNode.reconciliationProtocol)
            var replies = 0
            do {
                for _ in 0..<50 {
                    try await stream.writeMessage(Self.firstPayload())
                    guard try await stream.readMessage(timeout: .seconds(5)) != nil else { break }
                    replies += 1
                }
            } catch {}
            #expect(replies <= 10)
            let reason = await Self.failure(on: events)
            #expect(reason?.contains("roundLimit") == true, "\(reason ?? "-")")
        }
    }

    @Test("huge claimed counts, unknown range types and oversized frames are refused without allocating")
    func malformedPayloads() async throws {
        try await Self.withTarget { target, rogue, peer in
            let hugeCount =
                [0, 0] + Varint.encode(UInt64(Self.start)) + Varint.encode(1_000) + [2] + Varint.encode(UInt64(1) << 60)
                + [0]
            let badType =
                [0, 0] + Varint.encode(UInt64(Self.start)) + Varint.encode(1_000) + [7] + Array(repeating: 0, count: 40)
            for payload in [hugeCount, badType] {
                let events = target.events.subscribe()
                let stream = try await rogue.openStream(to: peer, protocolID: WakuNode.reconciliationProtocol)
                try await stream.writeMessage(payload)
                // Like nwaku, the node closes the stream without replying.
                let reply = try? await stream.readMessage(timeout: .seconds(5))
                #expect(reply == nil)
                let reason = await Self.failure(on: events)
                #expect(reason?.contains("decode") == true, "\(reason ?? "-")")
            }
            // A frame announcing more than the 64 MiB limit.
            let events = target.events.subscribe()
            let stream = try await rogue.openStream(to: peer, protocolID: WakuNode.reconciliationProtocol)
            try await stream.write(Varint.encode(UInt64(RangesData.maxPayloadSize) + 1) + [0, 0, 0])
            let reason = await Self.failure(on: events)
            #expect(reason?.contains("frameTooLarge") == true, "\(reason ?? "-")")
        }
    }

    @Test("ranges outside the session's window end the session")
    func outsideWindow() async throws {
        try await Self.withTarget { target, rogue, peer in
            await target.publish(NodeCluster.messages(300, seed: 2, now: NodeCluster.now))
            let events = target.events.subscribe()
            let stream = try await rogue.openStream(to: peer, protocolID: WakuNode.reconciliationProtocol)
            try await stream.writeMessage(Self.firstPayload())
            _ = try await stream.readMessage(timeout: .seconds(5))
            let outside = RangesData(ranges: [
                SyncRange(
                    lower: .bound(Self.start - 1_000_000_000_000),
                    upper: .bound(Self.start),
                    kind: .fingerprint(.max)
                )
            ]).encoded()
            try await stream.writeMessage(outside)
            let reason = await Self.failure(on: events)
            #expect(reason?.contains("outsideWindow") == true, "\(reason ?? "-")")
        }
    }

    @Test("a flood of unsolicited pushes is counted and dropped, memory stays bounded")
    func transferFlood() async throws {
        try await Self.withTarget { target, rogue, peer in
            let events = target.events.subscribe()
            let before = Self.residentBytes()
            let stream = try await rogue.openStream(to: peer, protocolID: WakuNode.transferProtocol)
            let flood = NodeCluster.messages(20_000, seed: 3, now: NodeCluster.now).map { $0.serialized() }
            for payload in flood { try await stream.writeMessage(payload) }
            await stream.close()
            let dropped = Mutex(0)
            let total = flood.count
            _ = await NodeCluster.event(on: events) { event in
                guard case .rejected(let rejected) = event, rejected.reason == .noSession else { return false }
                return dropped.withLock {
                    $0 += rejected.count
                    return $0 >= total
                }
            }
            #expect(dropped.withLock { $0 } == flood.count)
            #expect(try await target.storedHashes().isEmpty)
            #expect(Self.residentBytes() - before < 200 << 20)
        }
    }

    @Test("a flood of streams on one connection: the excess is refused, the connection survives")
    func streamFlood() async throws {
        try await Self.withTarget { target, rogue, peer in
            var opened: [Libp2pStream] = []
            var refused = 0
            for _ in 0..<400 {
                do {
                    opened.append(
                        try await rogue.openStream(
                            to: peer,
                            protocolID: WakuNode.metadataProtocol,
                            timeout: .seconds(5)
                        )
                    )
                } catch {
                    refused += 1
                }
            }
            #expect(opened.count <= 256 && refused >= 144, "opened \(opened.count), refused \(refused)")
            for stream in opened { stream.reset() }
            // The connection itself is still usable once the streams are gone.
            let reply = try await NodeCluster.eventually(timeout: .seconds(20)) {
                let stream = try await rogue.openStream(
                    to: peer,
                    protocolID: WakuNode.metadataProtocol,
                    timeout: .seconds(5)
                )
                try await stream.writeMessage(MetadataMessage(clusterID: 0, shards: []).serialized())
                let answer = try await stream.readMessage(timeout: .seconds(5))
                await stream.close()
                return answer != nil
            }
            #expect(reply)
            _ = target
        }
    }

    @Test("a slow-loris connection is dropped when the upgrade times out")
    func slowLoris() async throws {
        try await Self.withTarget(configure: { $0.upgradeTimeout = .seconds(3) }) { target, _, _ in
            let address = try Multiaddr(parsing: try #require(target.listenAddresses.first))
            guard case .tcp(let port)? = address.components.first(where: { if case .tcp = $0 { true } else { false } })
            else {
                Issue.record("no tcp port in \(address)")
                return
            }
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: Int(port)).get()
            let header = Array("\u{13}/multistream/1.0.0\n".utf8)
            // One byte every 500 ms: the 3 s upgrade limit cuts it off long before it is done.
            for byte in header where channel.isActive {
                try? await channel.writeAndFlush(channel.allocator.buffer(bytes: [byte])).get()
                try await Task.sleep(for: .milliseconds(500))
            }
            let closed = try await NodeCluster.eventually(timeout: .seconds(10)) { !channel.isActive }
            #expect(closed, "the node closes a connection that does not finish its upgrade in time")
            try? await channel.close()
        }
    }

    static func residentBytes() -> Int {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        return (statm.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0)
            * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
