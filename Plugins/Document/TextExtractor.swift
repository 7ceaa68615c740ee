import Foundation

/// Why a document has no text to index: permanent for this upload (the event is dead-lettered).
struct ExtractionError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The formats a document may have, chosen by file extension first (browsers often send
/// `application/octet-stream`), then by content type.
enum DocumentFormat: String, CaseIterable {
    case text, markdown, html, json, csv, pdf

    static let supported = "txt, md, html, json, csv, pdf"

    init?(fileName: String, contentType: String) {
        let fileExtension = (fileName as NSString).pathExtension.lowercased()
        let mime = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        switch fileExtension {
        case "txt", "text", "log": self = .text
        case "md", "markdown": self = .markdown
        case "html", "htm", "xhtml": self = .html
        case "json": self = .json
        case "csv": self = .csv
        case "pdf": self = .pdf
        default:
            switch mime {
            case "text/plain": self = .text
            case "text/markdown", "text/x-markdown": self = .markdown
            case "text/html", "application/xhtml+xml": self = .html
            case "application/json": self = .json
            case "text/csv": self = .csv
            case "application/pdf": self = .pdf
            default: return nil
            }
        }
    }
}

/// Reads a stored upload and returns its text.
struct TextExtractor {
    /// Where `pdftotext` is, or nil when poppler-utils is not installed.
    var pdftotext: String? = TextExtractor.findExecutable("pdftotext")
    /// A crafted PDF can make an extractor run for ever or print without end: past this time the
    /// extractor is killed and the event FAILs with the reason.
    var timeoutSeconds: Double = 60
    /// Largest text an extractor may write (the file-size limit of its process, RLIMIT_FSIZE).
    var maximumOutputBytes: Int = 64 << 20

    func text(of path: String, format: DocumentFormat) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read (check its permissions)" : "does not exist"
            throw ExtractionError("file \(path) \(reason): was the upload folder (PAKA_DATA_DIR) cleaned or moved?")
        }
        let bytes = [UInt8](data)
        let text: String = switch format {
        case .text: String(decoding: bytes, as: UTF8.self)
        case .markdown: StructuredText.markdown(String(decoding: bytes, as: UTF8.self))
        case .html: HTMLText.extract(String(decoding: bytes, as: UTF8.self))
        case .json: try StructuredText.json(bytes)
        case .csv: StructuredText.csv(String(decoding: bytes, as: UTF8.self))
        case .pdf: try pdfText(path)
        }
        // PostgreSQL text cannot hold NUL; a byte-order mark is not content.
        return text.replacingOccurrences(of: "\u{0}", with: " ").replacingOccurrences(of: "\u{FEFF}", with: "")
    }

    private func pdfText(_ path: String) throws -> String {
        guard let pdftotext else {
            throw ExtractionError("PDF support needs pdftotext (apt-get install poppler-utils)")
        }
        // Output to a file, not a pipe: no reader thread, no EINTR surprises, no pipe-buffer stalls.
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("paka-pdf-\(UUID().uuidString).txt").path
        // Absent when pdftotext wrote nothing; otherwise a uniquely named temporary whose removal
        // failing costs disk, not correctness, and must not fail an extraction that worked.
        defer { try? FileManager.default.removeItem(atPath: output) }
        let exit = try BoundedProcess(executable: pdftotext, arguments: ["-enc", "UTF-8", "-q", path, output],
                                      timeoutSeconds: timeoutSeconds, maximumFileBytes: maximumOutputBytes).run()
        // Depending on how the parent treats SIGXFSZ, a capped program is killed or sees EFBIG
        // and exits non-zero: either way its output reached the cap.
        // No output file means nothing written: 0 is the size to judge the exit by.
        let written = (try? FileManager.default.attributesOfItem(atPath: output)[.size] as? Int) ?? 0
        switch exit {
        case .outputTooLarge, .exited where written >= maximumOutputBytes, .signalled where written >= maximumOutputBytes:
            throw ExtractionError("pdftotext wrote more than \(maximumOutputBytes) bytes of text (config pdfMaxTextBytes): the PDF is too large to index")
        case .timedOut:
            throw ExtractionError("pdftotext did not finish within \(Self.seconds(timeoutSeconds)) (config pdfTimeoutSeconds): the PDF is too complex or crafted to stall extraction")
        case .exited(let status) where status != 0:
            throw ExtractionError("pdftotext could not read the PDF (exit \(status)): is it a valid, unencrypted PDF?")
        case .signalled(let signal):
            throw ExtractionError("pdftotext was killed by signal \(signal) while reading the PDF")
        case .exited:
            guard let text = FileManager.default.contents(atPath: output) else {
                throw ExtractionError("pdftotext wrote no text file for the PDF")
            }
            return String(decoding: text, as: UTF8.self)
        }
    }

    private static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }

    static func findExecutable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return (path.split(separator: ":") + ["/usr/bin"]).map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
