package import Foundation

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

    /// Lines read until `enough` says the collected lines suffice, or the pipe closed.
    package func read(until enough: @escaping @Sendable ([String]) -> Bool) async -> [String] {
        await withCheckedContinuation { continuation in
            self.queue.async {
                var lines: [String] = []
                while !enough(lines) {
                    if let newline = self.buffer.firstIndex(of: UInt8(ascii: "\n")) {
                        lines.append(String(decoding: self.buffer[..<newline], as: UTF8.self))
                        self.buffer.removeSubrange(...newline)
                        continue
                    }
                    let chunk = self.handle.availableData
                    if chunk.isEmpty { break }
                    self.buffer.append(chunk)
                }
                continuation.resume(returning: lines)
            }
        }
    }

    /// The next line, or nil once the pipe closed.
    package func next() async -> String? {
        await self.read { !$0.isEmpty }.first
    }
}
