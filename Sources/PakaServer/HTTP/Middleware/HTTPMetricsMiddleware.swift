import Hummingbird

/// Counts every request by matched route, method and final status. It sits outside the error
/// middleware, so errors are counted with the status the client really got.
struct HTTPMetricsMiddleware: RouterMiddleware {
    typealias Context = PakaRequestContext
    let metrics: PakaMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response = try await next(request, context)
        // Unknown paths share one label so scanners cannot blow up the series count.
        let route = context.endpointPath.flatMap { $0 == "NotFound" ? nil : $0 } ?? "unmatched"
        metrics.recordRequest(route: route, method: request.method.rawValue, status: response.status.code)
        return response
    }
}
