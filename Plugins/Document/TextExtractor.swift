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
    let pdftotext: String? = TextExtractor.findExecutable("pdftotext")

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
        defer { try? FileManager.default.removeItem(atPath: output) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: pdftotext)
        process.arguments = ["-enc", "UTF-8", "-q", path, output]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { throw ExtractionError("cannot run \(pdftotext): \(error)") }
        process.waitUntilExit()
        guard process.terminationStatus == 0, let text = FileManager.default.contents(atPath: output) else {
            throw ExtractionError("pdftotext could not read the PDF (exit \(process.terminationStatus)): is it a valid, unencrypted PDF?")
        }
        return String(decoding: text, as: UTF8.self)
    }

    static func findExecutable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return (path.split(separator: ":") + ["/usr/bin"]).map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
