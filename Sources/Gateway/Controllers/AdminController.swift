import ChatAPI
import Corpus
import Hummingbird

/// The admin API under `/admin` (behind ``AdminKeyMiddleware``): corpus stats,
/// listing and search, one exchange, JSONL exports, held-out freezing, serving
/// (``AdminServingController``), students and training runs (``AdminTrainingController``).
struct AdminController {
    let services: GatewayServices

    /// Adds the admin routes to `group` (already behind the admin key).
    func addRoutes(to group: RouterGroup<GatewayRequestContext>) {
        group.get("stats") { _, _ in try self.stats() }
        group.get("exchanges") { request, _ in try self.list(request) }
        group.get("exchanges/:id") { _, context in try self.show(context.parameters.get("id") ?? "") }
        group.get("export") { request, _ in try self.export(request) }
        group.post("heldout") { request, _ in try self.freeze(request) }
        AdminTrainingController(services: services).addRoutes(to: group)
        AdminExpansionController(services: services).addRoutes(to: group)
        AdminServingController(services: services).addRoutes(to: group)
        FeedbackController(services: services).addRoutes(to: group)
    }

    /// `GET /admin/stats`.
    func stats() throws -> Response {
        .json(try services.reader.stats().json)
    }

    /// `GET /admin/exchanges?route=&status=&served_by=&rating=&q=&before=&limit=`.
    func list(_ request: Request) throws -> Response {
        let filter = try AdminParameters(request).exchangeFilter()
        return .json(try mappingCorpusErrors { try services.reader.list(filter) }.json)
    }

    /// `GET /admin/exchanges/{id}`: the exchange (or completion id), its feedback and same-prompt ids.
    func show(_ id: String) throws -> Response {
        guard let detail = try services.reader.detail(id: id) else {
            throw OpenAIError(corpusError: .notFound("No exchange with id `\(id)`.", parameter: "id"))
        }
        return .json(detail.json)
    }

    /// Streams the export as JSONL, one chunk of whole lines at a time.
    func export(_ request: Request) throws -> Response {
        let exportRequest = try AdminParameters(request).exportRequest()
        let path = services.configuration.database
        // The cursor reads over a connection of its own: first let the log insert every
        // exchange the gateway acknowledged (this route runs off the event loops).
        services.log.flush()
        // Opened here so a bad version is a 404 before the head goes out; reopened in
        // the body's task, which owns it from then on.
        _ = try mappingCorpusErrors { try ExportCursor(path: path, request: exportRequest) }
        let body = ResponseBody { writer in
            let cursor = try ExportCursor(path: path, request: exportRequest)
            while let chunk = try cursor.nextChunk() {
                try await writer.write(ByteBuffer(bytes: chunk))
            }
            try await writer.finish(nil)
        }
        let name = "retort-\(exportRequest.format.rawValue)\(exportRequest.split.map { "-\($0.rawValue)" } ?? "").jsonl"
        return Response(status: .ok, headers: [.contentType: "application/x-ndjson",
                                               .contentDisposition: "attachment; filename=\"\(name)\""], body: body)
    }

    /// `POST /admin/heldout?test_percent=10`: freezes a new held-out version.
    func freeze(_ request: Request) throws -> Response {
        let percent = try AdminParameters(request).testPercent()
        let version = try services.reader.freezeHeldOut(testPercent: percent)
        return .json(.object([("version", .int(version.version)), ("test_percent", .double(version.testPercent)),
                              ("rows", .int(version.rowCount)), ("created_at", .double(version.createdAt))]), status: .created)
    }
}
