import Foundation
import Libp2p
import NodeEvents
import Testing
import WakuArchive
import WakuCore
import WakuNode
import WakuTestSupport

/// Reconciliation frames built to expand in memory: a range costs 2 bytes on the wire and about
/// 128 decoded, so without range caps and a global frame budget a first payload of a few MiB makes
/// a node hold hundreds. Measured on a `wakusync run --headless` child, whose peak resident size
/// (`VmHWM`) covers everything it ever held.
@Suite("Attacks on a node's memory", .timeLimit(.minutes(3)))
struct AttackMemoryTests {
    /// What the node may reach while under attack.
    static let peakLimit = 256 << 20

    @Test(
        "tiny-range first frames of 8 MiB and 47 MiB are refused without a reply, the node's peak memory stays under 256 MiB, and an honest peer syncs afterwards"
    )
    func tinyRangeFrames() async throws {
        let directory = try TemporaryDirectory(prefix: "wakusync-tiny-ranges")
        defer { directory.remove() }
        let dataDir = directory.file("child").path
        let child = try await HeadlessNode.start(dataDir: dataDir)
        defer { child.kill() }
        Self.report("started", child)
        try await RoguePeer.with { rogue in
            let peer = try await rogue.dial(try Multiaddr(parsing: child.address))
            // The first is cut by the range cap as it decodes; the second reserves more than the
            // whole frame budget (twice its length plus its possible ranges) and is not decoded.
            let attacks = [(8 << 20, Ranges.skip, "ranges in one payload"), (47 << 20, .emptyItemSet, "budget")]
            for (size, kind, reason) in attacks {
                let reply = try await Self.send(Self.frame(of: size, kind), from: rogue, to: peer)
                #expect(reply == nil, "no reply to a refused session")
                let lines = await child.lines.read { $0.contains(where: Self.isRefusal) }
                let refusal = lines.first(where: Self.isRefusal)
                #expect(refusal?.contains(reason) == true, "\(lines)")
                Self.report("after a \(size >> 20) MiB frame of \(kind)", child)
            }
        }
        let peak = child.memory().peak
        #expect(peak < Self.peakLimit, "peak resident memory \(peak >> 20) MiB")
        try await Self.syncHonestly(into: child, dataDir: dataDir, seed: 91)
    }

