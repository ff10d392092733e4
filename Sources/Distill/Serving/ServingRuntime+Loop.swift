import Corpus
import Foundation
import Serving

extension ServingRuntime {
    /// Ratings read per route and pass (the rest are read on the next pass).
    static let ratingsPerPass = 1000

    /// Records one student attempt on `route` for the rollback monitor; `fellBack` only
    /// for a failure of the student itself (``FallbackReason/isStudentFailure``).
    func recordAttempt(route: RouteName, student: String, fellBack: Bool) {
        let time = clock.now()
        routes[route]?.withRecord { $0.monitor.recordRequest(student: student, fellBack: fellBack, at: time) }
    }

    /// Records a judgment of `student`'s background answer against the teacher's (shadow
    /// and exploration runs) for the rollback monitor.
    func recordJudgment(route: RouteName, student: String, judgment: Judgment) {
        let time = clock.now()
        routes[route]?.withRecord { $0.monitor.recordJudgment(judgment, student: student, at: time) }
    }

    /// One pass of the background loop: re-read the states, feed new ratings to the
    /// rollback monitors, roll back a route whose student went bad, and (with
    /// `auto_promote`) admit and promote students on evidence.
    public func tick() {
        refresh()
        let time = clock.now()
        for runtime in routes.values where runtime.state.mode != .teacher {
            feedRatings(runtime, at: time)
            let state = runtime.state
            if state.mode == .canary || state.mode == .student { rollBackIfNeeded(runtime, state, at: time) }
        }
        guard settings.autoPromote else { return }
        for runtime in routes.values {
            admitPassingCandidate(runtime, at: time)
            let state = runtime.state
            if state.mode == .shadow || state.mode == .canary { promoteIfReady(runtime, state, at: time) }
        }
    }

    /// Feeds the thumbs given since the last pass on answers of the route's student.
    private func feedRatings(_ runtime: RouteRuntime, at time: Double) {
        guard let student = runtime.state.student else { return }
        let since = runtime.withRecord { $0.ratingCursor } ?? (time - (settings.rollback.windowSeconds ?? 3600))
        guard let ratings = errors.attempt("ratings", "reading ratings of route \(runtime.name)", {
            try book.store.ratings(route: runtime.name.rawValue, since: since, limit: Self.ratingsPerPass)
        }), let last = ratings.last else { return }
        runtime.withRecord { record in
            record.ratingCursor = last.createdAt
            for rating in ratings where rating.servedBy == "student" && rating.model == student {
                record.monitor.recordRating(rating.up ? .up : .down, student: student, at: rating.createdAt)
            }
        }
    }

    /// Rolls the route back when its monitor fires; the change is stored only if the
    /// stored state is still the one the monitor judged.
    private func rollBackIfNeeded(_ runtime: RouteRuntime, _ state: RouteServingState, at time: Double) {
        guard runtime.withRecord({ $0.monitor.trigger(at: time) != nil }) else { return }
        errors.attempt("rollback", "rolling back route \(state.route) from \(state.student ?? "no student")") {
            try book.change(route: state.route) { stored in
                guard stored == state else { return nil }
                return runtime.withRecord { $0.monitor.check(&stored, at: time) }
            }
        }
        refresh()
    }

    /// Puts the newest passing candidate evaluated for this route into shadow, once: when it
    /// passed after the route's last change and is not already the route's serving student.
    private func admitPassingCandidate(_ runtime: RouteRuntime, at time: Double) {
        let (state, changedAt) = runtime.withRecord { ($0.state, $0.changedAt) }
        guard let newest = errors.attempt("admission", "reading gate results of route \(state.route)", {
            try book.store.evalResults(version: nil, route: state.route.rawValue, limit: 1).first
        }), let result = newest, result.passed, result.version != state.student || state.mode == .teacher,
              result.createdAt > changedAt
        else { return }
        let policy = RolloutPolicy(configuration: settings.rollout)
        errors.attempt("admission", "admitting \(result.version) into shadow on route \(state.route)") {
            try book.change(route: state.route) { stored in
                guard stored == state else { return nil }
                return try policy.admit(candidate: result.version, gate: GateResult(failures: []), state: &stored, at: time)
            }
        }
        refresh()
    }

    /// Moves shadow → canary → student when ``RolloutPolicy`` finds the evidence enough.
    private func promoteIfReady(_ runtime: RouteRuntime, _ state: RouteServingState, at time: Double) {
        guard let evidence = errors.attempt("promotion", "gathering evidence on route \(state.route)", {
            try evidence(for: state)
        }) else { return }
        let policy = RolloutPolicy(configuration: settings.rollout)
        guard case .promote = policy.decide(state: state, evidence: evidence, at: time) else { return }
        errors.attempt("promotion", "promoting route \(state.route) from \(state.mode.rawValue)") {
            try book.change(route: state.route) { stored in
                guard stored == state else { return nil }
                return try policy.advance(state: &stored, evidence: evidence, at: time)
            }
        }
        refresh()
    }

    /// What the policy needs about the route's current stage, from the corpus.
    public func evidence(for state: RouteServingState) throws -> RolloutEvidence {
        guard let student = state.student else { return RolloutEvidence(gatePassed: false, modeSince: clock.now()) }
        let gatePassed = try book.store.evalResults(version: student, route: nil, limit: 1).first?.passed ?? false
        let since = routes[state.route]?.changedAt ?? 0
        let counts = try book.store.shadowJudgments(route: state.route.rawValue, version: student, since: since)
        let judged = JudgedOutcomes(wins: counts["win"] ?? 0, ties: counts["tie"] ?? 0, losses: counts["loss"] ?? 0)
        var studentRatings = RatingCounts()
        var teacherRatings = RatingCounts()
        for rating in try book.store.ratings(route: state.route.rawValue, since: since, limit: Self.ratingsPerPass) {
            if rating.servedBy == "student" {
                guard rating.model == student else { continue }
                if rating.up { studentRatings.up += 1 } else { studentRatings.down += 1 }
            } else if rating.up { teacherRatings.up += 1 } else { teacherRatings.down += 1 }
        }
        return RolloutEvidence(gatePassed: gatePassed, modeSince: since, judged: judged,
                               studentRatings: studentRatings, teacherRatings: teacherRatings)
    }

    /// What automatic promotion would do for `state` now: `promote to MODE`, or why it holds
    /// (a ``RolloutHold`` raw value); nil when promotion is off or there is nothing to promote.
    public func promotionOutlook(for state: RouteServingState) -> String? {
        guard settings.autoPromote, state.mode == .shadow || state.mode == .canary,
              let evidence = errors.attempt("promotion", "gathering evidence on route \(state.route)", { try evidence(for: state) })
        else { return nil }
        switch RolloutPolicy(configuration: settings.rollout).decide(state: state, evidence: evidence, at: clock.now()) {
        case .hold(let hold): return hold.rawValue
        case .promote(let mode, _, _): return "promote to " + mode.rawValue
        }
    }
}
