import Testing

@testable import WakuNode

@Suite("Relay frame queue")
struct FrameQueueTests {
    @Test("frames queued during a write are taken together, in order, within the byte cap")
    func takesInBatches() async {
        let queue = FrameQueue(limit: 10, takeBytes: 5)
        for byte in UInt8(1)...4 { #expect(queue.push([byte, byte]) == .queued) }
        #expect(await queue.take() == [[1, 1], [2, 2]])
        #expect(await queue.take() == [[3, 3], [4, 4]])
        // One frame above the cap still goes, alone.
        #expect(queue.push(Array(repeating: 9, count: 8)) == .queued)
        #expect(queue.push([5]) == .queued)
        #expect(await queue.take() == [Array(repeating: 9, count: 8)])
        #expect(await queue.take() == [[5]])
    }

    @Test("a full queue refuses frames; a finished one drains, then ends")
    func fullAndFinished() async {
        let queue = FrameQueue(limit: 2)
        #expect(queue.push([1]) == .queued)
        #expect(queue.push([2]) == .queued)
        #expect(queue.push([3]) == .full)
        queue.finish()
        #expect(queue.push([4]) == .finished)
        #expect(await queue.take() == [[1], [2]])
        #expect(await queue.take() == nil)
    }

    @Test("a waiting writer wakes for a frame, for the finish, and for cancellation")
    func wakesWriter() async {
        let queue = FrameQueue(limit: 4)
        let writer = Task { await queue.take() }
        await Task.yield()
        #expect(queue.push([7]) == .queued)
        #expect(await writer.value == [[7]])

        let finished = Task { await queue.take() }
        queue.finish()
        #expect(await finished.value == nil)

        let open = FrameQueue(limit: 4)
        let cancelled = Task { await open.take() }
        cancelled.cancel()
        #expect(await cancelled.value == nil)
    }
}
