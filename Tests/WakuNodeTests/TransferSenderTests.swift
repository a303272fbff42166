import Foundation
import Libp2p
import Synchronization
import Testing
import WakuArchive
import WakuCore
import WakuTestSupport

@testable import WakuNode

@Suite("Pushing to one peer", .timeLimit(.minutes(1)))
struct TransferSenderTests {
    @Test("two pushes to one peer started at once deliver every message over one stream")
    func concurrentPushes() async throws {
        let directory = try TemporaryDirectory(prefix: "wakusync-pushes")
        defer { directory.remove() }
        let now = NodeCluster.now
        let first = NodeCluster.messages(300, seed: 81, now: now)
        let second = NodeCluster.messages(300, seed: 82, now: now)
        let archive = try Archive(path: directory.file("archive.sqlite3").path)
        defer { try? archive.close() }
        _ = try await archive.insert(
            (first + second).map { ArchivedMessage(pubsubTopic: $0.pubsubTopic, message: $0.message, source: .relay) }
        )
        let received = Received()
        try await Hostile.withHosts(2, listen: true) { hosts in
            let (sending, receiving) = (hosts[0], hosts[1])
            receiving.register(protocolID: WakuNode.transferProtocol) { stream in
                received.streamOpened()
                while let frame = try await stream.readMessage(timeout: .seconds(30)) {
                    let payload = try TransferPayload(serialized: frame)
                    received.add(payload.message.hash(pubsubTopic: payload.pubsubTopic))
                }
                await stream.close()
            }
            let address = try #require(await receiving.listenAddressesWithPeerID.first)
            let peer = try await sending.dial(address)
            let sender = TransferSender(host: sending, archive: archive)
            // Both sessions ended at once: neither push finds a stream to the peer yet.
            async let pushedFirst = sender.push(first.map(Hostile.hash), to: peer)
            async let pushedSecond = sender.push(second.map(Hostile.hash), to: peer)
            let reports = await [pushedFirst, pushedSecond]
            #expect(reports.allSatisfy { $0.failure == nil && $0.sent.count == 300 }, "\(reports.map(\.failure))")
            await sender.closeAll()
            let all = Set((first + second).map(Hostile.hash))
            let arrived = try await NodeCluster.eventually { received.hashes == all }
            #expect(arrived, "\(all.subtracting(received.hashes).count) of \(all.count) pushes lost")
            #expect(received.streams == 1, "the second push waits for the first and shares its stream")
        }
    }
}

/// What the receiving host saw.
private final class Received: Sendable {
    private let state = Mutex<(hashes: Set<MessageHash>, streams: Int)>(([], 0))

    func streamOpened() { self.state.withLock { $0.streams += 1 } }
    func add(_ hash: MessageHash) { _ = self.state.withLock { $0.hashes.insert(hash) } }
    var hashes: Set<MessageHash> { self.state.withLock { $0.hashes } }
    var streams: Int { self.state.withLock { $0.streams } }
}
