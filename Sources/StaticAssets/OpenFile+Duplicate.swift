#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension OpenFile {
    /// A new descriptor for the same open file (`fcntl(F_DUPFD_CLOEXEC)`): the same inode, whatever the
    /// path names now, owned by the caller, who must close it. Lets a server hand the file to the kernel
    /// (`sendfile`) after this `OpenFile` is gone. Nil when the process is out of descriptors.
    public func duplicateDescriptor() -> Int32? {
        let copy = fcntl(descriptor, F_DUPFD_CLOEXEC, 0)
        return copy >= 0 ? copy : nil
    }
}
