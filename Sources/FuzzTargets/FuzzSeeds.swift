package import Foundation
internal import WakuArchive
internal import WakuCore
internal import WakuSync

/// The starting corpus of every fuzz target: the encodings in `Tests/Vectors/*.json` and values
/// written by our own encoders, in the input layout each target expects (a chunk-size or mode
/// byte first where the target has one).
///
/// `wakusync-fuzz seed DIR` and `scripts/fuzz.sh` write them to `Fuzz/corpus/<target>/`, where
/// they are committed and replayed by the regression tests.
package struct FuzzSeeds {
    /// Seeds by target name; each seed is a file name and its bytes.
    package private(set) var byTarget: [String: [(name: String, bytes: [UInt8])]] = [:]

    /// Builds every seed, reading the vector files in `vectors`.
    ///
    /// - Throws: when a vector file is missing or does not have the documented shape.
    package init(vectors: URL) throws {
        let vectors = VectorFiles(directory: vectors)
        try self.addWakuSeeds(vectors)
        try self.addSyncSeeds(vectors)
        try self.addArchiveSeeds(vectors)
        try self.addLibp2pSeeds(vectors)
    }

    /// Writes every seed to `directory/<target>/<name>`, replacing files of the same name.
    ///
    /// - Returns: how many files were written.
    package func write(to directory: URL) throws -> Int {
        var written = 0
        for (target, seeds) in self.byTarget {
            let folder = directory.appendingPathComponent(target, isDirectory: true)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for seed in seeds {
                try Data(seed.bytes).write(to: folder.appendingPathComponent(seed.name))
                written += 1
            }
        }
        return written
    }

    mutating func add(_ target: String, _ name: String, _ bytes: [UInt8]) {
        precondition(FuzzTarget.named(target) != nil, "seeds for an unknown fuzz target \(target)")
        self.byTarget[target, default: []].append((name, bytes))
    }

    // MARK: - Private

    private mutating func addWakuSeeds(_ vectors: VectorFiles) throws {
        let targets = [
            "waku_message": "waku-message", "store_request": "store-request", "store_response": "store-response",
            "transfer": "transfer-payload", "metadata": "metadata",
        ]
        var frames: [UInt8] = []
        for vector in try vectors.list("protobuf_nwaku.json", "vectors") {
            let name = try vectors.string(vector, "name")
            guard let target = targets.first(where: { name.hasPrefix($0.key) })?.value else { continue }
            self.add(target, "vector-\(name)", try vectors.hex(vector, "encoded_hex"))
            frames += try vectors.hex(vector, "length_prefixed_frame_hex")
        }
        // Byte 0: chunk size, byte 1: limit in units of 8 bytes.
        self.add("length-prefixed", "vector-frames-whole", [0, 0x80] + frames)
        self.add("length-prefixed", "vector-frames-chunked", [3, 0x10] + frames)

        let hash = try MessageHash(hex: String(repeating: "ab", count: 32))
        let message = WakuMessage(
            payload: Array("fuzz".utf8),
            contentTopic: SessionFixture.contentTopics[0],
            version: 1,
            timestamp: 1_700_000_000_000_000_000,
            meta: [1, 2, 3],
            rateLimitProof: [9],
            ephemeral: true
        )
        self.add("waku-message", "encoder-all-fields", message.serialized())
        let topic = SessionFixture.pubsubTopics[0]
        let request = StoreQueryRequest(
            requestID: "fuzz",
            includeData: true,
            pubsubTopic: topic,
            contentTopics: SessionFixture.contentTopics,
            timeStart: 1,
            timeEnd: 2,
            paginationCursor: hash,
            paginationForward: true,
            paginationLimit: 50
        )
        self.add("store-request", "encoder-content-filter", request.serialized())
        let lookup = StoreQueryRequest(requestID: "lookup", messageHashes: [hash, .max])
        self.add("store-request", "encoder-hash-lookup", lookup.serialized())
        let response = StoreQueryResponse(
            requestID: "fuzz",
            messages: [
                WakuMessageKeyValue(messageHash: hash),
                WakuMessageKeyValue(
                    messageHash: message.hash(pubsubTopic: topic),
                    message: message,
                    pubsubTopic: topic
                ),
            ],
            paginationCursor: hash
        )
        self.add("store-response", "encoder-page", (try? response.serialized()) ?? [])
        self.add("transfer-payload", "encoder-push", TransferPayload(pubsubTopic: topic, message: message).serialized())
        self.addAuditSeeds(message, topic: topic, hash: hash)
        self.add("metadata", "encoder-cluster-shards", MetadataMessage(clusterID: 1, shards: [0, 1, 7]).serialized())
        self.add("metadata", "encoder-no-cluster", MetadataMessage(clusterID: nil, shards: []).serialized())
        for (name, value) in [("zero", 0), ("one-byte", 127), ("two-bytes", 300), ("max", .max)] as [(String, UInt64)] {
            self.add("varint", "encoder-\(name)", Varint.encode(value))
        }
        self.add("varint", "encoder-non-minimal", [0x80, 0x80, 0x00, 0x05])
    }

    /// One seed per audit request and answer kind; byte 0 says which (PROTOCOLS.md §12.3).
    private mutating func addAuditSeeds(_ message: WakuMessage, topic: String, hash: MessageHash) {
        let minute: Int64 = 1_700_000_040_000_000_000
        let requests: [(String, AuditRequest)] = [
            ("days", .days(from: 0, to: .max, pubsubTopics: [topic])),
            ("children", .children(level: .minute, parents: [minute, minute + 3_600_000_000_000])),
            ("slices", .slices(minutes: [minute])),
            ("prefixes", .prefixes([AuditSliceKey(minute: minute, nibble: 15)])),
            ("fetch", .fetch([AuditPrefixKey(minute: minute, prefix: hash.w0)])),
            ("push", .push([TransferPayload(pubsubTopic: topic, message: message)])),
        ]
        for (name, request) in requests { self.add("audit-frame", "encoder-request-\(name)", [0] + request.encoded()) }
        let summary = AuditSummary(start: minute, count: 3, digest: AuditDigest(high: 1, low: .max))
        let answers: [(String, AuditResponse)] = [
            ("days", .days(from: 0, to: minute, buckets: [summary])),
            ("children", .children([[summary], []])),
            (
                "slices",
                .slices([.listed([hash.w0]), .sliced((0..<16).map { AuditSliceSummary(count: Int64($0), digest: 9) })])
            ),
            ("prefixes", .prefixes([[1, 2, hash.w0]])),
            ("fetch", .fetch(messages: [TransferPayload(pubsubTopic: topic, message: message)], complete: false)),
            ("push", .push(stored: 1, refused: 2)),
            ("error", .error(AuditRefusal(.overLimit, "too many"))),
        ]
        for (name, answer) in answers { self.add("audit-frame", "encoder-answer-\(name)", [1] + answer.encoded()) }
    }

    private mutating func addSyncSeeds(_ vectors: VectorFiles) throws {
        for vector in try vectors.list("sync_payloads.json", "vectors") {
            let name = try vectors.string(vector, "name")
            self.add("ranges-data", "vector-\(name)", try vectors.hex(vector, "encoded_hex"))
            self.add("ranges-session", "vector-\(name)", [0] + (try vectors.hex(vector, "length_prefixed_frame_hex")))
        }
        // Whole conversations between the session target's items and a peer's: the peer's frames.
        for mode in [0, 1, 2, 3, 4] as [UInt8] {
            let ours = ReconciliationSession.Configuration(
                strategy: mode & 1 == 0 ? .balanced : .nwaku,
                pubsubTopics: mode & 4 == 0 ? [] : [SessionFixture.pubsubTopics[0]],
                roundLimit: SessionFixture.roundLimit
            )
            let theirs = ReconciliationSession.Configuration(strategy: ours.strategy)
            let weInitiate = mode & 2 != 0
            let replay = SessionReplay(initiator: weInitiate ? ours : theirs, responder: weInitiate ? theirs : ours)
            let ourIndex = SessionFixture.index(SessionFixture.ours)
            let theirIndex = SessionFixture.index(SessionFixture.theirs)
            let transcript = replay.run(
                initiatorIndex: weInitiate ? ourIndex : theirIndex,
                responderIndex: weInitiate ? theirIndex : ourIndex,
                from: 0,
                to: SessionFixture.windowEnd
            )
            var input: [UInt8] = [mode]
            for frame in transcript.frames where frame.from == (weInitiate ? .responder : .initiator) {
                Varint.append(UInt64(frame.payload.count), to: &input)
                input += frame.payload
                self.add("ranges-data", "encoder-mode\(mode)-frame\(input.count)", frame.payload)
            }
            self.add("ranges-session", "encoder-conversation-mode\(mode)", input)
        }
        // Recipes (strategy byte, then kind, repeat, size, items): the shapes a hostile peer
        // sends, at or past the node's caps (large steps: size byte 0xF0 | shift; the unused item
        // byte of a Skip, Fingerprint or empty step makes the input's FNV-1a hash a multiple of 64,
        // which large steps need), and a small mix.
        let recipes: [(String, [UInt8])] = [
            // 255 << 10 Skip ranges, stopped at the recipe's 140 000
            ("skips-past-range-cap", [0, 0, 255, 0xFA, 36]),
            ("empty-sets-at-cap", [1, 3, 128, 0xFA, 39]),  // 131 072 empty reconciled sets
            // 1 600 Fingerprints, then 3 200 sets of 500 items (4 080 asked, 1.6M items in all)
            ("fingerprints-then-items", [0, 1, 100, 0xF4, 11, 2, 200, 0xF4, 255]),
            // small steps: 3 ranges of each kind, 2 items a set
            ("mixed-small", [1, 0, 3, 0, 0, 1, 3, 0, 0, 2, 3, 0, 2, 3, 3, 0, 0]),
        ]
        for (name, recipe) in recipes { self.add("ranges-structured", "recipe-\(name)", recipe) }
    }

    private mutating func addArchiveSeeds(_ vectors: VectorFiles) throws {
        var lines: [String] = []
        for vector in try vectors.list("message_hash.json", "vectors") {
            let message = WakuMessage(
                payload: try vectors.hex(vector, "payload_hex"),
                contentTopic: try vectors.string(vector, "content_topic"),
                timestamp: (vector["timestamp"] as? NSNumber)?.int64Value ?? 0,
                meta: try vectors.hex(vector, "meta_hex")
            )
            let archived = ArchivedMessage(
                pubsubTopic: try vectors.string(vector, "pubsub_topic"),
                message: message,
                source: .import
            )
            lines.append(ArchiveJSONLine.encode(StoredMessage(archived: archived, storedAt: 0)))
            let hash = try vectors.string(vector, "expected_hash_hex")
            self.add("hash-hex", "vector-\(try vectors.string(vector, "name"))", Array(hash.utf8))
        }
        self.add("jsonl-import", "vector-messages", Array(lines.joined(separator: "\n").utf8))
        let handWritten = """
            {"pubsubTopic":"/waku/2/rs/1/0","message":{"payload":"AQI=","contentTopic":"/a/1/b/proto",\
            "version":2,"timestamp":-5,"ephemeral":true,"meta":null}}

            \t
            {"pubsubTopic":"t","message":{"payload":"","contentTopic":"\\u00e9\\n","timestamp":1e3}}
            """
        self.add("jsonl-import", "handwritten-optional-fields", Array(handWritten.utf8))
        self.add("hash-hex", "handwritten-uppercase", Array(String(repeating: "AB", count: 32).utf8))
    }
}

