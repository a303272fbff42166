internal import Foundation

/// CPU time and memory readings for the benchmarks (PERFORMANCE.md §1: CPU time, not wall time).
enum Measurement {
    /// CPU time the calling thread has used so far.
    static func threadCPUTime() -> Duration {
        var spec = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
        return .seconds(spec.tv_sec) + .nanoseconds(spec.tv_nsec)
    }

    /// Runs `body` and returns the thread CPU time it took.
    static func cpuTime(_ body: () throws -> Void) rethrows -> Duration {
        let start = Self.threadCPUTime()
        try body()
        return Self.threadCPUTime() - start
    }

    /// User plus system CPU time of this whole process (every thread) so far.
    static func processCPUTime() -> Duration {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let user = Duration.seconds(usage.ru_utime.tv_sec) + .microseconds(usage.ru_utime.tv_usec)
        let system = Duration.seconds(usage.ru_stime.tv_sec) + .microseconds(usage.ru_stime.tv_usec)
        return user + system
    }

    /// User plus system CPU time of another process so far, from `/proc/<pid>/stat` (in clock
    /// ticks, so in steps of 1/`_SC_CLK_TCK` s).
    static func processCPUTime(of pid: Int32) throws(BenchFailure) -> Duration {
        let failure = BenchFailure("unreadable /proc/\(pid)/stat")
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { throw failure }
        // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Int(fields[11]), let system = Int(fields[12]) else { throw failure }
        return .seconds(user + system) / Int(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Peak resident set size of this process, in bytes.
    static func peakResidentBytes() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1024
    }

    /// Resident set size of this process now, in bytes.
    static func residentBytes() -> Int {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let pages = statm.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}

/// Resident memory sampled at an interval, for soak reports (`wakusync demo --churn`).
package actor MemorySamples {
    /// The samples so far, in MiB.
    package private(set) var values: [Double] = []

    /// An empty series.
    package init() {}

    /// Samples every `interval` until cancelled.
    package func record(every interval: Duration) async {
        while !Task.isCancelled {
            self.values.append(Double(Measurement.residentBytes()) / 1_048_576)
            do { try await Task.sleep(for: interval) } catch { return }
        }
    }
}
