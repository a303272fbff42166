/// Where the archive lives: the value of nwaku's `--store-message-db-url` (PROTOCOLS.md §11.1).
///
/// Parsing is pure; opening the archive is the executable's job (it maps ``sqlite(path:)`` to the
/// SQLite `Archive` and ``postgres(_:)`` to `PostgresArchive`). Without the flag the node uses its
/// data directory's `archive.sqlite3`.
package enum ArchiveLocation: Hashable, Sendable, CustomStringConvertible {
    /// A SQLite file, `sqlite://PATH` (relative to the working directory, as in nwaku).
    case sqlite(path: String)
    /// A PostgreSQL database in nwaku's schema.
    case postgres(PostgresLocation)

    /// Parses `sqlite://PATH`, `postgres://USER[:PASSWORD]@HOST[:PORT]/DB` or `postgresql://…`.
    ///
    /// The PostgreSQL form is nwaku's, made a little more forgiving: user, password, host and
    /// database may be percent-encoded (so a password may hold `@` or `:`), the port defaults to
    /// 5432, and the host may be a directory holding the server's Unix socket, either
    /// percent-encoded in the host (`postgres://user@%2Frun%2Fpostgresql/db`) or as a `host`
    /// parameter (`postgres://user@/db?host=/run/postgresql`), as libpq reads it. `sslmode` may be
    /// `disable`, `prefer` (the default, as in libpq) or `require`.
    ///
    /// - Throws: ``ArchiveError/Code/invalidLocation`` naming what is wrong. The message never
    ///   repeats the password, nor any part of the text that could be one.
    package init(url text: String) throws(ArchiveError) {
        if text.hasPrefix("sqlite://") {
            let path = String(text.dropFirst("sqlite://".count))
            guard !path.isEmpty else { throw Self.invalid("sqlite:// needs a file path, e.g. sqlite://store.sqlite3") }
            self = .sqlite(path: path)
            return
        }
        for scheme in ["postgres://", "postgresql://"] where text.hasPrefix(scheme) {
            self = .postgres(try PostgresLocation(parsing: String(text.dropFirst(scheme.count))))
            return
        }
        throw Self.invalid("the URL must start with sqlite://, postgres:// or postgresql://")
    }

    /// The location for people: the path, or `postgres://user@host:port/db` without the password.
    package var description: String {
        switch self {
        case .sqlite(let path): "sqlite://\(path)"
        case .postgres(let location): location.description
        }
    }

    static func invalid(_ reason: String) -> ArchiveError {
        ArchiveError(.invalidLocation, "unusable --store-message-db-url: \(reason)")
    }
}

