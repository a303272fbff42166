/// The window and queries of Store Resume (PROTOCOLS.md §6.1–6.2): from when we were last online,
/// but at most `limit` back, to now; one forward query per configured pubsub topic (one
/// unfiltered query when none is configured), our content topics as the filter, 100 per page.
struct ResumePlan: Equatable {
    /// nwaku's cap on how far back resume reaches.
    static let limit = Duration.seconds(6 * 3600)

    var start: Int64
    var end: Int64
    /// One query per entry; nil means no pubsub filter.
    var pubsubTopics: [String?]
    var contentTopics: [String]

    init(lastOnline: Int64?, now: Int64, pubsubTopics: [String], contentTopics: [String]) {
        let earliest = now - Self.limit.nanoseconds
        self.start = max(lastOnline ?? earliest, earliest)
        self.end = now
        self.pubsubTopics = pubsubTopics.isEmpty ? [nil] : pubsubTopics
        self.contentTopics = contentTopics
    }
}
