package import WakuArchive
package import WakuCore

// Placeholder until the PostgreSQL buckets land (issue 14): every call says so.
extension PostgresArchive {
    package func auditBuckets(
        _ level: AuditLevel,
        from: Int64,
        to: Int64,
        pubsubTopics: [String]
    ) async throws(ArchiveError) -> [AuditBucket] {
        throw Self.bucketsMissing
    }

    package func auditItems(
        from: Int64,
        to: Int64,
        pubsubTopics: [String],
        limit: Int
    ) async throws(ArchiveError) -> [AuditItem] {
        throw Self.bucketsMissing
    }

    package func checkAuditBuckets(repair: Bool) async throws(ArchiveError) -> AuditBucketCheck {
        throw Self.bucketsMissing
    }

    package func auditBucketsLookSound() async throws(ArchiveError) -> Bool { true }

    private static var bucketsMissing: ArchiveError {
        ArchiveError(.database, "the PostgreSQL archive keeps no audit buckets yet")
    }
}
