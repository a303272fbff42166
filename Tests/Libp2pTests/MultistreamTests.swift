import NIOCore
import Testing

@testable import Libp2p

@Suite("multistream-select state machines")
struct MultistreamTests {
    @Test("dialer and listener agree on the first supported proposal after na")
    func renegotiation() throws {
        var dialer = MultistreamDialer(proposals: ["/yamux/1.0.0", "/mplex/6.7.0"])
        var listener = MultistreamListener(supported: ["/mplex/6.7.0"])
        #expect(dialer.openingMessages == ["/multistream/1.0.0", "/yamux/1.0.0"])
        #expect(try listener.receive("/multistream/1.0.0") == .reply(["/multistream/1.0.0"]))
        #expect(try listener.receive("/yamux/1.0.0") == .reply(["na"]))
        #expect(try dialer.receive("/multistream/1.0.0") == .wait)
        #expect(try dialer.receive("na") == .propose("/mplex/6.7.0"))
        #expect(try listener.receive("/mplex/6.7.0") == .selected("/mplex/6.7.0"))
        #expect(try dialer.receive("/mplex/6.7.0") == .selected("/mplex/6.7.0"))
    }

    @Test("a dialer whose every proposal is refused fails with the list")
    func allRefused() throws {
        var dialer = MultistreamDialer(proposals: ["/noise"])
        _ = try dialer.receive("/multistream/1.0.0")
        let error = #expect(throws: Libp2pError.self) { try dialer.receive("na") }
        #expect(error?.code == .negotiationFailed)
        #expect(error?.detail.contains("/noise") == true)
    }

    @Test("a wrong header is refused on both sides")
    func wrongHeader() throws {
        var dialer = MultistreamDialer(proposals: ["/noise"])
        #expect(throws: Libp2pError.self) { try dialer.receive("/multistream/2.0.0") }
        var listener = MultistreamListener(supported: ["/noise"])
        #expect(throws: Libp2pError.self) { try listener.receive("/noise") }
    }

    @Test("ls lists every protocol in one message; a repeated header gets na")
    func listAndRepeatedHeader() throws {
        var listener = MultistreamListener(supported: ["/a", "/b"])
        _ = try listener.receive("/multistream/1.0.0")
        #expect(try listener.receive("ls") == .reply(["/a\n/b"]))
        #expect(try listener.receive("/multistream/1.0.0") == .reply(["na"]))
        var buffer = ByteBuffer()
        Multistream.write("/a\n/b", to: &buffer)
        #expect(Hex.string(buffer.readableBytesView) == "062f610a2f620a")
    }

    @Test("an id registered as a prefix selects every proposal starting with it, echoed as proposed")
    func prefixMatch() throws {
        var listener = MultistreamListener(
            supported: ["/vac/waku/relay/2.0.0", "/meshsub/1.1.0"],
            prefixes: ["/vac/waku/relay/2.0.0"]
        )
        _ = try listener.receive("/multistream/1.0.0")
        #expect(try listener.receive("/vac/waku/relay/2.0.0-beta") == .selected("/vac/waku/relay/2.0.0-beta"))
        #expect(try listener.receive("/vac/waku/relay/2.0.0") == .selected("/vac/waku/relay/2.0.0"))
        // Only the prefix ids match that way; others must be exact.
        #expect(try listener.receive("/meshsub/1.1.0-x") == .reply(["na"]))
        #expect(try listener.receive("/vac/waku/relay/2.0") == .reply(["na"]))
    }

    @Test("a listener gives up after too many refused proposals")
    func refusalLimit() throws {
        var listener = MultistreamListener(supported: ["/a"])
        _ = try listener.receive("/multistream/1.0.0")
        for index in 0..<MultistreamListener.maximumRefusals { _ = try listener.receive("/x/\(index)") }
        #expect(throws: Libp2pError.self) { try listener.receive("/x/last") }
    }
}
