import ChatAPI
import Corpus
import Distill
import Foundation
import Gateway
import Hummingbird
import HummingbirdTesting
import Serving
import TestSupport
import Testing

/// The product's promise on a route that mixes a task the student can learn with requests
/// it never can, on the tiny model (examples/mixed-routing runs the same story on the real
/// one): logged traffic → a real training run → evaluation learns the route's router and
/// passes the selective gate → shadow → canary → student, with no mode set by hand; then, on
/// never-logged prompts, the student answers the learnable part and the router sends the
/// rest to the teacher before any token, so the delivered answers are the teacher's.
@Suite struct MixedRouteEndToEndTests {
    /// Learnable: "acknowledge item N" is always answered "OK". Unlearnable: "the secret of
    /// N" is eight letters drawn from a hash of N, which no prompt reveals.
    @Sendable static func teacher(_ request: MockRequest) -> MockReply {
        let body = try? JSONValue.parse(request.body)
        let prompt = body?["messages"]?.arrayValue?.last?["content"]?.stringValue ?? ""
        let usage = MockUsage(promptTokens: 5, completionTokens: 2)
        return .json(body: MockTeacher.completionJSON(id: "chatcmpl-t-\(UUID().uuidString.prefix(8))", model: "mock-teacher",
                                                      content: answer(to: prompt), toolCall: nil, choices: 1, usage: usage))
    }

    static func answer(to prompt: String) -> String {
        guard prompt.hasPrefix("tell me the secret") else { return "OK" }
        var hash = StableHash.fnv1a64Mixed(prompt)
        return String((0..<8).map { _ in
            hash = StableHash.mix(hash)
            return Character(UnicodeScalar(UInt8(97 + hash % 26)))
        })
    }

