import Foundation
import Logging

/// The replay reports on disk, one JSON file per replay under `PAKA_DATA_DIR/replays/`.
/// Blocking file I/O: callers run it on the `BlockingPool`.
struct ReplayReportFiles: Sendable {
    let directory: String
    let logger: Logger

    init(dataDirectory: String, logger: Logger) {
        directory = (dataDirectory as NSString).appendingPathComponent("replays")
        self.logger = logger
    }

    /// Every report that can be read. A missing folder means no replay ever ran; a file that
    /// cannot be read or decoded is logged and left where it is (its replay is then unknown).
    func loadAll() -> [ReplayReport] {
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            if FileManager.default.fileExists(atPath: directory) {
                logger.error("could not list the replay reports; earlier replays are unknown to this run", metadata: [
                    "folder": "\(directory)", "error": "\(error)"])
            }
            return []
        }
        return files.sorted().filter { $0.hasSuffix(".json") }.compactMap { file in
            let path = "\(directory)/\(file)"
            do {
                return try Self.decoder.decode(ReplayReport.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
            } catch {
                logger.warning("replay report not readable; skipped", metadata: ["file": "\(path)", "error": "\(error)"])
                return nil
            }
        }
    }

    /// Writes `report` atomically; a failure is logged (the replay itself goes on).
    func save(_ report: ReplayReport) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try Self.encoder.encode(report).write(to: URL(fileURLWithPath: "\(directory)/\(report.id).json"), options: .atomic)
        } catch {
            logger.error("could not persist the replay report; a restart will not know what it did", metadata: ["replay": "\(report.id)", "error": "\(error)"])
        }
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}
