#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Monotonic wall-clock time and the process's resource usage, straight from the C library
/// (no Foundation: it would add its own memory to the peak RSS being measured).
enum SystemClock {
    /// Seconds on the monotonic clock.
    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// CPU seconds (user + system) this process has used.
    static func cpuSeconds() -> Double {
        let usage = resourceUsage()
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }

    /// Peak resident set size in KiB (`ru_maxrss`: KiB on Linux, bytes on macOS).
    static func peakRSSKiB() -> Int {
        let peak = Int(resourceUsage().ru_maxrss)
        #if canImport(Darwin)
            return peak / 1024
        #else
            return peak
        #endif
    }

    private static func resourceUsage() -> rusage {
        var usage = rusage()
        #if canImport(Glibc)
            getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        #else
            getrusage(RUSAGE_SELF, &usage)
        #endif
        return usage
    }
}
