package import Foundation

#if canImport(Glibc)
internal import Glibc
#endif

/// Reads a child process's output line by line on a dispatch thread, so the blocking reads never
/// hold a thread of the cooperative pool.
package final class LineReader: @unchecked Sendable {
    // Invariant: `handle` and `buffer` are only touched from `queue`, a serial queue, and each
    // call waits for its block to finish before the next one is made.
    private let handle: FileHandle
    private let queue = DispatchQueue(label: "line-reader")
    private var buffer = Data()

    package init(_ handle: FileHandle) {
        self.handle = handle
    }

    /// Lines read until `enough` says the collected lines suffice, the pipe closed, or `timeout`
    /// passed: a child that never prints the awaited line fails its test instead of hanging the
    /// suite (a test's time limit cannot interrupt a blocked read).
    package func read(
        timeout: Duration = .seconds(90),
        until enough: @escaping @Sendable ([String]) -> Bool
    ) async -> [String] {
        let deadline = ContinuousClock.now + timeout
        return await withCheckedContinuation { continuation in
            self.queue.async {
                var lines: [String] = []
                while !enough(lines) {
                    if let newline = self.buffer.firstIndex(of: UInt8(ascii: "\n")) {
                        lines.append(String(decoding: self.buffer[..<newline], as: UTF8.self))
                        self.buffer.removeSubrange(...newline)
                        continue
                    }
                    guard let chunk = self.nextChunk(before: deadline) else { break }
                    self.buffer.append(chunk)
                }
                continuation.resume(returning: lines)
            }
        }
    }

    /// Closes the pipe's read end; later reads find nothing.
    package func close() {
        self.queue.sync { try? self.handle.close() }
    }

    /// The next line, or nil once the pipe closed or `timeout` passed.
    package func next(timeout: Duration = .seconds(90)) async -> String? {
        await self.read(timeout: timeout) { !$0.isEmpty }.first
    }

    /// Bytes that arrived before `deadline`; nil at end of file, on error or when it passed.
    private func nextChunk(before deadline: ContinuousClock.Instant) -> Data? {
        let descriptor = self.handle.fileDescriptor
        while true {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { return nil }
            let (seconds, attoseconds) = left.components
            let milliseconds = Int32(clamping: seconds * 1_000 + attoseconds / 1_000_000_000_000_000 + 1)
            var request = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&request, 1, milliseconds)
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { return nil }
            var bytes = [UInt8](repeating: 0, count: 65_536)
            let count = bytes.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return nil }
            return Data(bytes[..<count])
        }
    }
}
