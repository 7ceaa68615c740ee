import Hummingbird

/// Counts every request by matched route, method and final status. It sits outside
/// `ForeignErrorMiddleware`, so every error reaching it is an `APIError` (an `HTTPResponseError`)
/// and is counted with the status its response will carry.
struct HTTPMetricsMiddleware: RouterMiddleware {
    typealias Context = PakaRequestContext
    let metrics: PakaMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            let response = try await next(request, context)
            record(request, context, status: response.status.code)
            return response
        } catch let error as any HTTPResponseError {
            record(request, context, status: error.status.code)
            throw error
        } catch {
            record(request, context, status: 500)
            throw error
        }
    }

    private func record(_ request: Request, _ context: Context, status: Int) {
        // Unknown paths share one label so scanners cannot blow up the series count.
        let route = context.endpointPath.flatMap { $0 == "NotFound" ? nil : $0 } ?? "unmatched"
        metrics.recordRequest(route: route, method: request.method.rawValue, status: status)
    }
}
