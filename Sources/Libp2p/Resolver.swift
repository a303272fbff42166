internal import NIOCore
internal import NIOPosix

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// Turns a dialable multiaddr into socket addresses, resolving `/dns4` and `/dns6` names first.
///
/// `getaddrinfo` blocks, so it runs on NIO's shared thread pool, never on the cooperative pool.
enum Resolver {
    /// The TCP socket addresses `address` stands for.
    ///
    /// - Throws: ``Libp2pError`` `invalidMultiaddr` when it is not `/ip4|ip6|dns4|dns6/…/tcp/…`,
    ///   `dialFailed` when the name does not resolve.
    static func socketAddresses(for address: Multiaddr) async throws -> [SocketAddress] {
        let parts = address.withoutPeerID.components
        guard parts.count == 2, case .tcp(let port) = parts[1] else {
            throw Libp2pError(.invalidMultiaddr, "'\(address)' is not a TCP address (/ip4|ip6|dns4|dns6/…/tcp/…)")
        }
        switch parts[0] {
        case .ip4(let bytes), .ip6(let bytes):
            return [try SocketAddress(ipAddress: IPAddressText.text(bytes), port: Int(port))]
        case .dns4(let name):
            return try await self.resolve(name, family: AF_INET, port: port)
        case .dns6(let name):
            return try await self.resolve(name, family: AF_INET6, port: port)
        default:
            throw Libp2pError(.invalidMultiaddr, "'\(address)' does not start with /ip4, /ip6, /dns4 or /dns6")
        }
    }

    private static func resolve(_ name: String, family: Int32, port: UInt16) async throws -> [SocketAddress] {
        let texts = try await NIOThreadPool.singleton.runIfActive { () throws -> [String] in
            var hints = addrinfo()
            hints.ai_family = family
            #if canImport(Glibc)
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            #else
            hints.ai_socktype = SOCK_STREAM
            #endif
            var result: UnsafeMutablePointer<addrinfo>?
            let status = getaddrinfo(name, nil, &hints, &result)
            guard status == 0, let first = result else {
                throw Libp2pError(.dialFailed, "cannot resolve '\(name)': \(String(cString: gai_strerror(status)))")
            }
            defer { freeaddrinfo(first) }
            var texts: [String] = []
            var cursor: UnsafeMutablePointer<addrinfo>? = first
            while let entry = cursor {
                var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
                if getnameinfo(
                    entry.pointee.ai_addr,
                    entry.pointee.ai_addrlen,
                    &host,
                    socklen_t(host.count),
                    nil,
                    0,
                    NI_NUMERICHOST
                ) == 0 {
                    texts.append(String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
                }
                cursor = entry.pointee.ai_next
            }
            return texts
        }
        var unique: [SocketAddress] = []
        for text in texts {
            let address = try SocketAddress(ipAddress: text, port: Int(port))
            if !unique.contains(address) { unique.append(address) }
        }
        guard !unique.isEmpty else { throw Libp2pError(.dialFailed, "'\(name)' has no usable address") }
        return unique
    }
}
