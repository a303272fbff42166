import NIOCore
import NIOEmbedded
import NIOTestUtils
import Testing

@testable import Libp2p

@Suite("framing decoders")
struct DecoderTests {
    private func frames(_ parts: [[UInt8]]) -> ByteBuffer { ByteBuffer(bytes: parts.flatMap { $0 }) }

    @Test("length-prefixed (multistream) decoder survives drip-feeding")
    func lengthPrefixedDripFed() throws {
        var long = ByteBuffer()
        long.writeBytes([0xac, 0x02] + [UInt8](repeating: 9, count: 300))
        var input = ByteBuffer()
        Multistream.write("/multistream/1.0.0", to: &input)
        Multistream.write("/noise", to: &input)
        input.writeImmutableBuffer(long)
        input.writeBytes([0x00])
        let expected = [
            ByteBuffer(string: "/multistream/1.0.0\n"), ByteBuffer(string: "/noise\n"),
            ByteBuffer(bytes: [UInt8](repeating: 9, count: 300)), ByteBuffer(),
        ]
        try ByteToMessageDecoderVerifier.verifyDecoder(
            inputOutputPairs: [(input, expected)],
            decoderFactory: { LengthPrefixedFrameDecoder(maximumLength: 1024) }
        )
    }

    @Test("Noise frame decoder survives drip-feeding")
    func noiseDripFed() throws {
        let big = [UInt8](repeating: 3, count: 1500)
        let input = self.frames([[0x00, 0x03, 1, 2, 3], [0x00, 0x00], [0x05, 0xdc] + big])
        try ByteToMessageDecoderVerifier.verifyDecoder(
            inputOutputPairs: [(input, [ByteBuffer(bytes: [1, 2, 3]), ByteBuffer(), ByteBuffer(bytes: big)])],
            decoderFactory: { NoiseFrameDecoder() }
        )
    }

    @Test("yamux frame decoder survives drip-feeding")
    func yamuxDripFed() throws {
        // PROTOCOLS.md §7.4 examples: open, ACK, 19 data bytes, FIN, ping, go away.
        let data = ByteBuffer(bytes: Array("nineteen bytes here".utf8))
        let frames = [
            YamuxFrame(.windowUpdate, flags: .syn, streamID: 1),
            YamuxFrame(.windowUpdate, flags: .ack, streamID: 1),
            YamuxFrame(.data, streamID: 1, payload: data),
            YamuxFrame(.data, flags: .fin, streamID: 1),
            YamuxFrame(.ping, flags: .syn, streamID: 0, length: 42),
            YamuxFrame(.goAway, streamID: 0, length: 0),
        ]
        var input = ByteBuffer()
        for frame in frames { frame.write(to: &input) }
        #expect(
            Hex.string(input.readableBytesView.prefix(24)) == "000100010000000100000000" + "000100020000000100000000"
        )
        try ByteToMessageDecoderVerifier.verifyDecoder(
            inputOutputPairs: [(input, frames)],
            decoderFactory: { YamuxFrameDecoder(maximumPayload: 262_144) }
        )
    }

    @Test("mplex frame decoder survives drip-feeding")
    func mplexDripFed() throws {
        let frames = [
            MplexFrame(streamID: 1, flag: .newStream, payload: ByteBuffer(string: "1")),
            MplexFrame(
                streamID: 1,
                flag: .messageInitiator,
                payload: ByteBuffer(bytes: [UInt8](repeating: 5, count: 200))
            ),
            MplexFrame(streamID: 1000, flag: .closeReceiver),
            MplexFrame(streamID: 7, flag: .resetInitiator),
        ]
        var input = ByteBuffer()
        for frame in frames {
            frame.writeHeader(to: &input)
            input.writeImmutableBuffer(frame.payload)
        }
        try ByteToMessageDecoderVerifier.verifyDecoder(
            inputOutputPairs: [(input, frames)],
            decoderFactory: { MplexFrameDecoder() }
        )
    }

    @Test("malformed frames are rejected with a clear error, never a crash")
    func malformedFrames() throws {
        func fails(_ bytes: [UInt8], _ read: (inout ByteBuffer) throws -> Void) -> Libp2pError? {
            var buffer = ByteBuffer(bytes: bytes)
            do {
                try read(&buffer)
                return nil
            } catch {
                return error as? Libp2pError
            }
        }
        // multistream: too long, overlong varint, non-minimal varint.
        #expect(
            fails([0x81, 0x08]) { _ = try LengthPrefixedFrameDecoder.readMessage(from: &$0, maximumLength: 1024) }?.code
                == .frameTooLarge
        )
        #expect(
            fails([UInt8](repeating: 0xff, count: 10)) {
                _ = try LengthPrefixedFrameDecoder.readMessage(from: &$0, maximumLength: 1024)
            }?.code == .malformedFrame
        )
        #expect(
            fails([0x80, 0x00]) { _ = try LengthPrefixedFrameDecoder.readMessage(from: &$0, maximumLength: 1024) }?.code
                == .malformedFrame
        )
        // yamux: bad version, unknown type, unknown flags, oversized data frame.
        let yamux: (inout ByteBuffer) throws -> Void = {
            _ = try YamuxFrameDecoder.readFrame(from: &$0, maximumPayload: 1000)
        }
        #expect(fails(Hex.bytes("010000000000000100000000"), yamux)?.code == .malformedFrame)
        #expect(fails(Hex.bytes("000400000000000100000000"), yamux)?.code == .malformedFrame)
        #expect(fails(Hex.bytes("000000100000000100000000"), yamux)?.code == .malformedFrame)
        #expect(fails(Hex.bytes("0000000000000001000003e9"), yamux)?.code == .frameTooLarge)
        // mplex: unknown flag 7, oversized payload.
        let mplex: (inout ByteBuffer) throws -> Void = { _ = try MplexFrameDecoder.readFrame(from: &$0) }
        #expect(fails([0x0f, 0x00], mplex)?.code == .malformedFrame)
        #expect(fails([0x0a, 0x81, 0x80, 0x40], mplex)?.code == .frameTooLarge)
        // multistream text without a newline.
        #expect(throws: Libp2pError.self) { try Multistream.text(of: ByteBuffer(string: "/noise")) }
    }
}
