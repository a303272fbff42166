internal import ArgumentParser
internal import Foundation
internal import WakuArchive

/// `wakusync archive import FILE`: JSON lines into the archive, in batches.
struct ArchiveImport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import messages from a JSON-lines file (- for standard input).",
        discussion: """
            One message per line:
              {"pubsubTopic":T,"message":{"payload":BASE64,"contentTopic":C,"version":N,
               "timestamp":NS,"meta":BASE64,"ephemeral":BOOL},"hash":HEX}
            meta, version, ephemeral and hash are optional; a given hash must match
            the message. Each bad line is reported on standard error as
            "line N: reason" and skipped; the good lines are still imported.
            The exit status is 0 only when no line failed.
            """
    )

    @Argument(help: ArgumentHelp("The JSON-lines file, or - for standard input.", valueName: "FILE"))
    var file: String

    @OptionGroup var dataDir: DataDirOptions

    @OptionGroup var archiveOptions: ArchiveOptions

    @OptionGroup var config: ConfigFileOption

    @Option(help: ArgumentHelp("Messages per transaction.", valueName: "N"))
    var batchSize = 1000

    @Flag(help: "Print a line on standard output after each committed batch.")
    var progress = false

    func validate() throws {
        guard self.batchSize > 0 else { throw ValidationError("--batch-size must be at least 1") }
    }

    func run() async throws {
        let input: FileHandle
        if self.file == "-" {
            input = FileHandle.standardInput
        } else {
            guard let handle = FileHandle(forReadingAtPath: self.file) else {
                throw ValidationError("cannot read \(self.file)")
            }
            input = handle
        }
        let archive = try await openArchive(
            try self.archiveOptions.location(dataDirectory: self.dataDir.directory),
            dataDirectory: self.dataDir.directory,
            maxConnections: self.archiveOptions.maxConnections
        )
        var importer = ArchiveImporter(archive: archive, batchSize: self.batchSize)
        var lines = LineReader(input)
        while let (number, line) = try lines.next() {
            guard let text = line else {
                importer.reject(lineNumber: number)
                ArchiveConsole.error("line \(number): not valid UTF-8")
                continue
            }
            switch try await importer.add(line: text, number: number) {
            case .buffered: break
            case .rejected(let reason): ArchiveConsole.error("line \(number): \(reason)")
            case .committed(let batch): self.acknowledge(batch)
            }
        }
        if let batch = try await importer.finish() { self.acknowledge(batch) }
        try await archive.close()
        let summary = importer.summary
        ArchiveConsole.output(
            "imported \(summary.outcome.inserted), duplicates \(summary.outcome.duplicates), "
                + "ephemeral skipped \(summary.outcome.ephemeralSkipped), failed \(summary.failed)"
                + (summary.outcome.rejected > 0 ? ", not storable \(summary.outcome.rejected)" : "")
        )
        if summary.failed > 0 || summary.outcome.rejected > 0 { throw ExitCode.failure }
    }

    /// The acknowledgement the crash test relies on: printed (and flushed) only after the
    /// batch's transaction committed.
    private func acknowledge(_ batch: ImportBatch) {
        guard self.progress else { return }
        ArchiveConsole.output(
            "committed batch \(batch.number): lines \(batch.firstLine)-\(batch.lastLine), "
                + "\(batch.outcome.inserted) inserted, \(batch.outcome.duplicates) duplicates"
        )
    }
}

/// Splits a file into lines without reading it whole: 1 MiB at a time, `\n` separated, a
/// trailing `\r` dropped.
///
/// The reads block; this is a one-shot command whose only other work (the inserts) runs on
/// GRDB's queue, so nothing else waits for the thread.
private struct LineReader {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var start = 0
    private var number = 0
    private var atEnd = false

    init(_ handle: FileHandle) {
        self.handle = handle
    }

    /// The next line's 1-based number and text (nil text when it is not valid UTF-8).
    mutating func next() throws -> (Int, String?)? {
        while true {
            if let newline = self.buffer[self.start...].firstIndex(of: UInt8(ascii: "\n")) {
                defer { self.start = newline + 1 }
                return self.line(self.buffer[self.start..<newline])
            }
            if self.atEnd {
                guard self.start < self.buffer.count else { return nil }
                defer { self.start = self.buffer.count }
                return self.line(self.buffer[self.start...])
            }
            self.buffer.removeFirst(self.start)
            self.start = 0
            let chunk = try self.handle.read(upToCount: 1 << 20) ?? Data()
            if chunk.isEmpty { self.atEnd = true } else { self.buffer.append(contentsOf: chunk) }
        }
    }

    private mutating func line(_ bytes: ArraySlice<UInt8>) -> (Int, String?) {
        self.number += 1
        let trimmed = bytes.last == UInt8(ascii: "\r") ? bytes.dropLast() : bytes
        return (self.number, String(validating: trimmed, as: UTF8.self))
    }
}
