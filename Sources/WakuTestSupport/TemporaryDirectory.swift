package import Foundation

/// A fresh directory under the system temp dir, removed by ``remove()`` (call it in `defer`).
package struct TemporaryDirectory: Sendable {
    package let url: URL

    package init(prefix: String = "wakusync-test") throws {
        let base = URL(fileURLWithPath: NSTemporaryDirectory(), isDirectory: true)
        self.url = base.appendingPathComponent("\(prefix)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: self.url, withIntermediateDirectories: true)
    }

    package var path: String { self.url.path }

    /// A path inside the directory.
    package func file(_ name: String) -> URL { self.url.appendingPathComponent(name) }

    package func remove() {
        try? FileManager.default.removeItem(at: self.url)
    }
}
