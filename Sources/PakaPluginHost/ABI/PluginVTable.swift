import CPakaABI

/// The function pointers of a checked descriptor. Optional hooks are nil unless the plugin
/// declared the capability and this host knows it.
struct PluginVTable: @unchecked Sendable {
    // @unchecked: C function pointers into an image that is never unloaded; immutable.
    typealias Create = @convention(c) (UnsafePointer<paka_host>?, paka_bytes, UnsafeMutablePointer<UnsafeMutableRawPointer?>?, UnsafeMutablePointer<CChar>?, Int) -> Int32
    typealias Handle = @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<paka_event>?, Int, UnsafeMutablePointer<paka_event_result>?) -> Void
    typealias Destroy = @convention(c) (UnsafeMutableRawPointer?) -> Void
    typealias Flush = @convention(c) (UnsafeMutableRawPointer?) -> paka_result
    typealias Health = @convention(c) (UnsafeMutableRawPointer?, UnsafeMutablePointer<CChar>?, Int) -> Int32
    typealias HTTP = @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<paka_http_request>?, UnsafeMutablePointer<paka_http_response>?) -> Void

    let create: Create
    let handle: Handle
    let destroy: Destroy
    let flush: Flush?
    let health: Health?
    let http: HTTP?
}
