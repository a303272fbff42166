package import Foundation

/// Locates programs the tests run as child processes.
package enum Executables {
    /// The `wakusync` binary built next to the running test bundle.
    ///
    /// `swift test` runs `<products>/wakusyncPackageTests.xctest`; the executable target is built
    /// into the same products directory because the end-to-end tests depend on it.
    package static var wakusync: URL {
        let testBinary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return testBinary.deletingLastPathComponent().appendingPathComponent("wakusync")
    }

    /// The package's root directory (where Package.swift is).
    package static var packageRoot: URL {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }
}
