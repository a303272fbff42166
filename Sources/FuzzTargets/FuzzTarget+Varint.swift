internal import Libp2p
internal import NIOCore
internal import WakuCore

extension FuzzTarget {
    /// `varint`: the two uvarint readers. WakuCore's `ByteReader` reads the reconciliation payload
    /// (any encoding up to 64 bits); Libp2p's `UVarint` reads every libp2p length prefix
    /// (minimal, at most 9 bytes). Where both accept, they agree, and re-encoding gives the value.
    static func varint(_ input: [UInt8]) {
        var reader = ByteReader(input)
        while !reader.isAtEnd {
            let start = reader.offset
            guard let value = try? reader.readVarint("varint") else { break }
            let encoded = Varint.encode(value)
            invariant(encoded.count == Varint.size(of: value), "Varint.size disagrees with the encoding")
            invariant(encoded.count <= reader.offset - start, "the minimal encoding is longer than the input's")
            var again = ByteReader(encoded)
            invariant((try? again.readVarint("varint")) == value && again.isAtEnd, "\(value) does not round-trip")
        }
        var counted = ByteReader(input)
        if let count = try? counted.readCount("count", minimumSize: 3) {
            invariant(count * 3 <= counted.remaining, "a count of \(count) passed with \(counted.remaining) bytes left")
        }
        switch try? UVarint.peek(input) {
        case .value(let value, let length)?:
            var encoded: [UInt8] = []
            UVarint.append(value, to: &encoded)
            invariant(encoded[...] == input.prefix(length), "an accepted uvarint is not minimally encoded")
            invariant(value <= UVarint.maximum && UVarint.size(of: value) == length, "uvarint \(value) in \(length)")
            var wakuReader = ByteReader(input)
            invariant((try? wakuReader.readVarint("varint")) == value, "the two readers disagree")
            var offset = 0
            invariant((try? UVarint.read(input, at: &offset)) == value && offset == length, "peek and read disagree")
        case .incomplete?:
            invariant(input.count <= 9 && input.allSatisfy { $0 & 0x80 != 0 }, "incomplete, but the uvarint ended")
        case nil:
            break
        }
    }

    /// `length-prefixed`: uvarint-length-prefixed messages read from a muxed stream, the framing
    /// of every Waku protocol and of identify (PROTOCOLS.md §0).
    ///
    /// Byte 0 is the chunk size the bytes arrive in (0: all at once), byte 1 the message limit
    /// (below). The same messages must come out however the bytes are split, they must be
    /// the input's bytes, and every byte consumed must be reported to the muxer's flow control.
    static func lengthPrefixed(_ input: [UInt8]) {
        guard input.count >= 2 else { return }
        // Byte 1 is the limit: below 0x80 in steps of 8 bytes, above in steps of 32 KiB (to
        // about 4 MiB), so large messages are collected across many chunks.
        let limit = input[1] < 0x80 ? Int(input[1]) * 8 : Int(input[1] & 0x7f) << 15
        let stream = Array(input.dropFirst(2))
        let whole = StreamMessages(stream, chunkSize: 0, limit: limit)
        let dripped = StreamMessages(stream, chunkSize: Int(input[0]), limit: limit)
        invariant(
            whole.messages == dripped.messages && whole.failure == dripped.failure,
            "splitting the bytes changes the messages or the outcome"
        )
        var rebuilt: [UInt8] = []
        for message in whole.messages {
            invariant(message.count <= limit, "a message of \(message.count) bytes passed the limit \(limit)")
            UVarint.append(UInt64(message.count), to: &rebuilt)
            rebuilt += message
        }
        invariant(stream.starts(with: rebuilt), "the messages are not the stream's bytes")
        if whole.failure == nil {
            invariant(rebuilt == stream, "the stream ended cleanly with bytes left over")
            for outcome in [whole, dripped] {
                invariant(outcome.reported == stream.count, "reported \(outcome.reported) of \(stream.count) bytes")
            }
        }
    }
}

/// Everything a reader took out of a ``StreamBuffer`` fed with some bytes and then closed.
private struct StreamMessages {
    var messages: [[UInt8]] = []
    var failure: Libp2pError.Code?
    /// Bytes reported as consumed (what becomes yamux window updates).
    var reported = 0

    init(_ bytes: [UInt8], chunkSize: Int, limit: Int) {
        let buffer = StreamBuffer(reportThreshold: 64)
        do throws(Libp2pError) {
            for chunk in bytes.chunks(of: chunkSize) {
                buffer.append(ByteBuffer(bytes: chunk))
                _ = try self.drain(buffer, limit: limit)
            }
            buffer.finish()
            let ended = try self.drain(buffer, limit: limit)
            invariant(ended, "a finished stream is still waiting for data")
        } catch {
            self.failure = error.code
        }
    }

    /// Takes messages until the buffer is empty; true when the stream ended.
    private mutating func drain(_ buffer: StreamBuffer, limit: Int) throws(Libp2pError) -> Bool {
        while true {
            switch try buffer.takeMessage(maximumLength: limit) {
            case .bytes(let message, let report):
                self.messages.append(Array(message.readableBytesView))
                self.reported += report
            case .empty(let report):
                self.reported += report
                return false
            case .end(let report):
                self.reported += report
                return true
            }
        }
    }
}

extension Array where Element == UInt8 {
    /// The bytes in slices of `size` (0: one slice with everything), as a connection delivers them.
    ///
    /// At most 64 slices: a longer input gets longer slices, so that dripping a 4 KiB input byte by
    /// byte through a channel pipeline does not make one execution cost a thousand short ones.
    func chunks(of size: Int) -> [ArraySlice<UInt8>] {
        let size = size > 0 ? Swift.max(size, (self.count + 63) / 64) : 0
        guard size > 0, size < self.count else { return [self[...]] }
        return stride(from: 0, to: self.count, by: size).map { self[$0..<Swift.min($0 + size, self.count)] }
    }
}
