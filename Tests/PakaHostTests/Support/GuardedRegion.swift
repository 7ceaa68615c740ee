#if canImport(Glibc)
import Glibc
#endif

/// Two pages, the second `PROT_NONE`: bytes placed flush against the boundary are followed by
/// memory whose first touch kills the process (SIGSEGV). A reader that goes one byte too far
/// fails its test by crashing it — the point of the exercise.
final class GuardedRegion {
    private let base: UnsafeMutableRawPointer
    private let pageSize: Int

    init() throws {
        pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        guard let mapped = mmap(nil, 2 * pageSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), mapped != MAP_FAILED else {
            throw PluginCompiler.Failure(description: "mmap failed: errno \(errno)")
        }
        base = mapped
        guard mprotect(base + pageSize, pageSize, PROT_NONE) == 0 else {
            throw PluginCompiler.Failure(description: "mprotect failed: errno \(errno)")
        }
    }

    deinit { munmap(base, 2 * pageSize) }

    /// Copies the first `count` bytes of `value` so that its last byte is the last readable one.
    func placeFlush<T>(_ value: T, count: Int) -> UnsafePointer<T> {
        precondition(count <= MemoryLayout<T>.size)
        let target = base + pageSize - count
        withUnsafeBytes(of: value) { target.copyMemory(from: $0.baseAddress!, byteCount: count) }
        return UnsafePointer(target.assumingMemoryBound(to: T.self))
    }
}