/// The vector files of `Tests/Vectors/`, read as JSON.
struct VectorFiles {
    let directory: URL

    /// The top-level object of `file`.
    func top(_ file: String) throws -> [String: Any] {
        let data = try Data(contentsOf: self.directory.appendingPathComponent(file))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw VectorError("\(file) is not a JSON object")
        }
        return object
    }

    /// The array `key` of the top-level object of `file`.
    func list(_ file: String, _ key: String) throws -> [[String: Any]] {
        guard let list = try self.top(file)[key] as? [[String: Any]] else {
            throw VectorError("\(file) has no list \(key)")
        }
        return list
    }

    /// The string `key` of `object`.
    func string(_ object: [String: Any], _ key: String) throws -> String {
        guard let value = object[key] as? String else { throw VectorError("a vector has no string \(key)") }
        return value
    }

    /// The bytes of the hex string `key` of `object`.
    func hex(_ object: [String: Any], _ key: String) throws -> [UInt8] {
        try Hex.decode(try self.string(object, key))
    }

    /// The object `key` of `object`.
    func object(_ object: [String: Any], _ key: String) throws -> [String: Any] {
        guard let value = object[key] as? [String: Any] else { throw VectorError("a vector has no object \(key)") }
        return value
    }
}

/// A vector file that does not have the documented shape.
struct VectorError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
