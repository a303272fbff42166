import Foundation
import NIOCore
import Testing

@testable import Libp2p

@Suite("stream buffer: assembling messages")
struct StreamBufferTests {
    /// A uvarint length prefix followed by `count` junk bytes, cut into chunks of `chunk` bytes.
    static func message(_ count: Int, chunk: Int) -> [ByteBuffer] {
        var bytes: [UInt8] = []
        UVarint.append(UInt64(count), to: &bytes)
        bytes += [UInt8](repeating: 0xa5, count: count)
        return bytes.chunks(ofSize: chunk).map { ByteBuffer(bytes: $0) }
    }

    @Test("a message arriving in many small chunks grows its buffer with the bytes, never copying it per chunk")
    func growsWithTheBytes() throws {
        let size = 4 << 20
        let buffer = StreamBuffer(reportThreshold: 128 * 1024)
        var storages: [UInt] = []
        var message: ByteBuffer?
        for chunk in Self.message(size, chunk: 16 * 1024) {
            buffer.append(chunk)
            if case .bytes(let bytes, _) = try buffer.takeMessage(maximumLength: 64 << 20) { message = bytes }
            guard let progress = buffer.collecting else { continue }
            #expect(progress.capacity <= max(2 * progress.bytes, 64), "\(progress)")
            if storages.last != progress.storage { storages.append(progress.storage) }
        }
        #expect(message?.readableBytes == size)
        // Doubling from 16 KiB to 4 MiB moves the storage at most 9 times; a copy per chunk, 256 times.
        #expect(storages.count <= 12, "the partial message moved \(storages.count) times")
    }

    @Test("a peer announcing a 64 MiB message makes us allocate nothing until it sends the bytes")
    func noAllocationAhead() throws {
        let buffer = StreamBuffer(reportThreshold: 128 * 1024)
        var first = ByteBuffer()
        UVarint.write(UInt64(64 << 20), to: &first)
        first.writeBytes([1, 2, 3, 4])
        buffer.append(first)
        guard case .empty = try buffer.takeMessage(maximumLength: 64 << 20) else {
            Issue.record("a 4-byte start of a 64 MiB message was returned")
            return
        }
        let progress = try #require(buffer.collecting)
        #expect(progress.bytes == 4)
        #expect(progress.capacity <= 1024, "\(progress.capacity) bytes reserved for 4 received")
    }

    /// CPU time to assemble junk messages of 6, 12 and 24 MiB from 64 KiB chunks (what Noise
    /// frames deliver). Run with LIBP2P_BENCHMARK=1; prints the figures.
    @Test(
        "benchmark: assembling 6, 12 and 24 MiB messages",
        .enabled(if: ProcessInfo.processInfo.environment["LIBP2P_BENCHMARK"] != nil)
    )
    func benchmark() throws {
        for megabytes in [6, 12, 24] {
            let chunks = Self.message(megabytes << 20, chunk: 65_519)
            let buffer = StreamBuffer(reportThreshold: 128 * 1024)
            let start = Self.cpuTime()
            var received = 0
            for chunk in chunks {
                buffer.append(chunk)
                if case .bytes(let bytes, _) = try buffer.takeMessage(maximumLength: 64 << 20) {
                    received = bytes.readableBytes
                }
            }
            let seconds = Self.cpuTime() - start
            #expect(received == megabytes << 20)
            print("stream-buffer benchmark: \(megabytes) MiB in \(chunks.count) chunks: \(seconds) s CPU")
        }
    }

    static func cpuTime() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}

extension Array {
    func chunks(ofSize size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: self.count, by: size).map { self[$0..<Swift.min($0 + size, self.count)] }
    }
}

@Suite("stream buffer: lengths and batches")
struct StreamBufferBatchTests {
    static func frames(_ sizes: [Int]) -> ByteBuffer {
        var buffer = ByteBuffer()
        for (index, size) in sizes.enumerated() {
            UVarint.write(UInt64(size), to: &buffer)
            buffer.writeRepeatingByte(UInt8(index), count: size)
        }
        return buffer
    }

    @Test("the length of a message is known before its body, which is then collected as usual")
    func lengthFirst() throws {
        let buffer = StreamBuffer(reportThreshold: 1)
        var prefix = ByteBuffer()
        UVarint.write(300, to: &prefix)
        buffer.append(prefix)
        guard case .length(300, _) = try buffer.takeMessageLength(maximumLength: 1000) else {
            Issue.record("the announced length was not reported")
            return
        }
        #expect(buffer.collecting?.capacity == 0)
        buffer.append(ByteBuffer(repeating: 1, count: 300))
        guard case .bytes(let body, _) = try buffer.takeMessage(maximumLength: 1000) else {
            Issue.record("the body was not collected")
            return
        }
        #expect(body.readableBytes == 300)
        #expect(throws: Libp2pError.self) {
            buffer.append(Self.frames([2000]))
            _ = try buffer.takeMessageLength(maximumLength: 1000)
        }
    }

    @Test("complete messages are taken in a batch up to a count and a byte total; a partial one stays")
    func completeMessages() throws {
        let buffer = StreamBuffer(reportThreshold: 1)
        var bytes = Self.frames([10, 20, 30, 40])
        bytes.writeBytes([50, 1, 2])  // the start of a 50-byte message
        buffer.append(bytes)
        #expect(buffer.takeCompleteMessage(maximumLength: 100, maximumBytes: 100)?.0.readableBytes == 10)
        #expect(buffer.takeCompleteMessage(maximumLength: 100, maximumBytes: 19) == nil)
        #expect(buffer.takeCompleteMessage(maximumLength: 100, maximumBytes: 20)?.0.readableBytes == 20)
        #expect(buffer.takeCompleteMessage(maximumLength: 35, maximumBytes: 100)?.0.readableBytes == 30)
        #expect(buffer.takeCompleteMessage(maximumLength: 35, maximumBytes: 100) == nil)
        #expect(buffer.takeCompleteMessage(maximumLength: 100, maximumBytes: 100)?.0.readableBytes == 40)
        #expect(buffer.takeCompleteMessage(maximumLength: 100, maximumBytes: 100) == nil)
        #expect(buffer.bufferedBytes == 3)
    }

    @Test("unread bytes are counted in the connection's usage as they arrive and leave")
    func usageCounts() throws {
        let usage = ConnectionUsage(now: .now())
        let first = StreamBuffer(reportThreshold: 1, usage: usage)
        let second = StreamBuffer(reportThreshold: 1, usage: usage)
        first.append(Self.frames([100]))
        second.append(ByteBuffer(repeating: 0, count: 50))
        #expect(usage.unreadBytes == 151)
        _ = try first.takeMessage(maximumLength: 1000)
        #expect(usage.unreadBytes == 50)
        second.fail(Libp2pError(.streamReset, "test"))
        #expect(usage.unreadBytes == 0)
        first.append(ByteBuffer(repeating: 0, count: 70))
        first.discardIncoming { _ in }
        #expect(usage.unreadBytes == 0)
    }
}
