internal import Libp2p
internal import NIOCore
internal import NIOEmbedded

// The connection's frame decoders, run as the connection runs them: a `ByteToMessageHandler` in a
// channel pipeline, fed the bytes once all at once and once in chunks of the size byte 0 names.
// Both runs must produce the same frames and fail alike; the frames written back out must be the
// input's bytes; what is left over must not hold a whole frame.

extension FuzzTarget {
    /// `multistream`: length-prefixed multistream-select messages, their text, and both sides'
    /// negotiation; when the decoder is removed, the bytes after the last message pass on untouched.
    static func multistream(_ input: [UInt8]) {
        guard let (chunkSize, stream) = input.splitFirst else { return }
        let decoder = LengthPrefixedFrameDecoder(maximumLength: Multistream.maximumMessageSize)
        let fed = DecoderFeed(decoder, stream, chunkSize: chunkSize, removingAtEnd: true)
        var rebuilt: [UInt8] = []
        for message in fed.frames {
            invariant(message.readableBytes <= Multistream.maximumMessageSize, "a message over the limit passed")
            UVarint.append(UInt64(message.readableBytes), to: &rebuilt)
            rebuilt += message.readableBytesView
        }
        if !fed.failed {
            rebuilt += fed.leftOver.flatMap { $0.readableBytesView }
            invariant(rebuilt == stream, "messages and the bytes passed on are not the stream")
        }
        invariant(stream.starts(with: rebuilt), "the messages are not the stream's bytes")
        Self.negotiate(fed.frames)
    }

    /// `yamux-frame`: yamux frames with Data payloads limited to the spec's window (262144
    /// bytes, the limit a connection uses), so inputs of megabytes carry whole large frames.
    static func yamuxFrame(_ input: [UInt8]) {
        guard let (chunkSize, stream) = input.splitFirst else { return }
        let maximumPayload = 262_144
        let fed = DecoderFeed(YamuxFrameDecoder(maximumPayload: maximumPayload), stream, chunkSize: chunkSize)
        var rebuilt = ByteBuffer()
        for frame in fed.frames {
            invariant(frame.flags.rawValue <= 0xf, "unknown flags passed")
            if frame.type == .data {
                invariant(frame.payload.readableBytes == Int(frame.length), "payload and length disagree")
                invariant(frame.payload.readableBytes <= maximumPayload, "a payload over the limit passed")
            } else {
                invariant(frame.payload.readableBytes == 0, "a \(frame.type) frame carries a payload")
            }
            frame.write(to: &rebuilt)
        }
        Self.checkRebuilt(rebuilt, fed, stream) { YamuxFrameDecoder(maximumPayload: maximumPayload) }
    }

    /// `mplex-frame`: mplex frames (1 MiB limit).
    static func mplexFrame(_ input: [UInt8]) {
        guard let (chunkSize, stream) = input.splitFirst else { return }
        let fed = DecoderFeed(MplexFrameDecoder(), stream, chunkSize: chunkSize)
        var rebuilt = ByteBuffer()
        for frame in fed.frames {
            invariant(frame.payload.readableBytes <= MplexFrame.maximumPayload, "a payload over the limit passed")
            frame.writeHeader(to: &rebuilt)
            rebuilt.writeImmutableBuffer(frame.payload)
        }
        Self.checkRebuilt(rebuilt, fed, stream) { MplexFrameDecoder() }
    }

    /// `noise-frame`: Noise framing and, for every frame, the transport decryption a secured
    /// connection applies (fixed key: almost every frame fails authentication, none may trap).
    /// Then the stream as plaintext goes through a fixed sending key, the framing and the
    /// receiving key, and must come back unchanged.
    static func noiseFrame(_ input: [UInt8]) {
        guard let (chunkSize, stream) = input.splitFirst else { return }
        let fed = DecoderFeed(NoiseFrameDecoder(), stream, chunkSize: chunkSize)
        var rebuilt = ByteBuffer()
        var receive = NoiseCipherState(key: NoiseFixture.transportKey)
        var authenticated = true
        for frame in fed.frames {
            rebuilt.writeInteger(UInt16(frame.readableBytes))
            rebuilt.writeImmutableBuffer(frame)
            guard authenticated else { continue }
            do {
                let plaintext = try receive.decrypt(Array(frame.readableBytesView), ad: [])
                invariant(plaintext.count == frame.readableBytes - NoiseCipherState.tagLength, "plaintext size")
            } catch {
                authenticated = false
            }
        }
        Self.checkRebuilt(rebuilt, fed, stream) { NoiseFrameDecoder() }
        Self.sealAndOpen(stream, chunkSize: chunkSize)
    }

    // MARK: - Private

    /// Frames re-encoded must be the start of the stream; when nothing failed, what follows them
    /// must not decode to a frame on its own (it is an incomplete frame).
    private static func checkRebuilt<Decoder: ByteToMessageDecoder>(
        _ rebuilt: ByteBuffer,
        _ fed: DecoderFeed<Decoder.InboundOut>,
        _ stream: [UInt8],
        _ makeDecoder: () -> Decoder
    ) {
        let bytes = Array(rebuilt.readableBytesView)
        invariant(stream.starts(with: bytes), "the frames written back are not the stream's bytes")
        guard !fed.failed else { return }
        let rest = DecoderFeed(makeDecoder(), Array(stream.dropFirst(bytes.count)), chunkSize: 0)
        invariant(rest.frames.isEmpty, "the decoder left a whole frame unread")
    }

