internal import Foundation

/// A new directory under the system temporary directory for one bench run's archives and nodes,
/// deleted when the run ends, however it ends.
enum ScratchDirectory {
    /// Runs `body` with a fresh directory `<prefix>-<UUID>`, and deletes it afterwards.
    static func with<Result>(prefix: String, _ body: (URL) async throws -> Result) async throws -> Result {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(prefix)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        return try await body(directory)
    }
}
