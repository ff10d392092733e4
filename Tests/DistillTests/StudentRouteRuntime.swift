import ChatAPI
import Corpus
import Distill
import Serving

/// The runtime of one route, `default`, served by the student in `model` (no confidence
/// rule), over `corpus`, on a clock that stands still.
func studentRouteRuntime(model: String, corpus: TrainingCorpus, metrics: any MetricsRecorder = DiscardedMetrics(),
                         configure: (inout ServingSettings) -> Void = { _ in }) -> ServingRuntime {
    var serving = ServingSettings()
    serving.minimumConfidence = nil
    configure(&serving)
    var settings = StudentSettings()
    settings.model = model
    let route = RouteConfiguration(name: "default", serving: RouteServingSettings(mode: .student, student: model))
    return ServingRuntime(routes: [route], serving: serving, student: settings, store: ServingStore(reader: corpus.reader),
                          preloaded: nil, metrics: metrics, clock: ManualWallClock())
}

/// A one-message request on route `default`, greedy.
let greedyRequest = try! ChatRequest(body: Array(#"{"model":"default","temperature":0,"messages":[{"role":"user","content":"hi"}]}"#.utf8))
