import Foundation
import Testing
import WakuTestSupport

@Suite("wakusync demo --headless", .timeLimit(.minutes(2)))
struct DemoHeadlessTests {
    @Test(
        "the cluster converges and the report has the documented shape; the exit status says so",
        arguments: Backend.allCases
    )
    func converges(nodeOneOn backend: Backend) async throws {
        // With PostgreSQL, node 1 keeps its archive in a fresh database in nwaku's schema.
        let database = backend == .postgres ? try await PostgresTestDatabase.create() : nil
        defer { if let database { Task { await database.drop() } } }
        let result = try ChildProcess.run(
            Executables.wakusync,
            [
                "demo", "--headless", "--json", "--nodes", "3", "--rate", "20", "--loss", "0.3", "--sync-interval", "2",
                "--duration", "6",
            ] + (database.map { ["--store-message-db-url", $0.url] } ?? []),
            timeout: .seconds(90)
        )
        #expect(result.status == 0, "\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(
            Array(report.keys).sorted() == [
                "converged", "missing", "nodes", "published", "relay", "timeToConsistencySeconds", "union",
            ]
        )
        let nodes = try #require(report["nodes"] as? [[String: Any]])
        #expect(nodes.map { $0["name"] as? String } == ["node-1", "node-2", "node-3"])
        let union = try #require(report["union"] as? Int)
        let published = try #require(report["published"] as? Int)
        // Every message is kept by the node that published it through relay.
        #expect(published >= 100 && union == published)
        #expect(
            nodes.allSatisfy {
                ($0["messages"] as? Int) == union && ($0["peerId"] as? String)?.hasPrefix("16Uiu2") == true
            }
        )
        // Each node got most of the others' traffic through relay; a link drops 30 % of its
        // deliveries, so a node misses about 15 % of a message's copies over both links and sync
        // repairs those; the counts by source add up to what the node holds.
        let bySource = nodes.map { ($0["storedBySource"] as? [String: Int]) ?? [:] }
        #expect(bySource.allSatisfy { ($0["relay"] ?? 0) > union / 3 })
        #expect(bySource.map { ($0["sync"] ?? 0) + ($0["fetch"] ?? 0) }.reduce(0, +) > 0)
        #expect(bySource.allSatisfy { $0.values.reduce(0, +) == union })
        #expect(bySource.map { $0["publish"] ?? 0 }.reduce(0, +) == published)
        let relay = try #require(report["relay"] as? [String: Int])
        #expect((relay["linkDrops"] ?? 0) > 0)
        #expect((report["missing"] as? [String: Int])?.values.allSatisfy { $0 == 0 } == true)
        #expect(report["converged"] as? Bool == true)
        #expect((report["timeToConsistencySeconds"] as? Double).map { $0 >= 0 && $0 < 30 } == true)
    }

    @Test("with churn every node is restarted once per round, keeps its peers and catches up")
    func churn() throws {
        // Restarts at 5, 10 and 15 s, one round: node-1 (which dialled the others), node-3 (which
        // was only dialled) and node-2 in some order; the last comes back as the traffic stops.
        let result = try ChildProcess.run(
            Executables.wakusync,
            [
                "demo", "--headless", "--json", "--nodes", "3", "--rate", "20", "--loss", "0.2", "--sync-interval", "2",
                "--duration", "17", "--churn", "5", "--settle", "30",
            ],
            timeout: .seconds(100)
        )
        #expect(result.status == 0, "\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(report["converged"] as? Bool == true)
        #expect((report["missing"] as? [String: Int])?.values.allSatisfy { $0 == 0 } == true)
        let soak = try #require(report["soak"] as? [String: Any])
        #expect(soak["restarts"] as? Int == 3)
        #expect((soak["residentMiB"] as? [Double])?.isEmpty == false)
    }

    @Test("without loss relay alone brings every node every message; sync has nothing to repair")
    func relayWithoutLoss() throws {
        // A sync interval far beyond the run: whatever converges, relay delivered.
        let result = try ChildProcess.run(
            Executables.wakusync,
            [
                "demo", "--headless", "--json", "--nodes", "3", "--rate", "20", "--loss", "0", "--sync-interval",
                "600", "--duration", "4", "--settle", "20",
            ],
            timeout: .seconds(60)
        )
        #expect(result.status == 0, "\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(report["converged"] as? Bool == true)
        let nodes = try #require(report["nodes"] as? [[String: Any]])
        let bySource = nodes.map { ($0["storedBySource"] as? [String: Int]) ?? [:] }
        #expect(bySource.allSatisfy { Set($0.keys).isSubset(of: ["publish", "relay"]) }, "\(bySource)")
        #expect((report["relay"] as? [String: Int])?["linkDrops"] == 0)
    }

    @Test("a cluster that cannot converge in time exits 1")
    func notConverged() throws {
        // Total loss on every node but one, no settle time: the others cannot have it all yet.
        let result = try ChildProcess.run(
            Executables.wakusync,
            [
                "demo", "--headless", "--json", "--nodes", "2", "--rate", "50", "--loss", "0.9", "--sync-interval",
                "30", "--duration", "2", "--settle", "0",
            ],
            timeout: .seconds(60)
        )
        #expect(result.status == 1)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(report["converged"] as? Bool == false)
        #expect(report["timeToConsistencySeconds"] is NSNull)
    }
}
