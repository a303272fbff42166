#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// Text ⇄ bytes for IP addresses through the C library's `inet_pton`/`inet_ntop`, so IPv6 text is
/// printed in the canonical RFC 5952 form (`::1`) other implementations use.
enum IPAddressText {
    /// The 4 bytes of dotted-quad text, or nil.
    static func ipv4(_ text: String) -> [UInt8]? { self.parse(text, family: AF_INET, size: 4) }

    /// The 16 bytes of IPv6 text, or nil.
    static func ipv6(_ text: String) -> [UInt8]? { self.parse(text, family: AF_INET6, size: 16) }

    /// The text of 4 (IPv4) or 16 (IPv6) address bytes.
    static func text(_ bytes: [UInt8]) -> String {
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        var output = [CChar](repeating: 0, count: 64)
        let printed = bytes.withUnsafeBytes { raw in
            inet_ntop(family, raw.baseAddress, &output, socklen_t(output.count))
        }
        guard printed != nil else { return "?" }
        return String(decoding: output.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func parse(_ text: String, family: Int32, size: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: size)
        let result = bytes.withUnsafeMutableBytes { raw in inet_pton(family, text, raw.baseAddress) }
        return result == 1 ? bytes : nil
    }
}
