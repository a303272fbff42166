/// One fuzz entry point: a decoder fed from the network or from disk, driven with arbitrary bytes.
///
/// Each entry decodes its input and, when decoding succeeds, re-encodes the result and checks what
/// must hold (the encoding decodes to the same value, counts stay within the input's size, the
/// same frames come out however the bytes are split). A decode error is a normal outcome; a
/// violated ``invariant(_:_:file:line:)`` or a trap inside a decoder is a finding. The same entries
/// serve libFuzzer (`wakusync-fuzz` built with `-sanitize=fuzzer`), the replay harness and the
/// regression tests, which run every committed seed and crasher (`Fuzz/`).
package struct FuzzTarget: Sendable {
    /// The name used on the command line, in `WAKUSYNC_FUZZ_TARGET` and for `Fuzz/corpus/<name>/`.
    package let name: String
    /// What the entry point decodes, for `wakusync-fuzz list`.
    package let summary: String
    /// Runs one input through the entry point; returns normally unless an invariant is violated.
    package let run: @Sendable ([UInt8]) -> Void

    /// Every entry point, in the order `wakusync-fuzz list` and `scripts/fuzz.sh` use.
    package static let all: [FuzzTarget] = [
        FuzzTarget("ranges-data", "reconciliation payload (RangesData, nwaku's delta encoding)", Self.rangesData),
        FuzzTarget("ranges-session", "reconciliation session processing a peer's payloads", Self.rangesSession),
        FuzzTarget(
            "ranges-structured",
            "large reconciliation payloads built from a recipe, decoded and processed under the node's limits",
            Self.rangesStructured
        ),
        FuzzTarget("audit-frame", "archive audit request or answer (PROTOCOLS.md §12.3)", Self.auditFrame),
        FuzzTarget("waku-message", "WakuMessage protobuf", Self.wakuMessage),
        FuzzTarget("store-request", "Store v3 query request protobuf (hashes, cursor)", Self.storeRequest),
        FuzzTarget("store-response", "Store v3 query response protobuf", Self.storeResponse),
        FuzzTarget("transfer-payload", "sync transfer payload protobuf (topic + message)", Self.transferPayload),
        FuzzTarget("metadata", "Waku metadata protobuf", Self.metadata),
        FuzzTarget("varint", "uvarints: WakuCore's ByteReader and Libp2p's UVarint", Self.varint),
        FuzzTarget(
            "length-prefixed",
            "uvarint-length-prefixed messages on a stream (StreamBuffer)",
            Self.lengthPrefixed
        ),
        FuzzTarget("multistream", "multistream-select frames and negotiation", Self.multistream),
        FuzzTarget("noise-frame", "Noise framing and transport decryption", Self.noiseFrame),
        FuzzTarget("noise-handshake", "Noise XX handshake messages with fixed keys", Self.noiseHandshake),
        FuzzTarget("noise-payload", "Noise handshake payload protobuf and its signature", Self.noisePayload),
        FuzzTarget("yamux-frame", "yamux frame decoder", Self.yamuxFrame),
        FuzzTarget("mplex-frame", "mplex frame decoder", Self.mplexFrame),
        FuzzTarget("multiaddr-text", "multiaddr text form", Self.multiaddrText),
        FuzzTarget("multiaddr-binary", "multiaddr binary form", Self.multiaddrBinary),
        FuzzTarget("peer-id-text", "peer ID text (base58btc, CIDv1 base32)", Self.peerIDText),
        FuzzTarget("peer-id-bytes", "peer ID multihash bytes", Self.peerIDBytes),
        FuzzTarget("public-key", "libp2p PublicKey protobuf", Self.publicKey),
        FuzzTarget("private-key", "libp2p PrivateKey protobuf (the node.key file)", Self.privateKey),
        FuzzTarget("identify", "identify protobuf", Self.identify),
        FuzzTarget("jsonl-import", "archive JSON-lines import", Self.jsonlImport),
        FuzzTarget("hash-hex", "message hash hex text (JSON lines, command line)", Self.hashHex),
    ]

    /// The entry point called `name`, if there is one.
    package static func named(_ name: String) -> FuzzTarget? {
        Self.all.first { $0.name == name }
    }

    private init(_ name: String, _ summary: String, _ run: @escaping @Sendable ([UInt8]) -> Void) {
        self.name = name
        self.summary = summary
        self.run = run
    }
}

/// Stops the process when a property that must hold for every input does not.
///
/// Unlike `precondition`, it prints its message in optimized builds too, so a crasher found by
/// the fuzzer names the broken invariant.
func invariant(
    _ condition: @autoclosure () -> Bool,
    _ message: @autoclosure () -> String,
    file: StaticString = #fileID,
    line: UInt = #line
) {
    if !condition() { fatalError("fuzz invariant violated: \(message())", file: file, line: line) }
}