    @Test(
        "six peers sending 8 MiB tiny-range frames at once are held to the global frame budget: three are refused on their length alone; peak memory stays under 256 MiB"
    )
    func manyPeersAtOnce() async throws {
        let directory = try TemporaryDirectory(prefix: "wakusync-tiny-many")
        defer { directory.remove() }
        let dataDir = directory.file("child").path
        let child = try await HeadlessNode.start(dataDir: dataDir)
        defer { child.kill() }
        Self.report("started", child)
        let frame = Self.frame(of: 8 << 20, .skip)
        let prefix = Varint.encode(UInt64(frame.count))
        let address = try Multiaddr(parsing: child.address)
        try await Self.withRogues(6) { rogues in
            // Each peer sends its frame's length and its first KiB, so all six frames are in
            // flight at once; a frame reserves its share of the budget on its length.
            let streams = try await withThrowingTaskGroup(of: Libp2pStream.self) { group in
                for rogue in rogues {
                    group.addTask {
                        let peer = try await rogue.dial(address)
                        let stream = try await rogue.openStream(to: peer, protocolID: WakuNode.reconciliationProtocol)
                        try await stream.write(prefix + frame[..<1_024])
                        return stream
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            // Each frame reserves about 32 MiB of the 96 MiB budget: the fourth cannot. (Well
            // inside the node's 30 s round timeout, which would end the sessions otherwise.)
            let early = await child.lines.read(timeout: .seconds(10)) { $0.count(where: Self.isBudgetRefusal) >= 3 }
            #expect(
                early.count(where: Self.isBudgetRefusal) == 3,
                "three frames refused by the budget before their bytes arrived: \(early)"
            )
            let replies = await withTaskGroup(of: [UInt8]?.self) { group in
                for stream in streams {
                    group.addTask { await Self.finish(stream, with: Array(frame[1_024...])) }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(replies.count == 6 && replies.allSatisfy { $0 == nil }, "no session gets a reply")
            let late = await child.lines.read(timeout: .seconds(60)) { ($0 + early).count(where: Self.isRefusal) >= 6 }
            #expect((early + late).count(where: Self.isRefusal) == 6, "\(early + late)")
        }
        Self.report("after six 8 MiB frames at once", child)
        let peak = child.memory().peak
        #expect(peak < Self.peakLimit, "peak resident memory \(peak >> 20) MiB")
        try await Self.syncHonestly(into: child, dataDir: dataDir, seed: 92)
    }

    // MARK: - Helpers

    enum Ranges: CustomStringConvertible {
        /// 2 bytes each: a time delta of 1 and the type.
        case skip
        /// 4 bytes each: delta, type, an item count of 0 and the reconciled flag.
        case emptyItemSet

        var unit: [UInt8] {
            switch self {
            case .skip: [1, 0]
            case .emptyItemSet: [1, 2, 0, 0]
            }
        }

        var description: String { self == .skip ? "Skip ranges" : "empty item sets" }
    }

    /// A first payload of exactly `size` bytes (give or take a unit): no topics, a lower bound half
    /// an hour ago, then nothing but `kind` ranges, each 1 ns wide.
    static func frame(of size: Int, _ kind: Ranges) -> [UInt8] {
        let header: [UInt8] = [0, 0] + Varint.encode(UInt64(NodeCluster.now - 1_800_000_000_000))
        let unit = kind.unit
        let count = (size - header.count) / unit.count
        var bytes = [UInt8](repeating: 0, count: header.count + count * unit.count)
        bytes.withUnsafeMutableBufferPointer { buffer in
            for (offset, byte) in header.enumerated() { buffer[offset] = byte }
            var offset = header.count
            while offset < buffer.count {
                // Zero bytes are already in place; only the delta and the type are written.
                buffer[offset] = unit[0]
                buffer[offset + 1] = unit[1]
                offset += unit.count
            }
        }
        return bytes
    }

    /// Opens a session with `peer` whose first payload is `frame`; returns the reply, or nil when
    /// the node closed or reset the stream without one.
    static func send(_ frame: [UInt8], from rogue: Libp2pHost, to peer: PeerID) async throws -> [UInt8]? {
        let stream = try await rogue.openStream(
            to: peer,
            protocolID: WakuNode.reconciliationProtocol,
            timeout: .seconds(10)
        )
        return await Self.finish(stream, with: Varint.encode(UInt64(frame.count)) + frame)
    }

    /// Writes the rest of a frame, a MiB at a time (one write of 47 MiB can outlast the 30 s write
    /// timeout on a loaded machine), and returns the reply, or nil when the node closed or reset
    /// the stream without one.
    static func finish(_ stream: Libp2pStream, with rest: [UInt8]) async -> [UInt8]? {
        defer { stream.reset() }
        do {
            for start in stride(from: 0, to: rest.count, by: 1 << 20) {
                try await stream.write(Array(rest[start..<min(start + (1 << 20), rest.count)]))
            }
        } catch {
            // Refused before the whole frame was read: the node reset the stream.
            return nil
        }
        return (try? await stream.readMessage(maxSize: 1 << 20, timeout: .seconds(60))) ?? nil
    }

    /// The headless line of a session ended by a reconciliation limit or budget.
    static func isRefusal(_ line: String) -> Bool {
        line.contains("limit reached") && line.contains("limit=reconciliation")
    }

    /// The headless line of a frame refused by the global reconciliation frame budget.
    static func isBudgetRefusal(_ line: String) -> Bool {
        Self.isRefusal(line) && line.contains("reconciliation frame budget")
    }

    /// `count` rogue hosts around `body`.
    static func withRogues<T: Sendable>(
        _ count: Int,
        _ hosts: [Libp2pHost] = [],
        _ body: @escaping @Sendable ([Libp2pHost]) async throws -> T
    ) async throws -> T {
        guard hosts.count < count else { return try await body(hosts) }
        return try await RoguePeer.with { host in try await Self.withRogues(count, hosts + [host], body) }
    }

    /// An honest node syncs 200 messages into the child, which stores them all and then stops
    /// cleanly on SIGTERM.
    static func syncHonestly(into child: HeadlessNode, dataDir: String, seed: UInt64) async throws {
        try await NodeCluster.with(1) { nodes in
            let messages = NodeCluster.messages(200, seed: seed, now: NodeCluster.now)
            await nodes[0].publish(messages)
            let peer = try await nodes[0].connect(to: child.address)
            let end = try #require(await nodes[0].syncNow(with: peer))
            #expect(end.outcome == .reconciled)
            let watcher = try Archive.openExisting(path: dataDir + "/archive.sqlite3")
            defer { try? watcher.close() }
            let complete = try await NodeCluster.eventually(timeout: .seconds(60)) {
                try await watcher.stats().count == messages.count
            }
            #expect(complete, "the attacked node still takes an honest sync")
        }
        #expect(child.terminate(), "SIGTERM stops the node")
    }

    static func report(_ moment: String, _ child: HeadlessNode) {
        let memory = child.memory()
        print("AttackMemoryTests: \(moment): resident \(memory.resident >> 20) MiB, peak \(memory.peak >> 20) MiB")
    }
}
