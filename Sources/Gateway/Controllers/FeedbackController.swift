import ChatAPI
import Corpus
import Foundation
import Hummingbird

/// `POST /v1/feedback` (and the dashboard's `POST /admin/feedback`): ratings,
/// scores, comments, demonstrations and pairwise preferences. Answers 201 `{"id": ...}`.
struct FeedbackController {
    let services: GatewayServices
    /// How long to keep looking for a target that may still be in the write queue.
    var targetWait: Duration = .seconds(2)

    /// Largest feedback body.
    static let maximumBodyBytes = 1 << 20

    /// Adds `POST feedback` to `group`.
    func addRoutes(to group: RouterGroup<GatewayRequestContext>) {
        group.post("feedback") { request, _ in try await self.create(request) }
    }

    /// Parses, validates and records one feedback body.
    func create(_ request: Request) async throws -> Response {
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: Self.maximumBodyBytes)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw OpenAIError.bodyTooLarge(limit: Self.maximumBodyBytes)
        }
        let submission = try mappingCorpusErrors { try FeedbackSubmission(body: body.readableBytesView) }
        let receipt = try await record(submission)
        let reply: JSONValue = .object([("id", .string(receipt.id)), ("object", .string("feedback")),
                                        ("pairs_created", .int(receipt.pairsCreated))])
        return .json(reply, status: .created)  // a replay answers as the first call did
    }

    /// Records `submission`, polling while its target is not (yet) in the corpus.
    func record(_ submission: FeedbackSubmission) async throws -> FeedbackStore.Receipt {
        let store = FeedbackStore(reader: services.reader)
        let deadline = ContinuousClock.now + targetWait
        while true {
            do {
                return try mappingCorpusErrors { try store.record(submission) }
            } catch let error as OpenAIError where error.status == 404 && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }
}
