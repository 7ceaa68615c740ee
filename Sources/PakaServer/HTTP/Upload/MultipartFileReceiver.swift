import Crypto
import Foundation
import Hummingbird
import NIOCore

/// Streams a `multipart/form-data` body through `MultipartStreamParser` and writes the one part
/// named `field` to a temporary file, hashing it on the way, so a 20 MB upload never sits in
/// memory whole.
final class MultipartFileReceiver {
    struct ReceivedFile {
        var temporaryPath: String
        var fileName: String
        var contentType: String
        var size: Int
        var sha256: String
    }

    private let field: String
    private let temporaryPath: String
    private var handle: FileHandle?
    private var hasher = SHA256()
    private var inTargetPart = false
    private var found: (fileName: String, contentType: String)?
    private var size = 0

    init(field: String, temporaryPath: String) {
        self.field = field
        self.temporaryPath = temporaryPath
    }

    /// The boundary of a `multipart/form-data` content type, nil for anything else.
    static func boundary(of contentType: String) -> String? {
        let parts = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.first?.lowercased() == "multipart/form-data" else { return nil }
        for part in parts.dropFirst() where part.lowercased().hasPrefix("boundary=") {
            let value = part.dropFirst("boundary=".count).trimmingCharacters(in: ["\""])
            return value.isEmpty ? nil : value
        }
        return nil
    }

    /// Reads the whole body; throws `APIError` for 413 (past `limit` bytes) and 400 (malformed,
    /// or no part named `field`). The temporary file is removed on every failure.
    ///
    /// What a refusal leaves unread is drained by `RefusedBodyDrainMiddleware`, so the client
    /// still gets the answer.
    func receive(_ body: RequestBody, boundary: String, limit: Int) async throws -> ReceivedFile {
        var iterator = body.makeAsyncIterator()
        do {
            return try await run(&iterator, boundary: boundary, limit: limit)
        } catch {
            // Cleanup on a failure path, best effort: the error thrown is the client's answer and
            // the one to act on; a file that cannot be closed or removed is a hidden, uniquely
            // named `.incoming-` temporary that nothing reads.
            try? handle?.close()
            handle = nil
            try? FileManager.default.removeItem(atPath: temporaryPath)
            throw error
        }
    }

    private func run(_ iterator: inout RequestBody.AsyncIterator, boundary: String, limit: Int) async throws -> ReceivedFile {
        var parser: MultipartStreamParser
        do {
            parser = try MultipartStreamParser(boundary: boundary)
        } catch {
            throw APIError.badRequest("multipart body is malformed: \(error.description)")
        }
        parser.onPart = { [unowned self] headers in try startPart(headers) }
        parser.onBody = { [unowned self] bytes in try write(bytes) }
        parser.onPartEnd = { [unowned self] in
            if inTargetPart { try handle?.close(); handle = nil }
            inTargetPart = false
        }
        var received = 0
        while let chunk = try await iterator.next() {
            received += chunk.readableBytes
            guard received <= limit else { throw Self.tooLarge(limit) }
            do {
                try parser.feed(chunk.readableBytesView)
            } catch let malformed as MultipartStreamParser.Malformed {
                throw APIError.badRequest("multipart body is malformed: \(malformed.description)")
            }
        }
        do {
            try parser.finish()
        } catch {
            throw APIError.badRequest("multipart body is malformed: \(error.description)")
        }
        guard let found else { throw APIError.badRequest("multipart field '\(field)' is required (a file part)") }
        try handle?.close()
        handle = nil
        let digest = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        return ReceivedFile(temporaryPath: temporaryPath, fileName: found.fileName, contentType: found.contentType, size: size, sha256: digest)
    }

    static func tooLarge(_ limit: Int) -> APIError {
        APIError(.contentTooLarge, "upload is larger than the limit of \(limit) bytes (PAKA_UPLOAD_LIMIT_BYTES)")
    }

    private func write(_ bytes: ArraySlice<UInt8>) throws {
        guard inTargetPart, let handle else { return }
        let data = Data(bytes)
        hasher.update(data: data)
        size += data.count
        do {
            try handle.write(contentsOf: data)
        } catch {
            throw APIError(.init(code: 507, reasonPhrase: "Insufficient Storage"), "cannot write the upload",
                           detail: "write to \(temporaryPath): \(error)")
        }
    }

    /// Decides from Content-Disposition whether the part starting now is the file.
    private func startPart(_ headers: [String: String]) throws {
        let disposition = headers["content-disposition"] ?? ""
        guard Self.parameter("name", in: disposition) == field, found == nil else {
            inTargetPart = false
            return
        }
        inTargetPart = true
        found = (Self.parameter("filename", in: disposition) ?? "upload", headers["content-type"] ?? "application/octet-stream")
        guard FileManager.default.createFile(atPath: temporaryPath, contents: nil, attributes: [.posixPermissions: 0o600]),
              let opened = FileHandle(forWritingAtPath: temporaryPath) else {
            throw APIError(.internalServerError, "cannot write the upload", detail: "cannot create \(temporaryPath)")
        }
        handle = opened
    }

    /// `name="file"` in `form-data; name="file"; filename="a.pdf"`.
    static func parameter(_ key: String, in header: String) -> String? {
        for item in header.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            let pair = item.split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[0].lowercased() == key { return pair[1].trimmingCharacters(in: ["\""]) }
        }
        return nil
    }
}
