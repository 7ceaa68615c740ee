import CPakaABI
import Foundation
import PakaPipeline
import PakaPluginHost
import Testing

/// Every refusal the loader promises, each with the message a user sees.
@Suite struct PluginRefusalTests {
    let dir = TemporaryDirectory()

    private func refusal(_ path: String, options: PluginImage.Options = .init()) -> PluginLoadError? {
        do throws(PluginLoadError) {
            _ = try PluginImage.load(path: path, options: options)
            return nil
        } catch {
            return error
        }
    }

    private func copy(_ source: String, as name: String, mode: Int = 0o644) throws -> String {
        let target = dir.file(name)
        try FileManager.default.copyItem(atPath: source, toPath: target)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: target)
        return target
    }

    @Test func missingFileIsRefused() {
        let error = refusal(dir.file("nope.so"))
        #expect(error?.reason == .missingFile)
        #expect(error?.message.contains("no such plugin file") == true)
    }

    @Test func emptyFileIsRefused() {
        let error = refusal(dir.write("empty.so", ""))
        #expect(error?.reason == .emptyFile)
        #expect(error?.message.contains("is empty (0 bytes)") == true)
    }

    @Test func nonELFFileIsRefused() {
        let error = refusal(dir.write("script.so", "#!/bin/sh\necho not a library\n"))
        #expect(error?.reason == .notELF)
        #expect(error?.message.contains("is not an ELF shared library") == true)
    }

    @Test func libraryForAnotherMachineIsRefused() throws {
        let path = try copy(try PluginCompiler.echo(name: "echo-machine"), as: "arm.so")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[18] = 183  // e_machine = AArch64 on this x86-64 host (or the reverse on arm64)
        bytes[19] = 0
        if ELFMachine.host == 183 { bytes[18] = 62 }
        try bytes.write(to: URL(fileURLWithPath: path))
        let error = refusal(path)
        #expect(error?.reason == .wrongMachine)
        #expect(error?.message.contains("rebuild the plugin for this machine") == true)
    }

    @Test func truncatedLibraryIsRefusedBeforeDlopenCanCrashTheHost() throws {
        let whole = try Data(contentsOf: URL(fileURLWithPath: try PluginCompiler.echo(name: "echo-trunc")))
        let path = dir.file("truncated.so")
        _ = FileManager.default.createFile(atPath: path, contents: whole.prefix(whole.count / 3), attributes: [.posixPermissions: 0o644])
        let error = refusal(path)
        #expect(error?.reason == .truncated)
        #expect(error?.message.contains("is truncated: \(whole.count / 3) bytes, but its ELF headers describe \(whole.count)") == true)
    }

    /// Offsets in the headers come from the file: one near 2⁶⁴ must be a refusal, not an
    /// arithmetic overflow (a trap that would take the host down with a dropped-in file).
    @Test(arguments: [32, 40])  // e_phoff, e_shoff
    func headerOffsetsNearTheTopOfTheAddressSpaceAreRefusedAsTruncated(field: Int) throws {
        let path = try copy(try PluginCompiler.echo(name: "echo-offset"), as: "offset-\(field).so")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        for i in 0..<8 { bytes[field + i] = i == 0 ? 0xF0 : 0xFF }  // 0xFFFF_FFFF_FFFF_FFF0
        try bytes.write(to: URL(fileURLWithPath: path))
        let error = refusal(path)
        #expect(error?.reason == .truncated)
        #expect(error?.message.contains("but its ELF headers describe \(UInt64.max)") == true, "\(String(describing: error))")
    }

    /// Program headers the loader does not read cannot have their PT_LOAD segments checked
    /// against the file's size (a truncated segment is SIGBUS in the host): refused, with where.
    @Test(arguments: [(2 << 20, 3 << 20, "beyond the first 1 MiB the loader checks"), (600 << 10, 500 << 10, "beyond the file's 512000 bytes")])
    func programHeadersOutsideWhatTheLoaderReadsAreRefused(at offset: Int, fileSize: Int, expected: String) throws {
        let path = try copy(try PluginCompiler.echo(name: "echo-phoff"), as: "phoff-\(offset).so")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        for i in 0..<8 { bytes[32 + i] = UInt8(truncatingIfNeeded: offset >> (8 * i)) }  // e_phoff
        if bytes.count < fileSize { bytes.append(Data(count: fileSize - bytes.count)) }
        try bytes.write(to: URL(fileURLWithPath: path))
        let error = refusal(path)
        #expect(error?.reason == .truncated)
        #expect(error?.message.contains("its program headers end at byte") == true, "\(String(describing: error))")
        #expect(error?.message.contains(expected) == true, "\(String(describing: error))")
    }

    @Test func libraryWithoutEntrySymbolIsRefused() throws {
        let error = refusal(try PluginCompiler.build(defines: ["FIXTURE_NO_ENTRY"], name: "noentry"))
        #expect(error?.reason == .missingEntrySymbol)
        #expect(error?.message.contains("does not export 'paka_plugin_entry'") == true)
    }

    @Test func nullDescriptorIsRefused() throws {
        let error = refusal(try PluginCompiler.build(defines: ["FIXTURE_NULL_DESCRIPTOR"], name: "nulldesc"))
        #expect(error?.reason == .nullDescriptor)
        #expect(error?.message.contains("returned NULL") == true)
    }

    @Test func descriptorTooSmallIsRefused() throws {
        let error = refusal(try PluginCompiler.build(defines: ["FIXTURE_STRUCT_SIZE=16"], name: "smalldesc"))
        #expect(error?.reason == .descriptorTooSmall)
        #expect(error?.message.contains("descriptor is 16 bytes") == true)
    }

    @Test func abiMajorMismatchNamesBothVersions() throws {
        let error = refusal(try PluginCompiler.build(defines: ["FIXTURE_ABI_MAJOR=2"], name: "abi2"))
        #expect(error?.reason == .abiMajorMismatch)
        // The fixture claims major 2 with this header's minor.
        #expect(error?.message.contains("built for ABI 2.\(PAKA_ABI_MINOR) but this host speaks ABI \(PluginDescriptor.hostABIVersion)") == true)
    }

    @Test func fileWritableByOthersIsRefusedUnlessAllowed() throws {
        let path = try copy(try PluginCompiler.echo(name: "echo-perm"), as: "open.so", mode: 0o666)
        let error = refusal(path)
        #expect(error?.reason == .insecurePermissions)
        #expect(error?.message.contains("writable by group or others (mode 666)") == true)
        #expect(refusal(path, options: .init(allowInsecurePermissions: true)) == nil)
    }

    @Test func folderWritableByOthersIsRefused() throws {
        let folder = dir.file("shared")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o777])
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: folder)
        let path = "\(folder)/libecho.so"
        try FileManager.default.copyItem(atPath: try PluginCompiler.echo(name: "echo-folder"), toPath: path)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        let error = refusal(path)
        #expect(error?.reason == .insecurePermissions)
        #expect(error?.message.contains("folder '\(folder)' is writable") == true)
    }

    @Test func checksumPinMismatchIsRefused() throws {
        let path = try PluginCompiler.echo(name: "echo-pin")
        let wrong = String(repeating: "ab", count: 32)
        let error = refusal(path, options: .init(expectedSHA256: wrong))
        #expect(error?.reason == .checksumMismatch)
        #expect(error?.message.contains("plugins.json pins \(wrong)") == true)
        let right = try PluginFileDigest.sha256(ofFileAt: path)
        #expect(refusal(path, options: .init(expectedSHA256: right)) == nil)
    }

    @Test func newerMinorLoadsWithUnknownCapabilitiesOff() throws {
        let image = try PluginImage.load(path: try PluginCompiler.build(defines: ["FIXTURE_MINOR=7"], name: "minor7"))
        #expect(image.descriptor.abiVersion == "1.7")
        #expect(image.descriptor.ignoredCapabilityBits == 1 << 40)
        #expect(image.descriptor.capabilities == [.health, .http])
    }
}

/// The host's ELF machine, for building a foreign header in tests.
enum ELFMachine {
    static var host: UInt16 {
        #if arch(x86_64)
        62
        #else
        183
        #endif
    }
}
