import Testing
import WakuArchive

@Suite("--store-message-db-url")
struct ArchiveLocationTests {
    @Test(
        "SQLite and PostgreSQL URLs parse, percent-decoded, with libpq's defaults",
        arguments: [
            ("sqlite://store.sqlite3", ArchiveLocation.sqlite(path: "store.sqlite3")),
            ("sqlite:///var/lib/waku/store.sqlite3", .sqlite(path: "/var/lib/waku/store.sqlite3")),
            (
                "postgres://nwaku:s3cret@db.example:5433/waku",
                .postgres(
                    PostgresLocation(
                        endpoint: .tcp(host: "db.example", port: 5433),
                        user: "nwaku",
                        password: "s3cret",
                        database: "waku"
                    )
                )
            ),
            (
                "postgresql://nwaku@127.0.0.1/waku",
                .postgres(
                    PostgresLocation(
                        endpoint: .tcp(host: "127.0.0.1", port: 5432),
                        user: "nwaku",
                        password: nil,
                        database: "waku"
                    )
                )
            ),
            (
                "postgres://u%40x:p%3Aw%40d%25@[::1]:6000/my%20db",
                .postgres(
                    PostgresLocation(
                        endpoint: .tcp(host: "::1", port: 6000),
                        user: "u@x",
                        password: "p:w@d%",
                        database: "my db"
                    )
                )
            ),
            (
                "postgres://u:p@w@host:1/db",
                .postgres(
                    PostgresLocation(endpoint: .tcp(host: "host", port: 1), user: "u", password: "p@w", database: "db")
                )
            ),
            (
                "postgres://wakusync@%2Frun%2Fpostgresql/waku",
                .postgres(
                    PostgresLocation(
                        endpoint: .socket(directory: "/run/postgresql", port: 5432),
                        user: "wakusync",
                        password: nil,
                        database: "waku"
                    )
                )
            ),
            (
                "postgres://wakusync@/waku?host=/tmp/pg&port=7000&sslmode=disable",
                .postgres(
                    PostgresLocation(
                        endpoint: .socket(directory: "/tmp/pg", port: 7000),
                        user: "wakusync",
                        password: nil,
                        database: "waku",
                        tls: .disable
                    )
                )
            ),
            (
                "postgres://a:b@h:5432/d?sslmode=require",
                .postgres(
                    PostgresLocation(
                        endpoint: .tcp(host: "h", port: 5432),
                        user: "a",
                        password: "b",
                        database: "d",
                        tls: .require
                    )
                )
            ),
        ] as [(String, ArchiveLocation)]
    )
    func parses(url: String, expected: ArchiveLocation) throws {
        #expect(try ArchiveLocation(url: url) == expected)
    }

    @Test(
        "unusable URLs are refused with the reason, never with the password",
        arguments: [
            ("mysql://u:secretpw@h:1/d", "must start with sqlite://, postgres:// or postgresql://"),
            ("sqlite://", "needs a file path"),
            ("postgres://u:secretpw@h:1", "names no database"),
            ("postgres://u:secretpw@h:1/", "database name"),
            ("postgres://h:1/db", "names no user"),
            ("postgres://u:secretpw/db", "names no user"),
            ("postgres://:secretpw@h:1/db", "user name is empty"),
            ("postgres://u:secretpw@h:port/db", "port after the host is not a number"),
            ("postgres://u:secretpw@h:70000/db", "port after the host is not a number"),
            ("postgres://u:secretpw@:5432/db", "names no host"),
            ("postgres://u:secret%zzpw@h:1/db", "password has a '%' not followed by two hex digits"),
            ("postgres://u:secretpw@h:1/db?sslmode=verify-full", "sslmode must be disable, prefer or require"),
            ("postgres://u:secretpw@h:1/db?application_name=x", "unknown parameter 'application_name'"),
            ("postgres://u:secretpw@h:1/db?secretpw", "not KEY=VALUE"),
            ("postgres://u:secretpw@[::1/db", "lacks its ']'"),
        ] as [(String, String)]
    )
    func refuses(url: String, reason: String) {
        #expect {
            try ArchiveLocation(url: url)
        } throws: { error in
            guard let error = error as? ArchiveError else { return false }
            return error.code == .invalidLocation && error.detail.contains(reason)
                && !error.detail.contains("secret") && !"\(error)".contains("secret")
        }
    }

    @Test("a location prints without its password, the socket directory encoded as the host")
    func description() throws {
        let tcp = try ArchiveLocation(url: "postgres://nwaku:s3cret@db:5433/waku")
        #expect(tcp.description == "postgres://nwaku@db:5433/waku")
        let socket = try ArchiveLocation(url: "postgres://me:pw@/w%20k?host=/run/postgresql")
        #expect(socket.description == "postgres://me@%2Frun%2Fpostgresql:5432/w%20k")
        #expect(try ArchiveLocation(url: socket.description) != socket)  // the password is gone
        #expect(try ArchiveLocation(url: "sqlite://a.db").description == "sqlite://a.db")
    }
}
