internal import ArgumentParser
internal import Foundation

/// `--data-dir DIR`: where a node keeps its state (ARCHITECTURE.md §3). Shared by every command
/// that reads or writes the archive, the node key or the last-online record.
struct DataDirOptions: ParsableArguments {
    @Option(
        name: .customLong("data-dir"),
        help: ArgumentHelp("The node's data directory.", valueName: "DIR")
    )
    var dataDir: String = "~/.local/share/wakusync/default"

    /// The data directory with `~` expanded.
    var directory: URL {
        let path: String
        if self.dataDir == "~" || self.dataDir.hasPrefix("~/") {
            path = FileManager.default.homeDirectoryForCurrentUser.path + self.dataDir.dropFirst()
        } else {
            path = self.dataDir
        }
        return URL(fileURLWithPath: path, isDirectory: true)
    }

    /// Creates the data directory (and its parents) if it does not exist yet.
    func createDirectory() throws {
        try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
    }
}
