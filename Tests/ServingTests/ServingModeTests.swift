import Serving
import Testing

@Suite struct ServingModeTests {
    @Test func modesAreOrderedFromTeacherToStudent() {
        #expect(ServingMode.allCases == [.teacher, .shadow, .canary, .student])
    }
}
