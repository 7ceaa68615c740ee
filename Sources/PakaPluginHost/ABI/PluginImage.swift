import CPakaABI
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A plugin shared library mapped into the host, checked against the ABI.
///
/// Images are never unloaded: Swift images keep runtime metadata registered for the life of the
/// process and crash it when `dlclose`d. Each load therefore maps a *unique copy* of the file
/// (`dlopen` caches by path, so reloading the same path would return the old image) with
/// `RTLD_NODELETE`, and an image that is replaced simply stays resident and idle.
public final class PluginImage: Sendable {
    public let sourcePath: String
    public let loadedPath: String
    public let sha256: String
    public let descriptor: PluginDescriptor
    let vtable: PluginVTable

    public struct Options: Sendable {
        /// Accept files or folders writable by group/others (development only).
        public var allowInsecurePermissions: Bool
        /// Refuse the file unless its SHA-256 (hex) equals this.
        public var expectedSHA256: String?
        public init(allowInsecurePermissions: Bool = false, expectedSHA256: String? = nil) {
            self.allowInsecurePermissions = allowInsecurePermissions
            self.expectedSHA256 = expectedSHA256
        }
    }

    /// Loads and checks `path`. Throws `PluginLoadError` with the precise reason on refusal.
    /// An image in `resident` with the file's sha256 is returned instead of mapping the same
    /// bytes again (a swap back to a version this process already holds costs no memory).
    public static func load(path: String, options: Options = Options(), resident: [PluginImage] = []) throws(PluginLoadError) -> PluginImage {
        let (file, checkedHeader) = try openChecked(path: path, options: options)
        let (copy, digest, copied) = try PluginCopyArea.shared.makeCopy(of: file, source: path)
        // The copy is what gets mapped: its headers must be the ones checked (a file rewritten in
        // place between the check and the copy could describe more than it holds: SIGBUS).
        if copied != file.size || PluginFileReader(path: copy)?.prefix(checkedHeader.count) != checkedHeader {
            PluginCopyArea.shared.discard(copy)
            throw PluginLoadError(.truncated, path: path,
                "changed while it was read (\(file.size) bytes when opened, \(copied) read); install with an atomic mv so the host never sees a half-written file")
        }
        if let pin = options.expectedSHA256, pin.lowercased() != digest {
            PluginCopyArea.shared.discard(copy)
            throw PluginLoadError(.checksumMismatch, path: path,
                "sha256 is \(digest) but plugins.json pins \(pin.lowercased()); update the pin or install the intended file")
        }
        if let same = resident.first(where: { $0.sha256 == digest }) {
            PluginCopyArea.shared.discard(copy)
            return same
        }
        guard let handle = dlopen(copy, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE) else {
            let why = dlerror().map { String(cString: $0) } ?? "unknown dlopen error"
            PluginCopyArea.shared.discard(copy)
            throw PluginLoadError(.dlopenFailed, path: path, "cannot be loaded: \(why)")
        }
        // The handle is intentionally never closed (see the type's comment).
        guard let symbol = dlsym(handle, PAKA_ENTRY_SYMBOL) else {
            throw PluginLoadError(.missingEntrySymbol, path: path,
                "does not export '\(PAKA_ENTRY_SYMBOL)'; a Paka plugin must export it (C: define the function; Swift: PakaPluginSDK's export line)")
        }
        let entry = unsafeBitCast(symbol, to: paka_plugin_entry_fn.self)
        guard let raw = entry() else {
            throw PluginLoadError(.nullDescriptor, path: path,
                "'\(PAKA_ENTRY_SYMBOL)' returned NULL instead of a descriptor")
        }
        let (descriptor, vtable) = try DescriptorReader.read(raw, path: path)
        return PluginImage(sourcePath: path, loadedPath: copy, sha256: digest, descriptor: descriptor, vtable: vtable)
    }

    init(sourcePath: String, loadedPath: String, sha256: String, descriptor: PluginDescriptor, vtable: PluginVTable) {
        self.sourcePath = sourcePath
        self.loadedPath = loadedPath
        self.sha256 = sha256
        self.descriptor = descriptor
        self.vtable = vtable
    }

    /// The permission and ELF checks, on the file opened for the copy. Reads only the headers:
    /// the content goes through `PluginFileReader` in chunks.
    private static func openChecked(path: String, options: Options) throws(PluginLoadError) -> (file: PluginFileReader, header: [UInt8]) {
        var status = stat()
        guard stat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            throw PluginLoadError(.missingFile, path: path,
                "no such plugin file; check the plugin directory and the entry's 'library'")
        }
        if !options.allowInsecurePermissions {
            try checkNotWritableByOthers(path: path, mode: status.st_mode, what: "file")
            let folder = (path as NSString).deletingLastPathComponent
            var folderStatus = stat()
            if stat(folder.isEmpty ? "." : folder, &folderStatus) == 0 {
                try checkNotWritableByOthers(path: path, mode: folderStatus.st_mode, what: "folder '\(folder)'")
            }
        }
        guard let file = PluginFileReader(path: path), var header = file.prefix(min(file.size, ELFIdentity.headerBytes)) else {
            throw PluginLoadError(.missingFile, path: path, "cannot be read (permission denied?)")
        }
        guard file.size > 0, !header.isEmpty else {
            throw PluginLoadError(.emptyFile, path: path, "is empty (0 bytes); was the copy interrupted?")
        }
        // Program headers past the first bytes (unusual): read up to their end. Without them the
        // PT_LOAD segments cannot be checked against the file's size, so such a file is refused.
        if let needed = ELFIdentity.programHeadersEnd(in: header), needed > header.count {
            guard needed <= file.size, needed <= 1 << 20, let longer = file.prefix(needed) else {
                throw PluginLoadError(.truncated, path: path,
                    "its program headers end at byte \(needed), beyond "
                    + (needed > file.size ? "the file's \(file.size) bytes; was the copy interrupted?" : "the first 1 MiB the loader checks; is it a standard shared library?"))
            }
            header = longer
        }
        guard let elf = ELFIdentity(header: header) else {
            throw PluginLoadError(.notELF, path: path,
                "is not an ELF shared library (\(file.size) bytes, no ELF header); is it truncated or a different file?")
        }
        if let mismatch = elf.mismatch() {
            throw PluginLoadError(.wrongMachine, path: path, mismatch)
        }
        if let described = elf.describedSize, described > UInt64(file.size) {
            throw PluginLoadError(.truncated, path: path,
                "is truncated: \(file.size) bytes, but its ELF headers describe \(described); was the copy interrupted? (install with an atomic mv)")
        }
        return (file, header)
    }

    private static func checkNotWritableByOthers(path: String, mode: mode_t, what: String) throws(PluginLoadError) {
        if mode & (S_IWGRP | S_IWOTH) != 0 {
            throw PluginLoadError(.insecurePermissions, path: path,
                "\(what) is writable by group or others (mode \(String(mode & 0o7777, radix: 8))); "
                + "run 'chmod go-w' on it, or set PAKA_ALLOW_INSECURE_PLUGINS=1 for development")
        }
    }
}
