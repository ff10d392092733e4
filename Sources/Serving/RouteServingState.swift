/// How one route (the `model` name a client asks for) is served right now.
///
/// Invariants, checked on every change: a canary has `0 < canaryPercent ≤ 100`, every other
/// mode has `canaryPercent == 0`; `shadow`, `canary` and `student` have a student version.
/// The state is a value: the gateway persists it and the ``ServingEvent`` each change returns.
public struct RouteServingState: Sendable, Hashable {
    /// The route name.
    public let route: RouteName
    /// The current mode.
    public private(set) var mode: ServingMode
    /// The share of canary keys served by the student, in percent; 0 outside `canary`.
    public private(set) var canaryPercent: Double
    /// The student version serving (or shadowing) this route, if any.
    public private(set) var student: String?
    /// The student version that served before `student`, the target of a rollback.
    public private(set) var previousStudent: String?

    /// A route served by the teacher alone, with no student yet.
    public init(route: RouteName) {
        self.route = route
        self.mode = .teacher
        self.canaryPercent = 0
        self.student = nil
        self.previousStudent = nil
    }

    /// Restores a stored state, checking its invariants.
    public init(
        route: RouteName, mode: ServingMode, canaryPercent: Double = 0,
        student: String? = nil, previousStudent: String? = nil
    ) throws(ServingError) {
        try Self.validate(mode: mode, percent: canaryPercent, student: student)
        self.route = route
        self.mode = mode
        self.canaryPercent = canaryPercent
        self.student = student
        self.previousStudent = previousStudent
    }

    /// Where a rollback would go now: the previous student if there is one, else the teacher.
    public var rollbackTarget: RollbackTarget {
        previousStudent.map(RollbackTarget.previousStudent) ?? .teacher
    }

    /// Changes the mode, and optionally the canary percent and the student version.
    ///
    /// - Parameters:
    ///   - mode: the new mode.
    ///   - percent: required for `canary` unless the route already is a canary (then kept);
    ///     must be nil for other modes.
    ///   - student: a new student version; nil keeps the current one. A different version
    ///     becomes `student` and the old one `previousStudent`.
    ///   - reason, actor, now: recorded in the returned event.
    /// - Returns: the event to persist. The state is unchanged when this throws.
    @discardableResult
    public mutating func set(
        mode: ServingMode, percent: Double? = nil, student: String? = nil,
        reason: ServingChangeReason = .manual, actor: ServingActor = .manual,
        at now: Double, note: String = ""
    ) throws(ServingError) -> ServingEvent {
        if let student, student.allSatisfy(\.isWhitespace) { throw .emptyStudentVersion }
        if mode != .canary, percent != nil { throw .percentNotApplicable(mode) }
        let newPercent = mode == .canary ? (percent ?? (self.mode == .canary ? canaryPercent : 0)) : 0
        let newStudent = student ?? self.student
        try Self.validate(mode: mode, percent: newPercent, student: newStudent)
        let before = self
        if let student, student != self.student {
            previousStudent = self.student ?? previousStudent
            self.student = student
        }
        self.mode = mode
        canaryPercent = newPercent
        return ServingEvent(from: before, to: self, reason: reason, actor: actor, time: now, note: note)
    }

    /// Rolls back to `target`: the previous student keeps the mode; the teacher sets mode `teacher`.
    ///
    /// Rolling back to the previous student forgets it as "previous", so a second rollback goes
    /// to the teacher. The rolled-back student stays recorded in the event.
    @discardableResult
    public mutating func rollBack(
        to target: RollbackTarget, reason: ServingChangeReason, actor: ServingActor = .automatic,
        at now: Double, note: String = ""
    ) throws(ServingError) -> ServingEvent {
        let before = self
        switch target {
        case .teacher:
            mode = .teacher
            canaryPercent = 0
        case .previousStudent(let version):
            guard previousStudent == version else { throw .noPreviousStudent }
            student = version
            previousStudent = nil
        }
        return ServingEvent(from: before, to: self, reason: reason, actor: actor, time: now, note: note)
    }

    /// Throws unless the invariants in the type's summary hold.
    static func validate(mode: ServingMode, percent: Double, student: String?) throws(ServingError) {
        switch mode {
        case .teacher:
            if percent != 0 { throw .percentNotApplicable(mode) }
        case .shadow, .student:
            if percent != 0 { throw .percentNotApplicable(mode) }
            if student == nil { throw .missingStudent(mode) }
        case .canary:
            guard percent.isFinite, percent > 0, percent <= 100 else { throw .invalidPercent(percent) }
            if student == nil { throw .missingStudent(mode) }
        }
        if let student, student.allSatisfy(\.isWhitespace) { throw .emptyStudentVersion }
    }
}

/// Where a rollback sends a route.
public enum RollbackTarget: Sendable, Hashable, Codable {
    /// Back to the student version that served before, keeping the mode.
    case previousStudent(String)
    /// Back to the teacher for everything (mode `teacher`).
    case teacher
}
