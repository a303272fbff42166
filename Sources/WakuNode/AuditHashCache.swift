internal import WakuCore

/// The hashes an audit answer read for a set of minutes, kept for the requests that follow
/// and name the same minutes (slices, then prefixes and fetch of the differing ones), so that
/// each minute is read from the archive once per audit rather than three times. The bytes are
/// reserved in the audit budget; when they do not fit, nothing is kept and the next request
/// reads again.
struct AuditHashCache {
    /// Every minute that was read, including those that held nothing.
    private(set) var minutes: Set<Int64> = []
    private(set) var hashes: [Int64: [MessageHash]] = [:]
    private(set) var bytes = 0

    /// What keeping `hashes` for `minutes` costs: the hashes themselves and a little per minute.
    static func cost(minutes: Int, hashes: [Int64: [MessageHash]]) -> Int {
        hashes.values.reduce(minutes * 64) { $0 + $1.count * MemoryLayout<MessageHash>.stride }
    }

    init() {}

    init(minutes: Set<Int64>, hashes: [Int64: [MessageHash]], bytes: Int) {
        self.minutes = minutes
        self.hashes = hashes
        self.bytes = bytes
    }

    /// The kept hashes of `wanted` (minute starts), or nil when one of them was not read.
    func lookup(_ wanted: [Int64]) -> [Int64: [MessageHash]]? {
        var found: [Int64: [MessageHash]] = [:]
        for minute in wanted {
            guard self.minutes.contains(minute) else { return nil }
            if let list = self.hashes[minute] { found[minute] = list }
        }
        return found
    }
}
