/// The first bytes of an ELF file: enough to refuse a file that `dlopen` would reject with a
/// less helpful message, or — worse — accept for the wrong machine under emulation.
struct ELFIdentity {
    static let magic: [UInt8] = [0x7F, 0x45, 0x4C, 0x46]  // "\x7fELF"
    /// e_machine values of the architectures Swift runs on Linux.
    static let machineNames: [UInt16: String] = [
        3: "x86 (32-bit)", 40: "ARM (32-bit)", 62: "x86-64", 183: "AArch64", 243: "RISC-V",
        21: "PowerPC64", 22: "s390x",
    ]

    static var hostMachine: UInt16 {
        #if arch(x86_64)
        return 62
        #elseif arch(arm64)
        return 183
        #else
        return 0
        #endif
    }

    let is64Bit: Bool
    let isLittleEndian: Bool
    let machine: UInt16
    /// How many bytes the headers say the file has (end of the furthest segment or table).
    let describedSize: UInt64?

    /// How much of a file the loader reads first for these checks; `programHeadersEnd` says
    /// when a file needs more.
    static let headerBytes = 4096

    /// Where the program header table ends (64-bit little-endian files; nil otherwise or when
    /// `prefix` is too short to say).
    static func programHeadersEnd(in prefix: [UInt8]) -> Int? {
        guard prefix.count >= 64, prefix[4] == 2, prefix[5] == 1 else { return nil }
        func read(_ offset: Int, _ width: Int) -> UInt64 {
            (0..<width).reduce(UInt64(0)) { $0 | UInt64(prefix[offset + $1]) << (8 * UInt64($1)) }
        }
        let end = read(32, 8).addingReportingOverflow(read(54, 2) * read(56, 2))
        return end.overflow || end.partialValue > UInt64(Int.max) ? nil : Int(end.partialValue)
    }

    /// Returns nil when `header` is not an ELF header at all.
    init?(header: some Collection<UInt8>) {
        let bytes = Array(header.prefix(20))
        guard bytes.count == 20, Array(bytes[0..<4]) == Self.magic else { return nil }
        is64Bit = bytes[4] == 2
        isLittleEndian = bytes[5] == 1
        machine = isLittleEndian
            ? UInt16(bytes[18]) | UInt16(bytes[19]) << 8
            : UInt16(bytes[19]) | UInt16(bytes[18]) << 8
        describedSize = is64Bit && isLittleEndian ? Self.extent(of: header) : nil
    }

    /// The furthest byte any program header, PT_LOAD segment or section header table reaches.
    /// `dlopen` maps segments without checking the file is that long, and touching a page past
    /// the end raises SIGBUS in the host — so a truncated file must be caught here. Every sum is
    /// saturating: the offsets come from the file, and a header claiming an offset near 2⁶⁴
    /// must be refused as describing more than the file has, not overflow (a trap in the host).
    private static func extent(of file: some Collection<UInt8>) -> UInt64? {
        let bytes = Array(file)
        func plus(_ a: UInt64, _ b: UInt64) -> UInt64 {
            let (sum, overflow) = a.addingReportingOverflow(b)
            return overflow ? .max : sum
        }
        func read(_ offset: UInt64, _ width: Int) -> UInt64? {
            guard offset <= UInt64(bytes.count), UInt64(width) <= UInt64(bytes.count) - offset else { return nil }
            var value: UInt64 = 0
            for i in 0..<width { value |= UInt64(bytes[Int(offset) + i]) << (8 * UInt64(i)) }
            return value
        }
        guard let phoff = read(32, 8), let shoff = read(40, 8), let phentsize = read(54, 2), let phnum = read(56, 2),
              let shentsize = read(58, 2), let shnum = read(60, 2) else { return UInt64.max }
        // The 16-bit sizes and counts multiply within 32 bits; only the offsets can be anything.
        var end = max(plus(phoff, phentsize * phnum), plus(shoff, shentsize * shnum))
        for index in 0..<phnum {
            let header = plus(phoff, index * phentsize)
            guard let type = read(header, 4), let offset = read(plus(header, 8), 8), let size = read(plus(header, 32), 8) else {
                return max(end, plus(header, 56))
            }
            if type == 1 { end = max(end, plus(offset, size)) }  // PT_LOAD
        }
        return end
    }

    static func name(of machine: UInt16) -> String {
        machineNames[machine] ?? "machine \(machine)"
    }

    /// nil when this image can be loaded here, else what differs.
    func mismatch() -> String? {
        let hostBits = MemoryLayout<Int>.size == 8
        if is64Bit != hostBits || machine != Self.hostMachine || !isLittleEndian {
            return "built for \(Self.name(of: machine))\(is64Bit ? "" : " 32-bit"), "
                + "but this host is \(Self.name(of: Self.hostMachine)); rebuild the plugin for this machine"
        }
        return nil
    }
}
