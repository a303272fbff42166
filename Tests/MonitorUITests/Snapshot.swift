import Foundation
import MonitorUI
import Testing

/// Golden files for rendered screens: `Snapshots/<name>.txt` holds the text layer and
/// `Snapshots/<name>.style.txt` the style layer (one letter per cell, see `Style`).
///
/// `RECORD_SNAPSHOTS=1 swift test --filter MonitorUITests` rewrites them; read the diff before
/// committing. A missing file is written and the test fails, so a new snapshot is always reviewed.
enum Snapshot {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Snapshots"
    )
    static let isRecording = ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1"

    static func check(
        _ grid: CellGrid,
        named name: String,
        styles: Bool = true,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        Self.check(text: grid.text + "\n", named: name + ".txt", sourceLocation: sourceLocation)
        if styles {
            Self.check(text: grid.styleText + "\n", named: name + ".style.txt", sourceLocation: sourceLocation)
        }
    }

    static func check(text: String, named file: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let url = Self.directory.appendingPathComponent(file)
        let existing = try? String(contentsOf: url, encoding: .utf8)
        if Self.isRecording || existing == nil {
            try? FileManager.default.createDirectory(at: Self.directory, withIntermediateDirectories: true)
            do {
                try text.write(to: url, atomically: true, encoding: .utf8)
            } catch {
                Issue.record("cannot write \(url.path): \(error)", sourceLocation: sourceLocation)
            }
            if existing == nil && !Self.isRecording {
                Issue.record("recorded a new snapshot \(file); review it and run again", sourceLocation: sourceLocation)
            }
            return
        }
        if existing != text {
            Issue.record(
                "\(file) differs from the snapshot (RECORD_SNAPSHOTS=1 rewrites it):\n\(Self.diff(existing ?? "", text))",
                sourceLocation: sourceLocation
            )
        }
    }

    /// The first differing lines, expected then actual.
    private static func diff(_ expected: String, _ actual: String) -> String {
        let old = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let new = actual.split(separator: "\n", omittingEmptySubsequences: false)
        var lines: [String] = []
        for index in 0..<max(old.count, new.count) {
            let before = index < old.count ? String(old[index]) : "<none>"
            let after = index < new.count ? String(new[index]) : "<none>"
            if before != after { lines += ["line \(index + 1):", "- \(before)", "+ \(after)"] }
            if lines.count > 24 { break }
        }
        return lines.joined(separator: "\n")
    }
}
