import Testing
import Training

@Suite struct TrainingErrorTests {
    @Test func errorsCarryTheirReason() {
        #expect(TrainingError.invalidConfiguration("rank 0") == .invalidConfiguration("rank 0"))
    }
}
