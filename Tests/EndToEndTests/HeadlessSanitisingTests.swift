import Foundation
import Libp2p
import Testing
import WakuCore
import WakuNode
import WakuTestSupport

/// What a peer says ends up in the operator's log: it must not reach the terminal raw.
@Suite("Headless output under hostile text", .timeLimit(.minutes(2)))
struct HeadlessSanitisingTests {
    /// A Store status text that would recolour a terminal, return the cursor and forge a line.
    static let hostile = "refused\u{1b}[31m red\r\n2026-01-01T00:00:00.000Z info  node started peer=forged\u{7}"

    @Test(
        "a store peer's error text with terminal escapes and line breaks appears escaped in the headless log, never raw"
    )
    func escapedPeerText() async throws {
        let directory = try TemporaryDirectory(prefix: "wakusync-escapes")
        defer { directory.remove() }
        let child = try await HeadlessNode.start(dataDir: directory.file("child").path, arguments: ["--store-resume"])
        defer { child.kill() }
        let lines = try await RoguePeer.with { rogue in
            rogue.register(protocolID: WakuNode.storeProtocol) { stream in
                _ = try await stream.readMessage(timeout: .seconds(10))
                let refusal = StoreQueryResponse(requestID: "N/A", statusCode: .badResponse, statusDesc: Self.hostile)
                try await stream.writeMessage(try refusal.serialized())
                await stream.close()
            }
            // Resume at start-up waits for a store peer: this one, which refuses with its text.
            _ = try await rogue.dial(try Multiaddr(parsing: child.address))
            return await child.lines.read { $0.contains { $0.contains("resume failed") } }
        }
        let failed = try #require(lines.first { $0.contains("resume failed") }, "\(lines)")
        #expect(failed.contains(#"refused\u{1b}[31m red\u{d}\u{a}2026-01-01T00:00:00.000Z"#), "\(failed)")
        for line in lines {
            let raw = line.unicodeScalars.filter { $0.properties.generalCategory == .control }
            #expect(raw.isEmpty, "raw control characters in \(line.debugDescription)")
            #expect(!line.hasPrefix("2026-01-01T00:00:00.000Z"), "a forged line: \(line)")
        }
        #expect(child.terminate(), "SIGTERM stops the node")
    }
}