    /// Both multistream roles read the messages in order, as far as they go.
    private static func negotiate(_ messages: [ByteBuffer]) {
        let supported = ["/vac/waku/store-query/3.0.0", "/ipfs/id/1.0.0"]
        var listener: MultistreamListener? = MultistreamListener(supported: supported)
        var dialer: MultistreamDialer? = MultistreamDialer(proposals: ["/yamux/1.0.0", "/mplex/6.7.0"])
        for message in messages {
            guard let text = try? Multistream.text(of: message) else { return }
            var frame = ByteBuffer()
            Multistream.write(text, to: &frame)
            invariant(
                frame.readableBytesView.dropFirst(frame.readableBytes - message.readableBytes)
                    .elementsEqual(message.readableBytesView),
                "the text of a message does not write back as the message"
            )
            if var side = listener {
                switch try? side.receive(text) {
                case .selected(let chosen)?:
                    invariant(supported.contains(chosen), "the listener selected \(chosen)")
                    listener = nil
                case .reply?: listener = side
                case nil: listener = nil
                }
            }
            if var side = dialer {
                switch try? side.receive(text) {
                case .wait?, .propose?: dialer = side
                case .selected?, nil: dialer = nil
                }
            }
        }
    }

    /// The most plaintext one Noise transport frame carries (65535 minus the 16-byte tag).
    private static let noisePlaintextLimit = 65_535 - NoiseCipherState.tagLength

    /// Seals `plaintext` into transport frames as `NoiseHandler` does, decodes and opens them.
    private static func sealAndOpen(_ plaintext: [UInt8], chunkSize: Int) {
        var send = NoiseCipherState(key: NoiseFixture.transportKey)
        var receive = NoiseCipherState(key: NoiseFixture.transportKey)
        var wire: [UInt8] = []
        // A transport frame carries at most 65519 plaintext bytes (65535 with the tag), however
        // long the input and its chunks are.
        let pieces = plaintext.chunks(of: chunkSize).flatMap { chunk in
            stride(from: chunk.startIndex, to: chunk.endIndex, by: Self.noisePlaintextLimit).map {
                chunk[$0..<min($0 + Self.noisePlaintextLimit, chunk.endIndex)]
            }
        }
        for chunk in pieces {
            guard let sealed = try? send.encrypt(Array(chunk), ad: []) else {
                invariant(false, "sealing \(chunk.count) bytes failed")
                return
            }
            wire += [UInt8(sealed.count >> 8), UInt8(sealed.count & 0xff)] + sealed
        }
        let fed = DecoderFeed(NoiseFrameDecoder(), wire, chunkSize: 0)
        var opened: [UInt8] = []
        for frame in fed.frames {
            guard let bytes = try? receive.decrypt(Array(frame.readableBytesView), ad: []) else {
                invariant(false, "a sealed frame failed authentication")
                return
            }
            opened += bytes
        }
        invariant(opened == plaintext, "sealed frames do not open to the plaintext")
    }
}

/// What a decoder in a channel pipeline produced from some bytes.
struct DecoderFeed<Frame: Equatable> {
    /// Frames fired while the bytes arrived.
    private(set) var frames: [Frame] = []
    /// What the decoder passed on when it was removed from the pipeline.
    private(set) var leftOver: [Frame] = []
    /// Whether the decoder threw (the connection would be closed).
    private(set) var failed = false

    /// Feeds `bytes` whole and in chunks of `chunkSize`, checks that both runs agree, and keeps
    /// the whole run's result.
    init<Decoder: ByteToMessageDecoder>(
        _ decoder: @autoclosure () -> Decoder,
        _ bytes: [UInt8],
        chunkSize: Int,
        removingAtEnd: Bool = false
    ) where Decoder.InboundOut == Frame {
        self.init(running: decoder(), bytes, chunkSize: 0, removingAtEnd: removingAtEnd)
        guard chunkSize > 0, chunkSize < bytes.count else { return }
        let dripped = DecoderFeed(running: decoder(), bytes, chunkSize: chunkSize, removingAtEnd: removingAtEnd)
        invariant(
            dripped.failed == self.failed && dripped.frames == self.frames && dripped.leftOver == self.leftOver,
            "chunks of \(chunkSize) bytes give other frames than the whole input"
        )
    }

    private init<Decoder: ByteToMessageDecoder>(
        running decoder: Decoder,
        _ bytes: [UInt8],
        chunkSize: Int,
        removingAtEnd: Bool
    ) where Decoder.InboundOut == Frame {
        let channel = EmbeddedChannel()
        defer { _ = try? channel.finish(acceptAlreadyClosed: true) }
        let name = "decoder"
        guard (try? channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(decoder), name: name)) != nil
        else {
            invariant(false, "an embedded channel refused the decoder")
            return
        }
        for chunk in bytes.chunks(of: chunkSize) {
            do {
                try channel.writeInbound(ByteBuffer(bytes: chunk))
            } catch {
                self.failed = true
            }
            self.frames += Self.read(channel)
            if self.failed { return }
        }
        guard removingAtEnd else { return }
        channel.pipeline.syncOperations.removeHandler(name: name, promise: nil)
        channel.embeddedEventLoop.run()
        self.leftOver = Self.read(channel)
    }

    private static func read(_ channel: EmbeddedChannel) -> [Frame] {
        var frames: [Frame] = []
        while let frame = try? channel.readInbound(as: Frame.self) { frames.append(frame) }
        return frames
    }
}

extension Array where Element == UInt8 {
    /// Byte 0 as a chunk size and the rest as a stream, or nil for an empty input.
    var splitFirst: (Int, [UInt8])? {
        guard let first = self.first else { return nil }
        return (Int(first), Array(self.dropFirst()))
    }
}
