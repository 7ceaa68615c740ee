import Crypto
import Foundation
@testable import PakaPipeline
@testable import PakaPluginHost
import Testing

/// Plugin files are digested and copied in bounded chunks, never read into one file-sized
/// buffer (such buffers stayed behind as free memory in every thread's malloc arena: about 20 MB
/// of RSS after a few dozen watcher reloads), and what is copied is exactly what is hashed.
struct PluginFileStreamingTests {
    static let chunk = PluginFileReader.chunkBytes
    static let sizes = [0, 1, chunk - 1, chunk, chunk + 1, 3 * chunk + 17]

    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    @Test(arguments: sizes) func digestAndCopyEqualTheWholeFilesSHA256AndBytes(size: Int) throws {
        let dir = TemporaryDirectory()
        let bytes = Self.randomBytes(size)
        let path = dir.file("stream-\(size).so")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let expected = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        #expect(try PluginFileDigest.sha256(ofFileAt: path) == expected)

        let file = try #require(PluginFileReader(path: path))
        let copy = try PluginCopyArea.shared.makeCopy(of: file, source: path)
        defer { PluginCopyArea.shared.discard(copy.path) }
        #expect(copy.sha256 == expected)
        #expect(copy.bytes == size)
        #expect(copy.path.hasSuffix("-\(expected.prefix(12)).so"))
        #expect(FileManager.default.contents(atPath: copy.path) == Data(bytes))
    }

    @Test func aLargeFileGoesThroughInChunksOfAtMost64KiB() throws {
        let dir = TemporaryDirectory()
        let size = (1 << 20) + 5
        let path = dir.file("large.so")
        try Data(Self.randomBytes(size)).write(to: URL(fileURLWithPath: path))
        let file = try #require(PluginFileReader(path: path))
        var chunks: [Int] = []
        let total = try file.forEachChunk { (chunk: UnsafeRawBufferPointer) throws(Never) in chunks.append(chunk.count) }
        #expect(Self.chunk == 64 << 10, "the name and the memory figures assume 64 KiB chunks")
        #expect(total == size)
        #expect(chunks.reduce(0, +) == size)
        #expect(chunks.allSatisfy { $0 <= Self.chunk })
        #expect(chunks.count == (size + Self.chunk - 1) / Self.chunk)
    }

    @Test func aMissingFileIsAReadErrorNotATrap() {
        #expect(PluginFileReader(path: "/nonexistent/paka/plugin.so") == nil)
        #expect(throws: (any Error).self) { try PluginFileDigest.sha256(ofFileAt: "/nonexistent/paka/plugin.so") }
    }

    /// Copies are made while hashing, before the digest is known: one that is not mapped (a
    /// resident image has the same bytes, or the pin refuses them) must not stay behind.
    @Test func copiesThatAreNotMappedAreRemoved() throws {
        let dir = TemporaryDirectory()
        let name = "streamcheck\(UInt32.random(in: 0...UInt32.max))"
        let path = dir.file("lib\(name).so")
        try FileManager.default.copyItem(atPath: try PluginCompiler.echo(name: "echo-streaming"), toPath: path)
        func copies() throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: PluginCopyArea.shared.folder).filter { $0.hasPrefix("lib\(name)-") }
        }
        let first = try PluginImage.load(path: path)
        #expect(try copies() == [(first.loadedPath as NSString).lastPathComponent])
        let again = try PluginImage.load(path: path, resident: [first])
        #expect(again === first)
        #expect(try copies().count == 1)
        #expect(throws: PluginLoadError.self) { try PluginImage.load(path: path, options: .init(expectedSHA256: String(repeating: "0", count: 64))) }
        #expect(try copies().count == 1)
    }

    /// The whole path, in a child process whose peak RSS is measured: a real plugin followed by
    /// 192 MiB of zeros (the ELF checks allow trailing bytes; `dlopen` maps only the segments).
    /// Holding the file in memory even once would put the peak above the file's size.
    @Test func loadingAHugePluginFileNeverHoldsItInMemory() async throws {
        let dir = TemporaryDirectory()
        let path = dir.file("libhuge.so")
        try FileManager.default.copyItem(atPath: try PluginCompiler.echo(name: "echo-huge"), toPath: path)
        let padded = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0) + (192 << 20)
        #expect(truncate(path, off_t(padded)) == 0)  // sparse: no disk for the source, the copy is real
        let events = dir.write("events.jsonl", #"{"n":1}"# + "\n")
        let measure = "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
            + "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
        let run = try await runOffPool("/usr/bin/env", ["python3", "-c", measure, TestPaths.pakaExecutable, "plugin", "test", path, "--events", events])
        let fields = run.output.split(whereSeparator: \.isWhitespace).suffix(2).compactMap { Int($0) }
        #expect(fields.count == 2, "\(run.output)")
        #expect(fields.first == 0, "paka plugin test failed: \(run.output)")
        let peakKiB = fields.last ?? .max
        #expect(peakKiB < 128 << 10, "peak RSS \(peakKiB) KiB for a \(padded >> 20) MiB plugin file")
    }
}
