/// What the kernel says of this process's memory.
enum ProcessMemory {
    /// `VmHWM` of /proc/self/status (the peak resident size so far), in MB to 0.1.
    static func peakResidentMegabytes() -> Double? {
        guard let status = try? FileSystem.readFile("/proc/self/status") else { return nil }
        for line in String(decoding: status, as: UTF8.self).split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kilobytes = line.split(separator: " ").compactMap { Double($0) }.first
            return kilobytes.map { ($0 / 1024 * 10).rounded() / 10 }
        }
        return nil
    }
}
