import Foundation
import Gossipsub
import Libp2p
import Synchronization
import NodeEvents
import Testing
import WakuCore
import WakuNode
import WakuTestSupport

@Suite("Relay against a hand-driven peer", .timeLimit(.minutes(2)))
struct RelayHostileTests {
    static let relayID = GossipsubProtocol.wakuRelay.rawValue

    static func publishFrame(_ message: WakuMessage, on topic: String) -> [UInt8] {
        RPC(messages: [RPC.Message(data: message.serialized(), topic: topic)]).encoded()
    }

    @Test("a wrong topic is refused, a frame over the cap resets the stream, and a later honest message is stored")
    func oversizedFrame() async throws {
        try await Self.withRogueOnRelayNode { node, host, peer in
            let ownID = host.peerID.description
            let events = node.events.subscribe()
            let stream = try await host.openStream(to: peer, protocolID: Self.relayID)
            let topic = RelayTests.topic
            try await stream.writeMessage(RPC(subscriptions: [.init(subscribe: true, topic: topic)]).encoded())
            let wrong = RelayTests.message("on a shard the node does not relay")
            try await stream.writeMessage(Self.publishFrame(wrong, on: "/waku/2/rs/0/7"))
            let refused = await NodeCluster.event(on: events) { event in
                guard case .rejected(let rejection) = event else { return false }
                return rejection.source == .relay && rejection.reason == .outsideScope && rejection.peerID == ownID
            }
            #expect(refused != nil)

            // One byte over nwaku's 153600-byte bound on a whole RPC frame.
            try await stream.writeMessage(Array(repeating: 0, count: 153_601))
            await #expect(throws: (any Error).self) {
                while try await stream.read(timeout: .seconds(10)) != nil {}
            }

            let honest = RelayTests.message("honest")
            let again = try await host.openStream(to: peer, protocolID: Self.relayID)
            try await again.writeMessage(Self.publishFrame(honest, on: topic))
            let hash = honest.hash(pubsubTopic: topic)
            let stored = try await NodeCluster.eventually { try await node.storedHashes().contains(hash) }
            #expect(stored)
            #expect(try await node.storedHashes() == [hash], "the wrong-topic message is not stored")
            await again.close()
        }
    }

    /// A relay node and a hand-driven peer connected to it, which drains the node's own relay
    /// stream to it so the node's writer never waits.
    static func withRogueOnRelayNode(
        _ body: @Sendable @escaping (WakuNode, Libp2pHost, PeerID) async throws -> Void
    ) async throws {
        try await NodeCluster.with(1, configure: { _, configuration in configuration.relay = true }) { nodes in
            let node = nodes[0]
            try await RoguePeer.with { host in
                host.register(protocolID: Self.relayID) { stream in
                    while try await stream.readMessage(maxSize: 1 << 20, timeout: .seconds(60)) != nil {}
                }
                let address = try Multiaddr(parsing: try #require(node.listenAddresses.first))
                let ownID = host.peerID.description
                let peer = try await NodeCluster.connected(to: node, by: { try await host.dial(address) }) { _ in
                    ownID
                }
                try await body(node, host, peer)
            }
        }
    }
}

extension RelayHostileTests {
    @Test("a peer proposing an id that extends the Waku relay id is served as relay, as nwaku does")
    func relayIDPrefix() async throws {
        try await Self.withRogueOnRelayNode { node, host, peer in
            let extended = Self.relayID + "-experimental"
            let stream = try await host.openStream(to: peer, protocolID: extended)
            #expect(stream.protocolID == extended, "the node echoes the id as proposed")
            let message = RelayTests.message("over an extended relay id")
            try await stream.writeMessage(Self.publishFrame(message, on: RelayTests.topic))
            let hash = message.hash(pubsubTopic: RelayTests.topic)
            #expect(try await NodeCluster.eventually { try await node.storedHashes().contains(hash) })
            await #expect(throws: Libp2pError.self) {
                _ = try await host.openStream(to: peer, protocolID: "/meshsub/1.1.0-experimental")
            }
            await stream.close()
        }
    }
}

@Suite("Relay stream redial", .timeLimit(.minutes(1)))
struct RelayRedialTests {
    @Test("when a peer resets our relay stream while connected, we open it again and subscribe first")
    func redial() async throws {
        try await NodeCluster.with(1, configure: { _, configuration in configuration.relay = true }) { nodes in
            let node = nodes[0]
            let notices = Notices(node.events.subscribe())
            try await RoguePeer.with { host in
                let (streams, arrived) = AsyncStream.makeStream(of: [UInt8].self)
                let count = StreamCounter()
                host.register(protocolID: RelayHostileTests.relayID) { stream in
                    guard count.next() > 1 else {
                        stream.reset()
                        return
                    }
                    let first = try await stream.readMessage(maxSize: 1 << 20, timeout: .seconds(20))
                    arrived.yield(first ?? [])
                    while try await stream.readMessage(maxSize: 1 << 20, timeout: .seconds(60)) != nil {}
                }
                let address = try Multiaddr(parsing: try #require(node.listenAddresses.first))
                let ownID = host.peerID.description
                _ = try await NodeCluster.connected(to: node, by: { try await host.dial(address) }) { _ in ownID }
                let first = await withTaskGroup(of: [UInt8]?.self) { group in
                    group.addTask {
                        for await frame in streams { return frame }
                        return nil
                    }
                    group.addTask {
                        try? await Task.sleep(for: .seconds(20))
                        return nil
                    }
                    let result = await group.next() ?? nil
                    group.cancelAll()
                    return result
                }
                let seen = await notices.text
                let frame = try #require(first, "the node did not open its relay stream again; notices: \(seen)")
                let rpc = try RPC(decoding: frame, limits: RPC.Limits())
                #expect(rpc.subscriptions == [RPC.Subscription(subscribe: true, topic: RelayTests.topic)])
                #expect(count.value == 2)
            }
        }
    }
}

/// A thread-safe count of calls.
final class StreamCounter: Sendable {
    private let count = Mutex(0)

    /// Counts one more and returns the new count.
    func next() -> Int {
        self.count.withLock { count in
            count += 1
            return count
        }
    }

    var value: Int { self.count.withLock { $0 } }
}
