/// A request routed to a plugin's `http` hook (path relative to `/plugins/<name>`).
public struct PluginHTTPRequest: Sendable {
    public var method: String
    public var path: String
    public var query: String
    public var contentType: String
    public var body: [UInt8]

    public init(method: String, path: String, query: String = "", contentType: String = "", body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.query = query
        self.contentType = contentType
        self.body = body
    }
}

public struct PluginHTTPResponse: Sendable {
    public var status: Int
    public var contentType: String
    public var body: [UInt8]
}
