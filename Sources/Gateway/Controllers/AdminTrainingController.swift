import ChatAPI
import Corpus
import Distill
import Foundation
import Hummingbird

/// Training over the admin API: `GET /admin/students`, `POST /admin/train` (starts a
/// `retort train` child process and answers 202 with the run), `GET /admin/train/runs`
/// and `GET /admin/train/runs/{id}` (status, metrics, loss curve).
struct AdminTrainingController {
    let services: GatewayServices

    /// Largest `POST /admin/train` body.
    static let maximumBodyBytes = 64 << 10

    /// Adds the routes to `group` (already behind the admin key).
    func addRoutes(to group: RouterGroup<GatewayRequestContext>) {
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
    /// The settings are decoded and checked as `retort train` checks them: a bad one is a 400
    /// naming it, not a failed run.
    func train(_ request: Request) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: Self.maximumBodyBytes)
        let config: JSONValue
        do { config = try JSONValue.parse(body.readableBytesView) } catch {
            throw OpenAIError.invalidRequest("The body is not valid JSON: \(error)")
        }
        do {
            let settings = try TrainingSettings.from(json: config)
            let run = try services.trainingLauncher.start(settings, store: TrainingStore(reader: services.reader))
            return .json(run.json.setting("object", to: .string("training.run")), status: .accepted)
        } catch let error as DistillError {
            throw OpenAIError(distillError: error)
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
