internal import Foundation
internal import WakuNode

extension NodeBenchmark {
    /// Runs a headless node as a child (``idleNodeArguments``), connects 10 in-process peers to it
    /// and reads its CPU time from /proc while it idles: percent of one core.
    func measureIdle(base: URL) async throws -> Double {
        let (process, output) = try OwnExecutable.start(
            self.idleNodeArguments + ["--data-dir", base.appendingPathComponent("idle").path],
            quiet: true
        )
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let firstLine = String(decoding: output.availableData, as: UTF8.self)
        guard let address = firstLine.split(separator: "\n").first.map(String.init), address.hasPrefix("/ip4/") else {
            throw BenchFailure("the idle node did not print its address")
        }
        let peers = try (0..<10).map { try LoopbackNode.make("peer-\($0)", in: base, listen: false) }
        return try await withThrowingTaskGroup(of: Void.self) { group in
            for peer in peers { group.addTask { try await peer.run() } }
            defer { for peer in peers { peer.stop() } }
            for peer in peers {
                try await peer.waitUntilStarted()
                _ = try await peer.connect(to: address)
            }
            try await Task.sleep(for: .seconds(2))
            let before = try Measurement.processCPUTime(of: process.processIdentifier)
            try await Task.sleep(for: .seconds(self.idleSeconds))
            let after = try Measurement.processCPUTime(of: process.processIdentifier)
            for peer in peers { peer.stop() }
            try await group.waitForAll()
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
            return (after - before).seconds / self.idleSeconds * 100
        }
    }
}
