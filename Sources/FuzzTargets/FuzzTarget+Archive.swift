internal import WakuArchive
internal import WakuCore

extension FuzzTarget {
    /// `jsonl-import`: a JSON-lines file as `wakusync archive import` reads it: `\n`-separated
    /// lines, lines that are not UTF-8 or only whitespace skipped. A line that imports must write
    /// back (as `archive export` writes it) to a line that imports to the same message.
    static func jsonlImport(_ input: [UInt8]) {
        for line in input.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            guard let text = String(validating: line, as: UTF8.self), text.contains(where: { !$0.isWhitespace }),
                let archived = try? ArchiveJSONLine.decode(text)
            else { continue }
            invariant(archived.message.meta.count <= MessageLimits.maxMetaLength, "meta over the limit was accepted")
            invariant(archived.hash == archived.message.hash(pubsubTopic: archived.pubsubTopic), "hash mismatch")
            let written = ArchiveJSONLine.encode(StoredMessage(archived: archived, storedAt: 0))
            invariant(!written.contains("\n"), "an exported line contains a newline: \(written)")
            guard let again = try? ArchiveJSONLine.decode(written) else {
                invariant(false, "the exported line does not import: \(written)")
                continue
            }
            // Export leaves out `ephemeral` (stored messages never are).
            var expected = archived.message
            expected.ephemeral = false
            invariant(again.message == expected, "the message changes through export and import: \(written)")
            invariant(again.pubsubTopic == archived.pubsubTopic && again.hash == archived.hash, "topic or hash")
        }
    }

    /// `hash-hex`: a message hash as hex text (JSON lines, `--hash`, `inspect`).
    static func hashHex(_ input: [UInt8]) {
        guard let text = String(validating: input, as: UTF8.self) else { return }
        if let bytes = try? Hex.decode(text) {
            invariant(bytes.count * 2 == text.utf8.count, "\(bytes.count) bytes from \(text.utf8.count) digits")
            invariant(bytes.hexString == text.lowercased(), "hex does not print back")
        }
        if let hash = try? MessageHash(hex: text) {
            invariant(hash.hex == text.lowercased(), "the hash prints another text")
            invariant((try? MessageHash(bytes: hash.bytes)) == hash, "the hash's bytes make another hash")
        }
    }
}
