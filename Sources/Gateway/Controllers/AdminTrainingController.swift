import ChatAPI
import Corpus
import Foundation
import Hummingbird

/// Training over the admin API: `GET /admin/students`, `POST /admin/train` (starts a
/// `retort train` child process and answers 202 with the run), `GET /admin/train/runs`
/// and `GET /admin/train/runs/{id}` (status, metrics, loss curve).
struct AdminTrainingController {
    let services: GatewayServices

    /// Largest `POST /admin/train` body.
    static let maximumBodyBytes = 64 << 10

    /// Settings `POST /admin/train` accepts, with the JSON type each must have.
    static let settingTypes: [String: String] = [
        "lora": "boolean", "rank": "number", "alpha": "number", "epochs": "number", "max_steps": "number",
        "learning_rate": "number", "warmup_steps": "number", "max_seq": "number", "batch_tokens": "number",
        "checkpoint_every": "number", "beta": "number", "from": "string", "gguf_type": "string", "seed": "number",
    ]

    /// Adds the routes to `group` (already behind the admin key).
    func addRoutes(to group: RouterGroup<BasicRequestContext>) {
        group.get("students") { _, _ in try self.students() }
        group.post("train") { request, _ in try await self.train(request) }
        group.get("train/runs") { _, _ in try self.runs() }
        group.get("train/runs/:id") { _, context in try self.run(context.parameters.get("id") ?? "") }
    }

    /// `GET /admin/students`: every version, newest first.
    func students() throws -> Response {
        let students = try TrainingStore(reader: services.reader).students()
        return .json(.object([("object", .string("list")), ("data", .array(students.map(\.json)))]))
    }

    /// `POST /admin/train` `{"kind": "sft" | "dpo", ...settings}`: 202 with the queued run.
    func train(_ request: Request) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: Self.maximumBodyBytes)
        let config: JSONValue
        do { config = try JSONValue.parse(body.readableBytesView) } catch {
            throw OpenAIError.invalidRequest("The body is not valid JSON: \(error)")
        }
        try Self.validate(config)
        let store = TrainingStore(reader: services.reader)
        if let active = try store.runs(limit: 20).first(where: \.status.isActive) {
            throw OpenAIError(status: 409, message: "Run \(active.id) is \(active.status.rawValue); one run at a time.",
                              type: "invalid_request_error", code: "run_active")
        }
        let run = try Self.start(config: config, services: services, launcher: TrainingLauncher(configuration: services.configuration))
        return .json(run.json.setting("object", to: .string("training.run")), status: .accepted)
    }

    /// Creates the queued run and spawns its process; a spawn failure fails the run.
    static func start(config: JSONValue, services: GatewayServices, launcher: TrainingLauncher) throws -> TrainingRun {
        let store = TrainingStore(reader: services.reader)
        let kind = config["kind"]?.stringValue ?? "sft"
        let run = try store.createRun(kind: kind, config: config, baseVersion: config["from"]?.stringValue)
        do {
            _ = try launcher.launch([kind, "--run-id", run.id], log: "runs/\(run.id)/train.log")
        } catch {
            try store.failRun(id: run.id, error: "could not start \(launcher.executable): \(error)")
            throw OpenAIError.internalError("could not start the training process: \(error)")
        }
        return run
    }

    /// Checks the kind and the type of every setting; the child checks the values.
    static func validate(_ config: JSONValue) throws {
        guard let members = config.objectValue else { throw OpenAIError.invalidRequest("The body must be a JSON object.") }
        guard let kind = config["kind"]?.stringValue, kind == "sft" || kind == "dpo" else {
            throw OpenAIError.invalidRequest("`kind` must be \"sft\" or \"dpo\".", param: "kind")
        }
        for (key, value) in members where key != "kind" {
            guard let type = settingTypes[key] else {
                throw OpenAIError.invalidRequest("Unknown training setting `\(key)`.", param: key)
            }
            guard value.typeName == type else {
                throw OpenAIError.invalidRequest("`\(key)` must be a \(type).", param: key)
            }
        }
    }

    /// `GET /admin/train/runs`: the newest runs with their last metric point.
    func runs() throws -> Response {
        let store = TrainingStore(reader: services.reader)
        let runs = try store.runs(limit: 50).map { run in
            run.json.setting("last_metrics", to: try store.lastMetric(runID: run.id)?.json ?? .null)
        }
        return .json(.object([("object", .string("list")), ("data", .array(runs))]))
    }

    /// `GET /admin/train/runs/{id}`: the run, its metric points (at most 500) and its loss curve.
    func run(_ id: String) throws -> Response {
        let store = TrainingStore(reader: services.reader)
        guard let run = try store.run(id: id) else {
            throw OpenAIError(corpusError: .notFound("No training run `\(id)`.", parameter: "id"))
        }
        let points = try store.metrics(runID: id, limit: 500)
        let curve = points.compactMap { point in
            point.values["loss"].map { JSONValue.array([.int(point.step), $0]) }
        }
        return .json(run.json.setting("metric_points", to: .array(points.map(\.json)))
            .setting("loss_curve", to: .array(curve)))
    }
}
