import Foundation
import Testing
import WakuTestSupport

@Suite("wakusync bench relay", .timeLimit(.minutes(2)))
struct BenchRelayTests {
    @Test("a short run through the line delivers every message at C and reports latency")
    func shortRun() throws {
        let run = try ChildProcess.run(
            Executables.wakusync,
            ["bench", "relay", "--messages", "200", "--json"],
            timeout: .seconds(90)
        )
        #expect(run.status == 0, "\(run.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8))
        let report = try #require(object as? [String: Any])
        #expect(report["published"] as? Int == 200)
        #expect(report["delivered"] as? Int == 200)
        #expect(report["lost"] as? Int == 0)
        for key in [
            "latencyP50Milliseconds", "latencyP99Milliseconds", "cpuMicrosecondsPerMessage",
            "cpuMicrosecondsPerMessagePerNode",
        ] {
            let value = try #require(report[key] as? Double, "\(key) missing")
            #expect(value > 0, "\(key)")
        }
    }
}
