/// A multiaddr limited to what a TCP libp2p node needs: `/ip4`, `/ip6`, `/dns4`, `/dns6`, `/tcp`,
/// `/p2p` (PROTOCOLS.md §7.10). Anything else is rejected with a message naming it.
package struct Multiaddr: Hashable, Sendable, CustomStringConvertible, LosslessStringConvertible {
    /// One `/protocol/value` pair.
    package enum Component: Hashable, Sendable {
        /// IPv4 address, 4 bytes.
        case ip4([UInt8])
        /// IPv6 address, 16 bytes.
        case ip6([UInt8])
        /// A DNS name resolved to IPv4 addresses before dialing.
        case dns4(String)
        /// A DNS name resolved to IPv6 addresses before dialing.
        case dns6(String)
        /// TCP port.
        case tcp(UInt16)
        /// The peer ID of the node at this address.
        case p2p(PeerID)
    }

    /// The components in order.
    package var components: [Component]

    /// A multiaddr from components.
    package init(_ components: [Component]) {
        self.components = components
    }

    /// Parses the text form, e.g. `/ip4/127.0.0.1/tcp/60000/p2p/16Uiu2HA…`.
    ///
    /// - Throws: ``Libp2pError/Code/invalidMultiaddr`` naming the first part that is malformed or unsupported.
    package init(parsing text: String) throws(Libp2pError) {
        guard text.hasPrefix("/") else {
            throw Libp2pError(.invalidMultiaddr, "'\(text)' does not start with '/'")
        }
        var parts = text.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
        if parts.last == "" && parts.count > 1 { parts.removeLast() }  // tolerate one trailing slash
        var components: [Component] = []
        var index = 0
        while index < parts.count {
            let name = parts[index]
            guard index + 1 < parts.count else {
                throw Libp2pError(.invalidMultiaddr, "'\(text)': /\(name) needs a value")
            }
            components.append(try Self.component(name: name, value: parts[index + 1], in: text))
            index += 2
        }
        guard !components.isEmpty else { throw Libp2pError(.invalidMultiaddr, "'\(text)' is empty") }
        self.components = components
    }

    /// Parses text like ``init(parsing:)``, or nil.
    package init?(_ description: String) {
        guard let parsed = try? Multiaddr(parsing: description) else { return nil }
        self = parsed
    }

    /// Parses the binary form: `uvarint(code) || value` per component.
    package init(bytes: [UInt8]) throws(Libp2pError) {
        var offset = 0
        var components: [Component] = []
        do {
            while offset < bytes.count {
                components.append(try Self.component(from: bytes, at: &offset))
            }
        } catch  where error.code == .malformedFrame {
            throw Libp2pError(.invalidMultiaddr, "binary multiaddr: \(error.detail)")
        }
        guard !components.isEmpty else { throw Libp2pError(.invalidMultiaddr, "binary multiaddr is empty") }
        self.components = components
    }

    /// The binary form.
    package var bytes: [UInt8] {
        var out: [UInt8] = []
        for component in self.components {
            switch component {
            case .ip4(let address):
                out.append(0x04)
                out.append(contentsOf: address)
            case .ip6(let address):
                out.append(0x29)
                out.append(contentsOf: address)
            case .dns4(let name), .dns6(let name):
                out.append(component.isDNS4 ? 0x36 : 0x37)
                UVarint.append(UInt64(name.utf8.count), to: &out)
                out.append(contentsOf: name.utf8)
            case .tcp(let port):
                out.append(0x06)
                out.append(contentsOf: [UInt8(port >> 8), UInt8(port & 0xff)])
            case .p2p(let peer):
                UVarint.append(Self.p2pCode, to: &out)
                UVarint.append(UInt64(peer.multihash.count), to: &out)
                out.append(contentsOf: peer.multihash)
            }
        }
        return out
    }

    /// The text form.
    package var description: String {
        self.components.map { component in
            switch component {
            case .ip4(let address): "/ip4/" + IPAddressText.text(address)
            case .ip6(let address): "/ip6/" + IPAddressText.text(address)
            case .dns4(let name): "/dns4/" + name
            case .dns6(let name): "/dns6/" + name
            case .tcp(let port): "/tcp/\(port)"
            case .p2p(let peer): "/p2p/\(peer)"
            }
        }.joined()
    }

    /// The peer ID of the last `/p2p` component, if any.
    package var peerID: PeerID? {
        for case .p2p(let peer) in self.components.reversed() { return peer }
        return nil
    }

    /// This address with `/p2p/<peer>` appended (or its existing `/p2p` replaced).
    package func appending(peerID: PeerID) -> Multiaddr {
        Multiaddr(self.withoutPeerID.components + [.p2p(peerID)])
    }

    /// This address without its `/p2p` components.
    package var withoutPeerID: Multiaddr {
        Multiaddr(self.components.filter { if case .p2p = $0 { false } else { true } })
    }

    private static let p2pCode: UInt64 = 0x01a5
}

