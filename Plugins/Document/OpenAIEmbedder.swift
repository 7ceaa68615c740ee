import Foundation
import PakaCurl
import PakaPluginSDK

/// Any OpenAI-compatible `/v1/embeddings` endpoint (OpenAI, Ollama, vLLM, LM Studio, …).
///
/// 5xx, 429 and transport failures are an outage (RETRY: the event is redelivered later);
/// any other 4xx is a refusal that will not change by itself (FAIL, with the provider's message).
struct OpenAIEmbedder: Embedder {
    let endpoint: String
    let model: String
    let apiKey: String?
    /// Inputs per request: well under every provider's limit, few round trips.
    var batchSize = 64

    /// `url` may be a base ("http://localhost:11434"), end in "/v1", or be the full endpoint.
    init(url: String, model: String, apiKey: String?) {
        var base = url
        while base.hasSuffix("/") { base.removeLast() }
        endpoint = base.hasSuffix("/embeddings") ? base : base.hasSuffix("/v1") ? base + "/embeddings" : base + "/v1/embeddings"
        self.model = model
        self.apiKey = apiKey
    }

    private struct Request: Encodable { let model: String; let input: [String] }
    private struct Answer: Decodable {
        struct Item: Decodable { let embedding: [Float]; let index: Int? }
        let data: [Item]
    }
    private struct ErrorAnswer: Decodable {
        struct Detail: Decodable { let message: String? }
        let error: Detail?
    }

    func embed(_ texts: [String]) throws -> [[Float]] {
        var vectors: [[Float]] = []
        vectors.reserveCapacity(texts.count)
        for start in stride(from: 0, to: texts.count, by: batchSize) {
            vectors += try request(Array(texts[start..<min(start + batchSize, texts.count)]))
        }
        return vectors
    }

    private func request(_ inputs: [String]) throws -> [[Float]] {
        let body = try JSONEncoder().encode(Request(model: model, input: inputs))
        let response: HTTPClient.Response
        // The key goes only into this request's header list (freed by PakaCurl): never logged.
        let headers = ["Content-Type: application/json", "Accept: application/json"] + (apiKey.map { ["Authorization: Bearer \($0)"] } ?? [])
        do {
            response = try HTTPClient.post(url: endpoint, headers: headers, body: [UInt8](body), timeout: 60)
        } catch {
            throw PluginError.retry("embeddings endpoint \(endpoint) unreachable: \(error)")
        }
        switch response.status {
        case 200..<300: break
        case 429, 500...599:
            throw PluginError.retry("embeddings endpoint \(endpoint) answered \(response.status)\(providerMessage(response))")
        default:
            throw PluginError.fail("embeddings endpoint \(endpoint) refused the request with \(response.status)\(providerMessage(response)); check EMBEDDINGS_MODEL and EMBEDDINGS_API_KEY")
        }
        // Any decoding error means the same for the operator: not an OpenAI-compatible answer, said below.
        guard let answer = try? JSONDecoder().decode(Answer.self, from: Data(response.body)), answer.data.count == inputs.count else {
            throw PluginError.fail("embeddings endpoint \(endpoint) answered \(response.status) without one {data:[{embedding}]} per input (\(inputs.count)); is it OpenAI-compatible?")
        }
        let ordered = answer.data.enumerated().sorted { ($0.element.index ?? $0.offset) < ($1.element.index ?? $1.offset) }
        return ordered.map { $0.element.embedding.normalised() }
    }

    /// The provider's own explanation (`error.message`), shortened; never the request.
    private func providerMessage(_ response: HTTPClient.Response) -> String {
        // A body that is not the OpenAI error shape is quoted as text below instead.
        if let message = (try? JSONDecoder().decode(ErrorAnswer.self, from: Data(response.body)))?.error?.message {
            return ": \(message.prefix(300))"
        }
        let text = String(decoding: response.body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "" : ": \(text)"
    }
}
