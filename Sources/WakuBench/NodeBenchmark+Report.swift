internal import Foundation

extension NodeBenchmark {
    /// The figures of one run.
    package struct Report: Codable {
        var items: Int
        var differing: Double
        var differences: Int
        var syncWallSeconds: Double
        /// From the start until the initiator's session ended.
        var sessionWallSeconds: Double
        /// From the start until each archive held the union (initiator, responder).
        var storedWallSeconds: [Double]
        var rounds: Int
        var reconciliationBytes: Int
        var converged: Bool
        var idlePeers: Int
        var idleSeconds: Double
        var idleCPUPercent: Double?

        /// The figures as lines of text; the idle node's only when it was watched.
        package var table: String {
            var text = """
                two nodes on loopback, \(self.items) messages each, \(self.differences) differences (wall clock)
                  session + transfer until both archives hold the union: \(String(format: "%.2f", self.syncWallSeconds)) s \
                (\(self.rounds) rounds, \(self.reconciliationBytes) reconciliation bytes), converged: \(self.converged ? "yes" : "NO")
                    session ended after \(String(format: "%.3f", self.sessionWallSeconds)) s; \
                initiator's archive complete after \(String(format: "%.3f", self.storedWallSeconds[0])) s, \
                responder's after \(String(format: "%.3f", self.storedWallSeconds[1])) s
                """
            if let cpu = self.idleCPUPercent {
                text +=
                    "\n  idle node with \(self.idlePeers) peers: \(String(format: "%.2f", cpu)) % of one core over \(self.idleSeconds) s"
            }
            return text
        }
    }
}
