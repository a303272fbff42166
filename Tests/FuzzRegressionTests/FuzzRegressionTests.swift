import Foundation
import FuzzTargets
import Testing

/// Every committed corpus seed and every committed crasher (`Fuzz/corpus/<target>/`,
/// `Fuzz/crashers/<target>/`) runs through the same entry point the fuzzer drives, so a fixed
/// crash stays fixed. A violated invariant traps, which fails the test run.
@Suite("fuzz regression")
struct FuzzRegressionTests {
    private static let fuzzDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz", isDirectory: true)

    @Test(
        "the corpus seeds and crashers of every target run without a violated invariant",
        arguments: FuzzTarget.all.map(\.name)
    )
    func replay(targetName: String) throws {
        let target = try #require(FuzzTarget.named(targetName))
        let seeds = try Self.inputs(in: "corpus", targetName)
        #expect(!seeds.isEmpty, "no committed seeds for \(targetName)")
        for input in try seeds + Self.inputs(in: "crashers", targetName) {
            target.run(input)
        }
    }

    @Test("every corpus and crasher directory names a fuzz target")
    func directoriesNameTargets() throws {
        for kind in ["corpus", "crashers"] {
            let folder = Self.fuzzDirectory.appendingPathComponent(kind, isDirectory: true)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            for name in names where !name.hasPrefix(".") {
                #expect(FuzzTarget.named(name) != nil, "Fuzz/\(kind)/\(name) is not a fuzz target")
            }
        }
    }

    private static func inputs(in kind: String, _ target: String) throws -> [[UInt8]] {
        let folder = Self.fuzzDirectory.appendingPathComponent(kind, isDirectory: true)
            .appendingPathComponent(target, isDirectory: true)
        guard FileManager.default.fileExists(atPath: folder.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
            .filter { !$0.hasPrefix(".") }
            .map { [UInt8](try Data(contentsOf: folder.appendingPathComponent($0))) }
    }
}
