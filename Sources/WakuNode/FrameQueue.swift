internal import Synchronization

/// The frames waiting for one relay peer's stream: bounded in count, and taken by the writer all
/// at once, so frames queued while a write was under way go out together in the next write (one
/// trip through the muxer, Noise and the socket instead of one per frame).
final class FrameQueue: Sendable {
    /// What ``push(_:)`` did with a frame.
    enum PushResult: Equatable {
        case queued
        /// The queue holds its limit: the peer does not keep up.
        case full
        /// The queue was finished: the frame is dropped.
        case finished
    }

    private struct State {
        var frames: [[UInt8]] = []
        var isFinished = false
        var writer: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())
    /// Frames held at most.
    let limit: Int
    /// Bytes handed to the writer at most in one take (a single frame larger than this still goes).
    let takeBytes: Int

    init(limit: Int, takeBytes: Int = 256 << 10) {
        self.limit = max(limit, 1)
        self.takeBytes = takeBytes
    }

    /// Queues `frame` for the writer.
    func push(_ frame: [UInt8]) -> PushResult {
        let (result, writer) = self.state.withLock { state -> (PushResult, CheckedContinuation<Void, Never>?) in
            if state.isFinished { return (.finished, nil) }
            if state.frames.count >= self.limit { return (.full, nil) }
            state.frames.append(frame)
            defer { state.writer = nil }
            return (.queued, state.writer)
        }
        writer?.resume()
        return result
    }

    /// No more frames are taken; the writer gets what is queued, then nil.
    func finish() {
        let writer = self.state.withLock { state in
            state.isFinished = true
            defer { state.writer = nil }
            return state.writer
        }
        writer?.resume()
    }

    /// The frames queued so far (up to ``takeBytes``), waiting while there are none; nil once
    /// the queue is finished and empty, or when the task is cancelled. One writer at a time.
    func take() async -> [[UInt8]]? {
        while true {
            let taken = self.state.withLock { state -> [[UInt8]]? in
                guard !state.frames.isEmpty else { return nil }
                var bytes = 0
                var count = 0
                for frame in state.frames {
                    if count > 0 && bytes + frame.count > self.takeBytes { break }
                    bytes += frame.count
                    count += 1
                }
                if count == state.frames.count {
                    defer { state.frames.removeAll(keepingCapacity: true) }
                    return state.frames
                }
                defer { state.frames.removeFirst(count) }
                return Array(state.frames[..<count])
            }
            if let taken { return taken }
            if Task.isCancelled || self.state.withLock({ $0.isFinished }) { return nil }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let resumeNow = self.state.withLock { state in
                        guard state.frames.isEmpty, !state.isFinished, !Task.isCancelled else { return true }
                        state.writer = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            } onCancel: {
                self.state.withLock { state in
                    defer { state.writer = nil }
                    return state.writer
                }?.resume()
            }
        }
    }
}
