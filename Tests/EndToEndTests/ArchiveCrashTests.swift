import Foundation
import Testing
import WakuArchive
import WakuArchivePostgres
import WakuCore
import WakuTestSupport

@Suite("Archive crash safety")
struct ArchiveCrashTests {
    static let lineCount = 40_000
    static let batchSize = 500

    @Test(
        "an import killed with SIGKILL mid-run leaves a sound database holding every acknowledged batch",
        .timeLimit(.minutes(3)),
        arguments: Backend.allCases
    )
    func killedImport(backend: Backend) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let dataDir = directory.file("node")
        let target = try await CommandArchive.make(backend, in: dataDir)
        let file = directory.file("in.jsonl")
        let hashes = try Self.writeInput(to: file)
        do {
            try await Self.killThreeTimes(target, dataDir: dataDir, file: file, hashes: hashes)
            await target.remove()
        } catch {
            await target.remove()
            throw error
        }
    }

    private static func killThreeTimes(
        _ target: CommandArchive,
        dataDir: URL,
        file: URL,
        hashes: [MessageHash]
    ) async throws {

        // Three runs on the same data directory, killed at different points; each run imports
        // the file from the start again (the batches already stored come back as duplicates).
        var highest = 0
        for killAfter in [2, 5, 9] {
            let acks = try await Self.importKilled(after: killAfter, file: file, target: target)
            try #require(acks.count >= killAfter)
            try #require(acks.count < Self.lineCount / Self.batchSize, "the import finished before it was killed")

            let archive: any MessageArchive
            if let database = target.database {
                archive = try await PostgresArchive.open(database.location)
            } else {
                let sqlite = try Archive(path: dataDir.appendingPathComponent("archive.sqlite3").path)
                #expect(try await sqlite.integrityCheck() == ["ok"])
                archive = sqlite
            }
            // Every acknowledged batch is there.
            for ack in acks {
                let wanted = Array(hashes[(ack.firstLine - 1)..<ack.lastLine])
                #expect(try await archive.messages(withHashes: wanted).count == wanted.count, "batch \(ack)")
            }
            // Batches are atomic: what is stored is exactly the first k batches, k at least the
            // acknowledged ones (the last commit may have happened just before its
            // acknowledgement was printed).
            let stored = try await archive.stats().count
            #expect(stored % Self.batchSize == 0)
            #expect(stored >= acks.count * Self.batchSize)
            #expect(stored >= highest)
            #expect(try await archive.messages(withHashes: Array(hashes.prefix(stored))).count == stored)
            #expect(try await archive.messages(withHashes: Array(hashes.dropFirst(stored))).isEmpty)
            // The audit buckets were written in the same transactions as the messages.
            let check = try await archive.checkAuditBuckets(repair: false)
            #expect(check.isConsistent, "\(check.examples)")
            #expect(check.messages == stored)
            highest = stored
            try await archive.close()
        }
    }

    /// Runs `archive import --progress` on `file` and SIGKILLs it right after the `after`-th
    /// acknowledgement; returns every acknowledgement it printed.
    private static func importKilled(after: Int, file: URL, target: CommandArchive) async throws -> [ImportAck] {
        let process = Process()
        process.executableURL = Executables.wakusync
        process.arguments =
            ["archive", "import", file.path, "--batch-size", "\(Self.batchSize)", "--progress"] + target.arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let reader = AckReader(output.fileHandleForReading)
        let early = await reader.read(untilAcks: after)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL)
        return early + (await reader.read(untilAcks: .max))
    }

    /// Writes `lineCount` distinct messages with 200-byte payloads; returns their hashes by line.
    private static func writeInput(to file: URL) throws -> [MessageHash] {
        var text = ""
        var hashes: [MessageHash] = []
        hashes.reserveCapacity(Self.lineCount)
        for index in 0..<Self.lineCount {
            let message = WakuMessage(
                payload: (0..<200).map { UInt8(truncatingIfNeeded: index &* 7 &+ $0) }
                    + withUnsafeBytes(of: index, Array.init),
                contentTopic: "/crash/1/test/proto",
                // 10 ms apart: the 40 000 messages span seven audit minutes.
                timestamp: 1_700_000_000_000_000_000 + Int64(index) * 10_000_000
            )
            let topic = "/waku/2/rs/1/\(index % 4)"
            hashes.append(message.hash(pubsubTopic: topic))
            text +=
                "{\"pubsubTopic\":\"\(topic)\",\"message\":{\"payload\":\"\(Data(message.payload).base64EncodedString())\","
            text += "\"contentTopic\":\"\(message.contentTopic)\",\"timestamp\":\(message.timestamp)}}\n"
        }
        try Data(text.utf8).write(to: file)
        return hashes
    }
}

/// One `committed batch N: lines A-B, ...` line of `archive import --progress`.
struct ImportAck: Sendable, CustomStringConvertible {
    var firstLine: Int
    var lastLine: Int

    var description: String { "lines \(self.firstLine)-\(self.lastLine)" }
}

/// Reads acknowledgement lines from the child's standard output.
struct AckReader {
    private let lines: LineReader

    init(_ handle: FileHandle) {
        self.lines = LineReader(handle)
    }

    /// Acknowledgements read until `count` were seen or the pipe closed.
    func read(untilAcks count: Int) async -> [ImportAck] {
        await self.lines.read { $0.compactMap(Self.parse).count >= count }.compactMap(Self.parse)
    }

    private static func parse(_ line: String) -> ImportAck? {
        guard line.hasPrefix("committed batch "), let range = line.range(of: "lines ") else { return nil }
        let numbers = line[range.upperBound...].prefix { $0 != "," }.split(separator: "-")
        guard numbers.count == 2, let first = Int(numbers[0]), let last = Int(numbers[1]) else { return nil }
        return ImportAck(firstLine: first, lastLine: last)
    }
}
