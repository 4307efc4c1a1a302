#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension OpenFile {
    /// Reads `buffer.count` bytes from `offset` straight into `buffer` (`pread` on this descriptor,
    /// never the path): the number read, fewer only at the end of the file; nil on a read error. Lets
    /// a server fill its own I/O buffer with no intermediate copy.
    public func read(offset: Int, into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        guard let base = buffer.baseAddress else { return 0 }
        var done = 0
        while done < buffer.count {
            let got = pread(descriptor, base + done, buffer.count - done, off_t(offset + done))
            if got < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if got == 0 { break }
            done += got
        }
        return done
    }
}