/// A PostgreSQL server, database and credentials, parsed from a URL by ``ArchiveLocation``.
package struct PostgresLocation: Hashable, Sendable, CustomStringConvertible {
    /// How the connection is made.
    package enum Endpoint: Hashable, Sendable {
        /// TCP to a host name or address.
        case tcp(host: String, port: Int)
        /// The Unix socket `<directory>/.s.PGSQL.<port>`, as libpq names it.
        case socket(directory: String, port: Int)
    }

    /// Whether to use TLS, as libpq's `sslmode` (the modes that do not check certificates are
    /// left out: `require` here verifies the server's certificate).
    package enum TLSMode: String, Hashable, Sendable {
        /// Never.
        case disable
        /// When the server offers it (libpq's default).
        case prefer
        /// Always, with certificate verification.
        case require
    }

    /// The server.
    package var endpoint: Endpoint
    /// The role to log in as.
    package var user: String
    /// The password, if any; never printed.
    package var password: String?
    /// The database name.
    package var database: String
    /// TLS use.
    package var tls: TLSMode

    /// A location from its parts.
    package init(endpoint: Endpoint, user: String, password: String?, database: String, tls: TLSMode = .prefer) {
        self.endpoint = endpoint
        self.user = user
        self.password = password
        self.database = database
        self.tls = tls
    }

    /// `postgres://user@host:port/db` (the socket directory percent-encoded as the host), never
    /// the password.
    package var description: String {
        let host: String
        switch self.endpoint {
        case .tcp(let name, let port): host = "\(name.contains(":") ? "[\(name)]" : name):\(port)"
        case .socket(let directory, let port): host = "\(Self.encode(directory)):\(port)"
        }
        return "postgres://\(Self.encode(self.user))@\(host)/\(Self.encode(self.database))"
    }

    /// Parses what follows `postgres://`.
    init(parsing rest: String) throws(ArchiveError) {
        var rest = Substring(rest)
        var parameters: [(String, String)] = []
        if let question = rest.firstIndex(of: "?") {
            parameters = try Self.parameters(rest[rest.index(after: question)...])
            rest = rest[..<question]
        }
        guard let slash = rest.firstIndex(of: "/") else {
            throw ArchiveLocation.invalid("the URL names no database (postgres://USER:PASSWORD@HOST:PORT/DATABASE)")
        }
        let authority = rest[..<slash]
        let database = try Self.decode(rest[rest.index(after: slash)...], "database name")
        guard !database.isEmpty, !database.contains("/") else {
            throw ArchiveLocation.invalid("the database name after the host is missing or contains '/'")
        }
        // The last '@' ends the credentials, so an unencoded '@' in a password still works.
        guard let at = authority.lastIndex(of: "@") else {
            throw ArchiveLocation.invalid("the URL names no user (postgres://USER:PASSWORD@HOST:PORT/DATABASE)")
        }
        let credentials = authority[..<at]
        let colon = credentials.firstIndex(of: ":")
        let user = try Self.decode(credentials[..<(colon ?? credentials.endIndex)], "user name")
        guard !user.isEmpty else { throw ArchiveLocation.invalid("the user name is empty") }
        let password = try colon.map { index throws(ArchiveError) in
            try Self.decode(credentials[credentials.index(after: index)...], "password")
        }
        var (host, port) = try Self.hostAndPort(authority[authority.index(after: at)...])
        var tls = TLSMode.prefer
        for (key, value) in parameters {
            switch key {
            case "host": host = value
            case "port":
                guard let number = Int(value), (1...65_535).contains(number) else {
                    throw ArchiveLocation.invalid("the port parameter is not a number from 1 to 65535")
                }
                port = number
            case "sslmode":
                guard let mode = TLSMode(rawValue: value) else {
                    throw ArchiveLocation.invalid("sslmode must be disable, prefer or require")
                }
                tls = mode
            default:
                throw ArchiveLocation.invalid("unknown parameter '\(key)' (known: host, port, sslmode)")
            }
        }
        guard !host.isEmpty else { throw ArchiveLocation.invalid("the URL names no host") }
        let endpoint: Endpoint =
            host.hasPrefix("/") ? .socket(directory: host, port: port) : .tcp(host: host, port: port)
        self.init(endpoint: endpoint, user: user, password: password, database: database, tls: tls)
    }

    /// The host (maybe `[v6]` or a percent-encoded socket directory) and port (default 5432).
    private static func hostAndPort(_ text: Substring) throws(ArchiveError) -> (String, Int) {
        var hostText = text
        var portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else {
                throw ArchiveLocation.invalid("an IPv6 host in brackets lacks its ']'")
            }
            hostText = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw ArchiveLocation.invalid("unexpected text after the IPv6 host") }
                portText = after.dropFirst()
            }
        } else if let colon = text.lastIndex(of: ":") {
            hostText = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        var port = 5432
        if let portText {
            // The text is not repeated: with a mistyped URL it could be part of a password.
            guard let number = Int(portText), (1...65_535).contains(number) else {
                throw ArchiveLocation.invalid("the port after the host is not a number from 1 to 65535")
            }
            port = number
        }
        return (try Self.decode(hostText, "host"), port)
    }

    /// `key=value&…`, percent-decoded.
    private static func parameters(_ text: Substring) throws(ArchiveError) -> [(String, String)] {
        var result: [(String, String)] = []
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            guard let equals = pair.firstIndex(of: "=") else {
                throw ArchiveLocation.invalid("a URL parameter is not KEY=VALUE")
            }
            let key = try Self.decode(pair[..<equals], "parameter name")
            result.append((key, try Self.decode(pair[pair.index(after: equals)...], "parameter '\(key)'")))
        }
        return result
    }

    /// Percent-decodes one component.
    private static func decode(_ text: Substring, _ what: String) throws(ArchiveError) -> String {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "%") else {
                out.append(bytes[index])
                index += 1
                continue
            }
            guard index + 2 < bytes.count, let high = Self.hexValue(bytes[index + 1]),
                let low = Self.hexValue(bytes[index + 2])
            else {
                throw ArchiveLocation.invalid("the \(what) has a '%' not followed by two hex digits")
            }
            out.append(high << 4 | low)
            index += 3
        }
        guard let decoded = String(validating: out, as: UTF8.self) else {
            throw ArchiveLocation.invalid("the \(what) is not valid UTF-8 once percent-decoded")
        }
        guard !decoded.utf8.contains(0) else { throw ArchiveLocation.invalid("the \(what) contains a NUL character") }
        return decoded
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Percent-encodes everything but unreserved characters, for ``description``.
    private static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            let scalar = Unicode.Scalar(byte)
            if byte < 0x80
                && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
                    || "-._~".unicodeScalars.contains(scalar))
            {
                out.unicodeScalars.append(scalar)
            } else {
                out +=
                    "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 0xf, radix: 16, uppercase: true)
            }
        }
        return out
    }
}