extension Multiaddr {
    private static func component(name: String, value: String, in text: String) throws(Libp2pError) -> Component {
        switch name {
        case "ip4":
            guard let address = IPAddressText.ipv4(value) else {
                throw Libp2pError(.invalidMultiaddr, "'\(text)': '\(value)' is not an IPv4 address")
            }
            return .ip4(address)
        case "ip6":
            guard let address = IPAddressText.ipv6(value) else {
                throw Libp2pError(.invalidMultiaddr, "'\(text)': '\(value)' is not an IPv6 address")
            }
            return .ip6(address)
        case "dns4", "dns6":
            guard !value.isEmpty, value.utf8.count <= 255 else {
                throw Libp2pError(.invalidMultiaddr, "'\(text)': '\(value)' is not a DNS name")
            }
            return name == "dns4" ? .dns4(value) : .dns6(value)
        case "tcp":
            guard let port = UInt16(value) else {
                throw Libp2pError(.invalidMultiaddr, "'\(text)': '\(value)' is not a TCP port (0–65535)")
            }
            return .tcp(port)
        case "p2p", "ipfs":
            do {
                return .p2p(try PeerID(parsing: value))
            } catch {
                throw Libp2pError(.invalidMultiaddr, "'\(text)': \(error.detail)")
            }
        default:
            throw Libp2pError(
                .invalidMultiaddr,
                "'\(text)': /\(name) is not supported (only /ip4 /ip6 /dns4 /dns6 /tcp /p2p)"
            )
        }
    }

    private static func component(from bytes: [UInt8], at offset: inout Int) throws(Libp2pError) -> Component {
        let code = try UVarint.read(bytes, at: &offset)
        func take(_ count: Int) throws(Libp2pError) -> [UInt8] {
            guard count >= 0, bytes.count - offset >= count else {
                throw Libp2pError(.malformedFrame, "protocol 0x\(String(code, radix: 16)) value is truncated")
            }
            defer { offset += count }
            return Array(bytes[offset..<offset + count])
        }
        func lengthPrefixed() throws(Libp2pError) -> [UInt8] {
            let length = try UVarint.read(bytes, at: &offset)
            guard length <= UInt64(bytes.count - offset) else {
                throw Libp2pError(.malformedFrame, "protocol 0x\(String(code, radix: 16)) value is truncated")
            }
            return try take(Int(length))
        }
        switch code {
        case 0x04:
            return .ip4(try take(4))
        case 0x29:
            return .ip6(try take(16))
        case 0x06:
            let port = try take(2)
            return .tcp(UInt16(port[0]) << 8 | UInt16(port[1]))
        case 0x36, 0x37:
            guard let name = String(validating: try lengthPrefixed(), as: UTF8.self), !name.isEmpty else {
                throw Libp2pError(.invalidMultiaddr, "binary multiaddr: DNS name is not UTF-8")
            }
            return code == 0x36 ? .dns4(name) : .dns6(name)
        case Self.p2pCode:
            do {
                return .p2p(try PeerID(multihash: try lengthPrefixed()))
            } catch  where error.code == .invalidPeerID {
                throw Libp2pError(.invalidMultiaddr, "binary multiaddr: \(error.detail)")
            }
        default:
            throw Libp2pError(
                .invalidMultiaddr,
                "binary multiaddr: protocol code 0x\(String(code, radix: 16)) is not supported "
                    + "(only /ip4 /ip6 /dns4 /dns6 /tcp /p2p)"
            )
        }
    }
}

extension Multiaddr.Component {
    fileprivate var isDNS4: Bool {
        if case .dns4 = self { true } else { false }
    }
}
