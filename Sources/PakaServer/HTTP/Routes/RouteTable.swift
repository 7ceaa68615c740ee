import Hummingbird
import Synchronization

/// The routes the server really registered, as `(method, path)` with OpenAPI-style paths
/// (`/plugins/{name}/enable`, `/plugins/{name}/{path}` for the catch-all).
///
/// Filled once the router is built. The error middleware uses it to tell 405 (known path,
/// wrong method) from 404, and the tests compare it with the OpenAPI document.
public final class RouteTable: Sendable {
    public struct Route: Hashable, Sendable, CustomStringConvertible {
        public var method: String
        public var path: String
        public var description: String { "\(method) \(path)" }
    }

    private let storage = Mutex<[Route]>([])

    init() {}

    public var routes: [Route] { storage.withLock { $0 } }

    func record(_ routes: [Router<PakaRequestContext>.RouteDescription]) {
        let converted = routes.map { Route(method: $0.method.rawValue, path: Self.openAPIPath($0.path)) }
        storage.withLock { $0 = converted }
    }

    /// Hummingbird writes captures as `{name}` already; the recursive wildcard becomes `{path}`.
    static func openAPIPath(_ path: RouterPath) -> String {
        "/" + path.components.map { $0.description == "**" ? "{path}" : $0.description }.joined(separator: "/")
    }

    /// Methods allowed on `path`, by the most specific patterns that match it: the router sends
    /// `/plugins/x/enable` to the `enable` route for every method, never to the `{path}`
    /// catch-all, so the catch-all's methods are not allowed there.
    func methods(matching path: String) -> [String] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        let matching = routes.filter { Self.matches(pattern: $0.path, segments: segments) }
        let specific = matching.filter { !$0.path.hasSuffix("/{path}") }
        return Array(Set((specific.isEmpty ? matching : specific).map(\.method))).sorted()
    }

    private static func matches(pattern: String, segments: [String]) -> Bool {
        let parts = pattern.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        for (index, part) in parts.enumerated() {
            if part == "{path}" { return segments.count > index }
            guard index < segments.count else { return false }
            if !part.hasPrefix("{") && part != segments[index] { return false }
        }
        return parts.count == segments.count
    }
}