    /// Request `index` of the mix: learnable unless `index % 5` is 3 or 4 (60/40).
    static func body(_ index: Int, user: String) -> (learnable: Bool, prompt: String, json: String) {
        let learnable = index % 5 < 3
        let prompt = learnable ? "please acknowledge item \(index)" : "tell me the secret of \(index)"
        return (learnable, prompt,
                #"{"model":"default","user":"\#(user)","max_tokens":12,"messages":[{"role":"user","content":"\#(prompt)"}]}"#)
    }

    /// The single-task test's settings, with judged answers alone deciding the canary and no
    /// exploration (every run of the test routes the same way).
    static func configure(_ configuration: inout GatewayConfiguration) {
        ServingEndToEndTests.configure(&configuration)
        configuration.serving.routerExplorationRate = 0
        configuration.serving.selectiveGate.minimumSamples = 10
        configuration.serving.rollout.minimumCanaryJudged = 5
        configuration.serving.rollout.minimumCanaryRatings = 0
        // The test's client keeps one connection across the training step, which on a busy
        // machine can outlast the default 30 s idle timeout.
        configuration.idleTimeoutMs = 600_000
    }

    @Test func theLearnablePartMovesToTheStudentAndTheRestStaysOnTheTeacher() async throws {
        let base = try TinyModel.write()
        defer { try? FileManager.default.removeItem(atPath: base) }
        let harness = try GatewayHarness(handler: Self.teacher, configure: Self.configure)
        let runtime = harness.services.serving
        let store = ServingStore(reader: harness.services.reader)
        let outcome = try await harness.run { client, _ in
            var outcome = MixedOutcome()
            // 1. The teacher answers and the exchanges are logged.
            for index in 0..<300 { _ = try await ServingHarness.post(client, Self.body(index, user: "u\(index)").json) }
            harness.services.log.flush()
            // 2. A real training run on the log, and the evaluation the run ends with.
            var settings = TrainingSettings(kind: .sft)
            (settings.maxSeq, settings.batchTokens, settings.epochs, settings.learningRate) = (200, 800, 12, 3e-3)
            let version = try TrainingJob.start(settings: settings, runID: nil, reader: harness.services.reader,
                                                database: harness.databasePath, baseModelPath: base).execute()
            let serving = harness.services.configuration.serving
            let evaluation = StudentEvaluation(store: store, thresholds: serving.gate, selective: serving.selectiveGate,
                                               defaultMaxTokens: 12)
            outcome.gate = await evaluation.runAfterTraining(version: version.version, modelPath: try #require(version.path(of: "gguf")),
                                                             routes: ["default"], threads: 1,
                                                             errors: OperatorErrors(metrics: DiscardedMetrics())).first
            // 3. The loop admits it and promotes it on judged answers alone.
            runtime.tick()
            runtime.preloadStudents()
            var index = 1000
            for stage in [ServingMode.shadow, .canary] {
                outcome.modes.append(runtime.state(of: "default")?.mode)
                let before = try store.studentAnswers(route: "default", kind: "shadow").filter { $0.judgment != nil }.count
                for _ in 0..<30 {
                    _ = try await ServingHarness.post(client, Self.body(index, user: "\(stage.rawValue)-\(index)").json)
                    index += 1
                }
                try await ServingEndToEndTests.waitForShadowJudgments(store, count: before + 5)
                // Every shadow run of the stage judged, not the first five to finish: which
                // five those are depends on timing, and the promotion on their win rate.
                try await Self.waitForShadowRunsToFinish(runtime, store)
                runtime.tick()
            }
            outcome.modes.append(runtime.state(of: "default")?.mode)
            try await Self.waitForShadowRunsToFinish(runtime, store)  // else they hold the student's queue
            // 4. Never-logged prompts of the same mix.
            let before = try harness.rows().count
            var delivered: [(learnable: Bool, good: Bool)] = []
            for index in 5000..<5100 {
                let request = Self.body(index, user: "after-\(index)")
                let (_, json) = try await ServingHarness.post(client, request.json)
                delivered.append((request.learnable, ServingHarness.text(json) == Self.answer(to: request.prompt)))
            }
            harness.services.log.flush()
            let rows = Array(try harness.rows().dropFirst(before))
            #expect(rows.count == delivered.count)
            outcome.quality = Double(delivered.filter(\.good).count) / Double(delivered.count)
            let learnable = zip(delivered, rows).filter { $0.0.learnable }.map(\.1)
            let unlearnable = zip(delivered, rows).filter { !$0.0.learnable }.map(\.1)
            outcome.learnableToStudent = Double(learnable.filter { $0.servedBy == "student" }.count) / Double(learnable.count)
            outcome.unlearnableToTeacher = Double(unlearnable.filter { $0.servedBy == "teacher" }.count) / Double(unlearnable.count)
            outcome.unlearnableReasons = Set(unlearnable.compactMap(\.servedReason))
            outcome.events = try runtime.book.events(route: "default").reversed().map { "\($0.to.mode.rawValue):\($0.reason.rawValue)" }
            return outcome
        }
        let router = try #require(outcome.gate?.router)
        #expect(outcome.gate?.passed == true, "\(outcome.gate?.failureCodes ?? [])")
        #expect(router.gate.operatingPoint.coverage > 0.4 && router.gate.operatingPoint.coverage < 0.8)
        #expect(outcome.gate?.gate.passed == false)  // over the whole mix the student fails by design
        #expect(outcome.modes == [.shadow, .canary, .student])
        #expect(outcome.events == ["shadow:gate_passed", "canary:shadow_passed", "student:canary_passed"])
        #expect(outcome.quality >= 0.99)
        #expect(outcome.learnableToStudent >= 0.9)
        #expect(outcome.unlearnableToTeacher >= 0.98)
        #expect(outcome.unlearnableReasons.isSubset(of: ["student:router_prompt", "student:router_answer"]), "\(outcome.unlearnableReasons)")
        print("mixed route:", outcome)
    }
}

extension MixedRouteEndToEndTests {
    /// Waits (up to a minute) until every shadow run started on the route has stored its answer.
    static func waitForShadowRunsToFinish(_ runtime: ServingRuntime, _ store: ServingStore) async throws {
        for _ in 0..<3000 {
            let started = runtime.servingTallies()["default"]?.shadowRuns ?? 0
            if try store.studentAnswers(route: "default", kind: "shadow", limit: 10_000).count >= started { return }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

/// What the mixed-route run saw.
struct MixedOutcome: Sendable, CustomStringConvertible {
    var gate: EvaluationReport?
    var modes: [ServingMode?] = []
    var events: [String] = []
    var quality = 0.0, learnableToStudent = 0.0, unlearnableToTeacher = 0.0
    var unlearnableReasons: Set<String> = []

    var description: String {
        let point = gate?.router?.gate.operatingPoint
        return "gate passed=\(gate?.passed ?? false) coverage=\(point?.coverage ?? 0) quality_loss=\(point?.qualityLoss ?? 0) "
            + "modes=\(modes.map { $0?.rawValue ?? "-" }) quality=\(quality) learnable_to_student=\(learnableToStudent) "
            + "unlearnable_to_teacher=\(unlearnableToTeacher)"
    }
}
