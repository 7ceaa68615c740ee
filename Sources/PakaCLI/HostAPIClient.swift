import ArgumentParser
import Foundation
import PakaCurl

/// The running host's HTTP API for CLI commands: `PAKA_URL` (default http://localhost:3000)
/// and the Bearer token in `PAKA_TOKEN`.
struct HostAPIClient {
    let baseURL: String
    let token: String?

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let url = environment["PAKA_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? "http://localhost:3000"
        baseURL = url.hasSuffix("/") ? String(url.dropLast()) : url
        token = environment["PAKA_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private var headers: [String] {
        var headers = ["Accept: application/json"]
        if let token { headers.append("Authorization: Bearer \(token)") }
        return headers
    }

    func get(_ path: String) throws -> [String: Any] {
        try answer(path) { url throws(CurlError) in try HTTPClient.get(url: url, headers: headers) }
    }

    func post(_ path: String, _ body: [String: Any] = [:]) throws -> [String: Any] {
        let bytes = Array(try JSONSerialization.data(withJSONObject: body))
        return try answer(path) { url throws(CurlError) in
            try HTTPClient.post(url: url, headers: headers + ["Content-Type: application/json"], body: bytes, timeout: 120)
        }
    }

    /// The JSON object answered, or a `Failure` carrying the host's own error message.
    private func answer(_ path: String, _ send: (String) throws(CurlError) -> HTTPClient.Response) throws -> [String: Any] {
        let url = baseURL + path
        let response: HTTPClient.Response
        do {
            response = try send(url)
        } catch {
            throw Failure(description: "cannot reach the host at \(baseURL) (\(error)); set PAKA_URL to its address")
        }
        // Not JSON (a proxy's HTML page) is answered below with the body's text: nothing is lost.
        let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
        guard (200..<300).contains(response.status), let object else {
            let message = object?["error"] as? String ?? response.text
            let hint = response.status == 401 ? " (set PAKA_TOKEN: paka token --sub NAME [--admin])"
                : response.status == 403 ? " (this needs an admin token: paka token --sub NAME --admin)" : ""
            throw Failure(description: "\(response.status): \(message)\(hint)")
        }
        return object
    }

    static func escape(_ component: String) -> String {
        component.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?&=+"))) ?? component
    }
}

/// Output for the operator commands: aligned columns by default, the host's JSON with `--json`.
enum CommandOutput {
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        let widths = header.indices.map { column in ([header] + rows).map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }
        return ([line(header), line(widths.map { String(repeating: "-", count: $0) })] + rows.map(line)).joined(separator: "\n")
    }

    static func json(_ object: [String: Any]) -> String {
        // `object` came from JSONSerialization's own parse of the host's answer, so it serialises.
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    static func text(_ value: Any?) -> String {
        switch value {
        case nil, is NSNull: "-"
        case let string as String: string
        case let number as NSNumber: number.stringValue
        default: "\(value!)"
        }
    }

    /// Runs a command body, turning a host refusal into its message on stderr and exit 1.
    static func run(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let failure as HostAPIClient.Failure {
            FileHandle.standardError.write(Data("paka: \(failure.description)\n".utf8))
            throw ExitCode(1)
        }
    }
}
