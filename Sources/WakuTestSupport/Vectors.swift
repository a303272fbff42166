package import Foundation

/// The test vectors committed under `Tests/Vectors/`, described in `Tests/Vectors/README.md` and
/// `docs/PROTOCOLS.md`.
package enum Vectors {
    package static var directory: URL {
        Executables.packageRoot.appendingPathComponent("Tests/Vectors", isDirectory: true)
    }

    /// A vector file parsed as a JSON object.
    package static func json(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: self.directory.appendingPathComponent(name))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw CocoaError(.fileReadCorruptFile)
        }
        return object
    }
}
