import Foundation
import Serving
import Testing

@Suite struct ServingCodableTests {
    @Test func stateAndEventRoundTrip() throws {
        var state = try RouteServingState(route: "r", mode: .shadow, student: "v1")
        let event = try state.set(mode: .canary, percent: 12.5, student: "v2", at: 1_700_000_000, note: "by hand")
        let data = try JSONEncoder().encode(event)
        #expect(try JSONDecoder().decode(ServingEvent.self, from: data) == event)
        let text = String(decoding: try JSONEncoder().encode(state), as: UTF8.self)
        #expect(text.contains("\"canary_percent\":12.5") && text.contains("\"previous_student\":\"v1\""))
    }

    @Test func decodingRejectsABrokenState() {
        let broken = Data(#"{"route":"r","mode":"canary","canary_percent":0,"student":"v1"}"#.utf8)
        #expect(throws: ServingError.invalidPercent(0)) { try JSONDecoder().decode(RouteServingState.self, from: broken) }
        let noStudent = Data(#"{"route":"r","mode":"student"}"#.utf8)
        #expect(throws: ServingError.missingStudent(.student)) { try JSONDecoder().decode(RouteServingState.self, from: noStudent) }
    }

    @Test func decodesAMinimalTeacherState() throws {
        let state = try JSONDecoder().decode(RouteServingState.self, from: Data(#"{"route":"r","mode":"teacher"}"#.utf8))
        #expect(state == RouteServingState(route: "r"))
    }
}
