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

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1e3 + Double(duration.components.attoseconds) / 1e15
    }

    static func microseconds(_ duration: Duration) -> Double { Self.milliseconds(duration) * 1e3 }
}

/// Resident memory sampled at an interval, for soak reports.
actor MemorySamples {
    private(set) var values: [Double] = []

    /// Samples every `interval` until cancelled.
    func record(every interval: Duration) async {
        while !Task.isCancelled {
            self.values.append(Double(Measurement.residentBytes()) / 1_048_576)
            do { try await Task.sleep(for: interval) } catch { return }
        }
    }
}
