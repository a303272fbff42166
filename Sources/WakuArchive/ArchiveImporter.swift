package import WakuCore
/// Imports JSON-lines records (``ArchiveJSONLine``) into an archive in batches: the engine of
/// `wakusync archive import`.
///
/// Bad lines are reported and skipped, good lines are buffered and committed one batch (one
/// transaction) at a time. Blank lines are ignored. The caller reads the input and prints.
package struct ArchiveImporter {
    /// What feeding one line did.
    package enum Step: Sendable {
        /// The line was buffered (or was blank).
        case buffered
        /// The line was rejected, for this reason; it counts as failed.
        case rejected(reason: String)
        /// The line completed a batch, which is now committed.
        case committed(ImportBatch)
    }

    private let archive: any MessageArchive
    private let batchSize: Int
    private let acceptance: MessageAcceptance
    private let span: ClosedRange<Int64>
    private let now: Int64
    private var pending: [ArchivedMessage] = []
    private var pendingFirstLine: Int?
    private var lastLine = 0
    private var batchesCommitted = 0
    /// Totals so far.
    package private(set) var summary = ImportSummary()

    /// An importer into `archive` that commits every `batchSize` good lines (at least 1).
    ///
    /// Every line passes the acceptance rule every message entering the archive passes: at most
    /// `acceptance.maxMessageSize` bytes encoded, not stamped more than 20 s after `now`, not
    /// older than `oldest` (the retention period, when one applies), its hash recomputed.
    package init(
        archive: any MessageArchive,
        batchSize: Int,
        acceptance: MessageAcceptance = MessageAcceptance(),
        oldest: Int64 = .min,
        now: Int64 = Archive.systemTime()
    ) {
        self.archive = archive
        self.batchSize = max(1, batchSize)
        self.acceptance = acceptance
        self.span = oldest...Int64.max
        self.now = now
    }

    /// Feeds line number `number` (1-based, increasing).
    ///
    /// - Throws: only database failures; a bad line is a ``Step/rejected(reason:)``.
    package mutating func add(line: some StringProtocol, number: Int) async throws(ArchiveError) -> Step {
        self.lastLine = number
        guard line.contains(where: { !$0.isWhitespace }) else { return .buffered }
        do {
            let message = try ArchiveJSONLine.decode(line)
            // Ephemeral lines are counted as skipped by the insert, as before.
            if !message.message.ephemeral, let refusal = self.refusal(of: message) {
                self.summary.failed += 1
                return .rejected(reason: refusal)
            }
            if self.pendingFirstLine == nil { self.pendingFirstLine = number }
            self.pending.append(message)
        } catch {
            self.summary.failed += 1
            return .rejected(reason: error.detail)
        }
        guard self.pending.count >= self.batchSize else { return .buffered }
        return .committed(try await self.commit())
    }

    /// Counts line `number` as failed for a reason the caller found itself (it is not text).
    package mutating func reject(lineNumber number: Int) {
        self.lastLine = number
        self.summary.failed += 1
    }

    /// Commits what is still buffered; nil when nothing was.
    package mutating func finish() async throws(ArchiveError) -> ImportBatch? {
        guard !self.pending.isEmpty else { return nil }
        return try await self.commit()
    }

    private func refusal(of line: ArchivedMessage) -> String? {
        let refusal = self.acceptance.refusal(
            of: line.message,
            pubsubTopic: line.pubsubTopic,
            hash: line.hash,
            span: self.span,
            scope: .any,
            now: self.now
        )
        switch refusal {
        case nil: return nil
        case .oversized?:
            return
                "message of \(line.message.encodedSize) bytes encoded exceeds the limit of \(self.acceptance.maxMessageSize)"
        case .future?: return "timestamp \(line.message.timestamp) is more than 20 s ahead of this machine's clock"
        case .outsideSpan?: return "timestamp \(line.message.timestamp) is older than the retention period"
        case let other?: return "refused: \(other.rawValue)"
        }
    }

    private mutating func commit() async throws(ArchiveError) -> ImportBatch {
        let outcome = try await self.archive.insert(self.pending)
        self.batchesCommitted += 1
        let batch = ImportBatch(
            number: self.batchesCommitted,
            firstLine: self.pendingFirstLine ?? self.lastLine,
            lastLine: self.lastLine,
            messages: self.pending.count,
            outcome: outcome
        )
        self.summary.outcome += outcome
        self.summary.batches += 1
        self.pending.removeAll(keepingCapacity: true)
        self.pendingFirstLine = nil
        return batch
    }
}

/// One committed import batch: every good line from ``firstLine`` to ``lastLine`` is stored.
package struct ImportBatch: Hashable, Sendable {
    /// 1-based count of batches.
    package var number: Int
    /// The batch's first good line (1-based).
    package var firstLine: Int
    /// The line that completed the batch (or the input's last line).
    package var lastLine: Int
    /// Good lines in the batch.
    package var messages: Int
    /// What the insert did with the batch.
    package var outcome: InsertOutcome
}

/// Totals of an import.
package struct ImportSummary: Hashable, Sendable {
    /// Inserted, duplicate and ephemeral counts over all batches.
    package var outcome = InsertOutcome()
    /// Lines rejected.
    package var failed = 0
    /// Batches committed.
    package var batches = 0

    /// Zero counts.
    package init() {}
}
