import NIOCore
import Testing
import Synchronization

@testable import Libp2p

@Suite("reading messages: reservations and batches", .timeLimit(.minutes(1)))
struct MessageReadTests {
    static let reserveProtocol = "/test/reserve/1.0.0"

    @Test("reserve sees the announced length before the body arrives; a refusal resets the stream")
    func refusedReservation() async throws {
        try await LoopbackHosts.with { hosts, addresses in
            let (lengths, announce) = AsyncStream.makeStream(of: Int.self)
            hosts[1].register(protocolID: Self.reserveProtocol) { stream in
                _ = try await stream.readMessage(maxSize: 8 << 20) { length in
                    announce.yield(length)
                    throw Libp2pError(.limitReached, "no budget for \(length) bytes")
                }
                Issue.record("a refused message was read")
            }
            let peer = try await hosts[0].dial(addresses[1])
            let stream = try await hosts[0].openStream(to: peer, protocolID: Self.reserveProtocol)
            // The prefix of a 4 MiB message and 100 bytes of it: the rest is never sent.
            var start = ByteBuffer()
            UVarint.write(UInt64(4 << 20), to: &start)
            start.writeRepeatingByte(1, count: 100)
            try await stream.write(start)
            var iterator = lengths.makeAsyncIterator()
            #expect(await iterator.next() == 4 << 20)
            let error = await #expect(throws: Libp2pError.self) { try await stream.read(timeout: .seconds(10)) }
            #expect(error?.code == .streamReset)
        }
    }

    @Test("a granted reservation is followed by the whole message; a clean end reserves nothing")
    func grantedReservation() async throws {
        try await LoopbackHosts.with { hosts, addresses in
            hosts[1].register(protocolID: Self.reserveProtocol) { stream in
                var reserved: [Int] = []
                while let message = try await stream.readMessage(reserve: { reserved.append($0) }) {
                    #expect(reserved.last == message.count)
                    try await stream.writeMessage(Array("\(reserved.count):\(message.count)".utf8))
                }
                #expect(reserved.count == 2)
            }
            let peer = try await hosts[0].dial(addresses[1])
            let stream = try await hosts[0].openStream(to: peer, protocolID: Self.reserveProtocol)
            for size in [700_000, 0] {
                try await stream.writeMessage([UInt8](repeating: 3, count: size))
            }
            #expect(try await stream.readMessage() == Array("1:700000".utf8))
            #expect(try await stream.readMessage() == Array("2:0".utf8))
            try await stream.closeWrite()
            #expect(try await stream.readMessage() == nil)
            await stream.close()
        }
    }

    @Test("a budget kept by an actor admits messages until it is spent, then refuses with a reset")
    func actorBudget() async throws {
        try await LoopbackHosts.with { hosts, addresses in
            let (outcomes, report) = AsyncStream.makeStream(of: String.self)
            hosts[1].register(protocolID: Self.reserveProtocol) { stream in
                let reader = BudgetedReader(limit: 1000)
                do {
                    while let message = try await reader.read(stream) { report.yield("read \(message.count)") }
                } catch let error as Libp2pError {
                    report.yield("\(error.code) after \(await reader.reserved)")
                }
                report.finish()
            }
            let peer = try await hosts[0].dial(addresses[1])
            let stream = try await hosts[0].openStream(to: peer, protocolID: Self.reserveProtocol)
            for _ in 0..<2 { try await stream.writeMessage([UInt8](repeating: 1, count: 600)) }
            var received: [String] = []
            for await outcome in outcomes { received.append(outcome) }
            #expect(received == ["read 600", "limitReached after 600"])
            stream.reset()
        }
    }

    @Test("readMessages returns every complete message already received, within its count and bytes")
    func batches() async throws {
        try await LoopbackHosts.with { hosts, addresses in
            let (batches, report) = AsyncStream.makeStream(of: [Int].self)
            hosts[1].register(protocolID: Self.reserveProtocol) { stream in
                while let batch = try await stream.readMessages(maxCount: 3, maxBytes: 1000) {
                    report.yield(batch.map(\.count))
                }
                report.finish()
            }
            let peer = try await hosts[0].dial(addresses[1])
            let stream = try await hosts[0].openStream(to: peer, protocolID: Self.reserveProtocol)
            // One write, so the six messages arrive together.
            var bytes = ByteBuffer()
            for size in [100, 200, 300, 400, 500, 2000] {
                UVarint.write(UInt64(size), to: &bytes)
                bytes.writeRepeatingByte(9, count: size)
            }
            try await stream.write(bytes)
            try await stream.closeWrite()
            var received: [[Int]] = []
            for await batch in batches { received.append(batch) }
            #expect(received == [[100, 200, 300], [400, 500], [2000]])
            await stream.close()
        }
    }
}

/// A reader that keeps its budget as actor state, as a node's transfer reader might.
private actor BudgetedReader {
    private(set) var reserved = 0
    let limit: Int

    init(limit: Int) { self.limit = limit }

    func read(_ stream: Libp2pStream) async throws -> [UInt8]? {
        try await stream.readMessage(maxSize: 1 << 20) { length in
            guard self.reserved + length <= self.limit else {
                throw Libp2pError(.limitReached, "budget of \(self.limit) bytes exhausted")
            }
            self.reserved += length
        }
    }
}
