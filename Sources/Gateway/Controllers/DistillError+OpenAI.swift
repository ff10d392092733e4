import ChatAPI
import Distill

extension OpenAIError {
    /// A distillation-loop error as the client sees it: bad settings are a 400, a run
    /// already active a 409, a process that would not start a 500.
    init(distillError error: DistillError) {
        switch error {
        case .invalidTrainingSettings(_, let key):
            self = .invalidRequest(error.description, param: key)
        case .unknownStudent:
            self = .invalidRequest(error.description, param: "student")
        case .runActive:
            self = OpenAIError(status: 409, message: error.description, type: "invalid_request_error", code: "run_active")
        case .launchFailed:
            self = .internalError(error.description)
        }
    }
}
