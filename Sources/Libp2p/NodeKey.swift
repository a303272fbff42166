#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// The node's identity key kept in its data directory as `node.key` (ARCHITECTURE.md §3).
///
/// The file holds libp2p's `PrivateKey` protobuf and is created once, with permissions 0600, by
/// writing a temporary file and hard-linking it into place, so two processes starting at once end
/// up with the same key and a crash never leaves a half-written key behind.
package enum NodeKey {
    /// The file name inside the data directory.
    package static let fileName = "node.key"

    /// Loads `node.key` from `directory`, or creates it with a new key of `type` when absent.
    ///
    /// - Throws: ``Libp2pError/Code/keyFile`` when the file cannot be read or written, is readable by
    ///   others, or does not hold a usable key.
    package static func loadOrCreate(in directory: String, type: KeyType = .secp256k1) throws(Libp2pError) -> PrivateKey
    {
        let path = directory + "/" + self.fileName
        if let key = try self.load(path: path) { return key }
        let key = try PrivateKey.generate(type)
        try self.create(path: path, contents: key.protobuf)
        // Another process may have won the race; whatever is on disk now is the node's key.
        guard let stored = try self.load(path: path) else {
            throw Libp2pError(.keyFile, "\(path) vanished right after it was written")
        }
        return stored
    }

    /// Reads and parses the key at `path`, or nil when there is no such file.
    private static func load(path: String) throws(Libp2pError) -> PrivateKey? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            if errno == ENOENT { return nil }
            throw Libp2pError(.keyFile, "cannot open \(path): \(self.lastError())")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw Libp2pError(.keyFile, "cannot stat \(path): \(self.lastError())")
        }
        let permissions = status.st_mode & 0o777
        guard permissions & 0o077 == 0 else {
            throw Libp2pError(
                .keyFile,
                "\(path) is readable by other users (mode \(String(permissions, radix: 8))); run chmod 600 on it"
            )
        }
        var contents: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 512)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw Libp2pError(.keyFile, "cannot read \(path): \(self.lastError())")
            }
            if count == 0 { break }
            contents += chunk.prefix(count)
            guard contents.count <= 4096 else { throw Libp2pError(.keyFile, "\(path) is too large to be a key") }
        }
        guard !contents.isEmpty else { throw Libp2pError(.keyFile, "\(path) is empty") }
        do {
            return try PrivateKey(protobuf: contents)
        } catch {
            throw Libp2pError(.keyFile, "\(path) does not hold a usable libp2p private key: \(error.detail)")
        }
    }

    private static func create(path: String, contents: [UInt8]) throws(Libp2pError) {
        let temporary = "\(path).\(getpid()).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw Libp2pError(.keyFile, "cannot create \(temporary): \(self.lastError())")
        }
        defer { unlink(temporary) }
        var written = 0
        while written < contents.count {
            let count = contents.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, $0.count - written) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                let reason = self.lastError()
                close(descriptor)
                throw Libp2pError(.keyFile, "cannot write \(temporary): \(reason)")
            }
            written += count
        }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard synced else { throw Libp2pError(.keyFile, "cannot sync \(temporary): \(self.lastError())") }
        // link() fails with EEXIST instead of replacing, so a key that appeared meanwhile is kept.
        if link(temporary, path) != 0 && errno != EEXIST {
            throw Libp2pError(.keyFile, "cannot create \(path): \(self.lastError())")
        }
    }

    private static func lastError() -> String {
        String(cString: strerror(errno))
    }
}
