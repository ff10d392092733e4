import ChatAPI
import Distill
import Serving
import Testing

/// Tasks inside a route: the key a request is filed under, and the coverage and quality the
/// route's router reaches on each.
@Suite struct RouterTaskTests {
    private func request(_ json: String) throws -> ChatRequest { try ChatRequest(body: Array(json.utf8)) }

    @Test func theKeyIsTheNamedTaskElseTheSystemPromptsHash() throws {
        let named = try request(#"{"model":"m","metadata":{"task":"extract"},"messages":[{"role":"system","content":"A"},{"role":"user","content":"x"}]}"#)
        #expect(TaskKey.of(named) == "extract")
        // The x-retort-task header, logged as a tag, wins over metadata.
        #expect(TaskKey.of(named, tags: ["alpha", "task:from-header"]) == "from-header")
        #expect(TaskKey.of(named, tags: ["task:"]) == "extract")
        let systemA = try request(#"{"model":"m","messages":[{"role":"system","content":"A"},{"role":"user","content":"x"}]}"#)
        let otherA = try request(#"{"model":"m","messages":[{"role":"system","content":"A"},{"role":"user","content":"y"}]}"#)
        let systemB = try request(#"{"model":"m","messages":[{"role":"system","content":"B"},{"role":"user","content":"x"}]}"#)
        #expect(TaskKey.of(systemA) == TaskKey.of(otherA) && TaskKey.of(systemA) != TaskKey.of(systemB))
        #expect(TaskKey.of(systemA) == "system:" + SHA256.hex(Array("A".utf8)).prefix(8))
        #expect(TaskKey.of(try request(#"{"model":"m","messages":[{"role":"user","content":"x"}]}"#)) == "no_system_prompt")
    }

    @Test func eachTaskGetsItsCoverageAndQualityAtTheRoutersThresholds() {
        // Task "easy": a prompt state pointing one way, always answered well; task "hard": the
        // other way, never. The router serves the first and turns the second away.
        var generator = SplitMix64(seed: 9)
        let observations = (0..<60).map { index -> RoutingObservation in
            let easy = index % 3 != 0
            let state = (0..<8).map { _ in Float(Double(generator.next() % 1000) / 1000 - 0.5) * 0.2 + (easy ? 1 : -1) }
            return RoutingObservation(promptState: state, answerLogprobs: easy ? [-0.01, -0.02] : [-2, -3], good: easy,
                                      task: easy ? "easy" : "hard")
        }
        let router = StudentRouter.learn(from: observations, thresholds: SelectiveGateThresholds())
        let tasks = router.tasks ?? []
        #expect(tasks.map(\.task) == ["easy", "hard"] && tasks.map(\.samples) == [40, 20])
        #expect(tasks[0].coverage > 0.9 && tasks[0].quality == 1)
        #expect(tasks[1].covered == 0 && tasks[1].quality == 1)
        // The route's operating point is the tasks' rows put together.
        #expect(abs(Double(tasks.map(\.covered).reduce(0, +)) / 60 - router.gate.operatingPoint.coverage) < 1e-12)
        #expect(router.summary["tasks"]?.arrayValue?.count == 2)
    }
}
