import Corpus
import Foundation
import Serving

/// Reads and changes the routes' serving states in the corpus. Shared by the gateway,
/// the admin API and `retort serving`, so a change made anywhere is the same change:
/// the new state and its ``ServingEvent`` are written in one transaction.
public struct ServingStateBook: Sendable {
    /// The store.
    public let store: any ServingStorage
    /// The configured routes (the initial modes come from their `serving` section).
    public let routes: [RouteConfiguration]

    /// A book over `store` for `routes`.
    public init(store: any ServingStorage, routes: [RouteConfiguration]) {
        self.store = store
        self.routes = routes
    }

    /// Every configured route's state: the stored one, else its configured initial state.
    /// A stored state that no longer decodes (hand-edited, say) falls back to the initial one.
    public func states() throws -> [RouteName: RouteServingState] {
        try loadedStates().mapValues(\.state)
    }

    /// ``states()`` with the time of each route's last stored change (0 for a route with
    /// no stored state), read together from `serving_state`.
    public func loadedStates() throws -> [RouteName: LoadedServingState] {
        let stored = try store.states()
        var states: [RouteName: LoadedServingState] = [:]
        for route in routes where route.backend == .teacher {
            let row = stored.first { $0.route == route.name.rawValue }
            let saved = row.flatMap { try? Self.decode($0.stateJSON) }
            let state = saved ?? (try? route.serving.initialState(route: route.name)) ?? RouteServingState(route: route.name)
            states[route.name] = LoadedServingState(state: state, changedAt: row?.updatedAt ?? 0)
        }
        return states
    }

    /// Changes `route`'s state with `change` and stores the new state and its event.
    /// - Throws: ``ServingBookError`` for an unknown route; ``ServingError`` for a rejected change.
    @discardableResult
    public func change(
        route: RouteName, _ change: (inout RouteServingState) throws -> ServingEvent?
    ) throws -> ServingEvent? {
        guard routes.contains(where: { $0.name == route && $0.backend == .teacher }) else {
            throw ServingBookError.unknownRoute(route, known: routes.filter { $0.backend == .teacher }.map(\.name))
        }
        guard var state = try states()[route] else { throw ServingBookError.unknownRoute(route, known: []) }
        guard let event = try change(&state) else { return nil }
        try store.save(route: route.rawValue, stateJSON: try Self.encode(state), eventJSON: try Self.encode(event), at: event.time)
        return event
    }

    /// Sets `route`'s mode by hand (CLI, admin API, dashboard).
    @discardableResult
    public func set(
        route: RouteName, mode: ServingMode, percent: Double? = nil, student: String? = nil,
        note: String = "", at now: Double = SystemWallClock().now()
    ) throws -> ServingEvent? {
        try change(route: route) { state in
            try state.set(mode: mode, percent: percent, student: student, reason: .manual, actor: .manual, at: now, note: note)
        }
    }

    /// Puts `candidate`, which passed the quality gate (`gate`), into shadow on `route`
    /// (`retort eval --promote`); nil when the route is already there.
    @discardableResult
    public func admit(_ candidate: String, route: RouteName, gate: GateResult,
                      at now: Double = SystemWallClock().now()) throws -> ServingEvent? {
        try change(route: route) { state in
            try RolloutPolicy().admit(candidate: candidate, gate: gate, state: &state, at: now)
        }
    }

    /// The newest events (of `route` when given), decoded; undecodable ones are skipped.
    public func events(route: RouteName? = nil, limit: Int = 50) throws -> [ServingEvent] {
        try store.events(route: route?.rawValue, limit: limit).compactMap { try? Self.decodeEvent($0.eventJSON) }
    }

    /// JSON text of a state or event (sorted keys, as stored).
    public static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// A stored state, checked.
    static func decode(_ text: String) throws -> RouteServingState {
        try JSONDecoder().decode(RouteServingState.self, from: Data(text.utf8))
    }

    /// A stored event.
    static func decodeEvent(_ text: String) throws -> ServingEvent {
        try JSONDecoder().decode(ServingEvent.self, from: Data(text.utf8))
    }
}

/// A route's state as loaded, with the time it last changed.
public struct LoadedServingState: Sendable, Equatable {
    /// The state.
    public var state: RouteServingState
    /// Unix seconds of the route's last stored change; 0 when none is stored.
    public var changedAt: Double
}

/// A serving change that names something the configuration does not have.
public enum ServingBookError: Error, Sendable, CustomStringConvertible {
    /// The route is not a configured teacher route.
    case unknownRoute(RouteName, known: [RouteName])

    /// A one-line message.
    public var description: String {
        switch self {
        case .unknownRoute(let route, let known):
            return "unknown route '\(route)'; serving modes apply to the teacher routes: \(known.map(\.rawValue).joined(separator: ", "))"
        }
    }
}
