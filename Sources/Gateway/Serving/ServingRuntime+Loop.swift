import Corpus
import Foundation
import Serving

extension ServingRuntime {
    /// Records one student attempt on `route` for the rollback monitor; `fellBack` only
    /// for a failure of the student itself (``FallbackReason/isStudentFailure``).
    func recordAttempt(route: String, student: String, fellBack: Bool) {
        let time = now()
        locked {
            monitors[route, default: RollbackMonitor(configuration: settings.rollback)]
                .recordRequest(student: student, fellBack: fellBack, at: time)
        }
    }

    /// Records a judgment of `student`'s background answer against the teacher's (shadow
    /// and exploration runs) for the rollback monitor.
    func recordJudgment(route: String, student: String, judgment: Judgment) {
        let time = now()
        locked {
            monitors[route, default: RollbackMonitor(configuration: settings.rollback)]
                .recordJudgment(judgment, student: student, at: time)
        }
    }

    /// One pass of the background loop: re-read the states, feed new ratings to the
    /// rollback monitors, roll back a route whose student went bad, and (with
    /// `auto_promote`) admit and promote students on evidence.
    public func tick() {
        refresh()
        let time = now()
        for state in currentStates() where state.mode != .teacher {
            feedRatings(state, at: time)
            if state.mode == .canary || state.mode == .student { rollBackIfNeeded(state, at: time) }
        }
        guard settings.autoPromote else { return }
        for state in currentStates() {
            admitPassingCandidate(state, at: time)
            if state.mode == .shadow || state.mode == .canary { promoteIfReady(state, at: time) }
        }
    }

    /// Feeds the thumbs given since the last pass on answers of the route's student.
    private func feedRatings(_ state: RouteServingState, at time: Double) {
        guard let student = state.student else { return }
        let since = locked { ratingCursor[state.route] } ?? (time - (settings.rollback.windowSeconds ?? 3600))
        guard let ratings = try? book.store.ratings(route: state.route, since: since), let last = ratings.last else { return }
        locked {
            ratingCursor[state.route] = last.createdAt
            for rating in ratings where rating.servedBy == "student" && rating.model == student {
                monitors[state.route, default: RollbackMonitor(configuration: settings.rollback)]
                    .recordRating(rating.up ? .up : .down, student: student, at: rating.createdAt)
            }
        }
    }

    /// Rolls the route back when its monitor fires; the change is stored only if the
    /// stored state is still the one the monitor judged.
    private func rollBackIfNeeded(_ state: RouteServingState, at time: Double) {
        let fires = locked { monitors[state.route]?.trigger(at: time) != nil }
        guard fires else { return }
        _ = try? book.change(route: state.route) { stored in
            guard stored == state else { return nil }
            return self.locked {
                self.monitors[state.route, default: RollbackMonitor(configuration: self.settings.rollback)].check(&stored, at: time)
            }
        }
        refresh()
    }

    /// Puts the newest passing candidate evaluated for this route into shadow, once: when it
    /// passed after the route's last change and is not already the route's serving student.
    private func admitPassingCandidate(_ state: RouteServingState, at time: Double) {
        guard let result = try? book.store.evalResults(route: state.route, limit: 1).first,
              result.passed, result.version != state.student || state.mode == .teacher,
              result.createdAt > lastChange(of: state.route)
        else { return }
        let policy = RolloutPolicy(configuration: settings.rollout)
        _ = try? book.change(route: state.route) { stored in
            guard stored == state else { return nil }
            return try policy.admit(candidate: result.version, gate: GateResult(failures: []), state: &stored, at: time)
        }
        refresh()
    }

    /// Moves shadow → canary → student when ``RolloutPolicy`` finds the evidence enough.
    private func promoteIfReady(_ state: RouteServingState, at time: Double) {
        guard let evidence = try? evidence(for: state) else { return }
        let policy = RolloutPolicy(configuration: settings.rollout)
        guard case .promote = policy.decide(state: state, evidence: evidence, at: time) else { return }
        _ = try? book.change(route: state.route) { stored in
            guard stored == state else { return nil }
            return try policy.advance(state: &stored, evidence: evidence, at: time)
        }
        refresh()
    }

    /// What the policy needs about the route's current stage, from the corpus.
    public func evidence(for state: RouteServingState) throws -> RolloutEvidence {
        guard let student = state.student else { return RolloutEvidence(gatePassed: false, modeSince: now()) }
        let gatePassed = try book.store.evalResults(version: student, limit: 1).first?.passed ?? false
        let since = lastChange(of: state.route)
        let counts = try book.store.shadowJudgments(route: state.route, version: student, since: since)
        let judged = JudgedOutcomes(wins: counts["win"] ?? 0, ties: counts["tie"] ?? 0, losses: counts["loss"] ?? 0)
        var studentRatings = RatingCounts()
        var teacherRatings = RatingCounts()
        for rating in try book.store.ratings(route: state.route, since: since) {
            if rating.servedBy == "student" {
                guard rating.model == student else { continue }
                if rating.up { studentRatings.up += 1 } else { studentRatings.down += 1 }
            } else if rating.up { teacherRatings.up += 1 } else { teacherRatings.down += 1 }
        }
        return RolloutEvidence(gatePassed: gatePassed, modeSince: since, judged: judged,
                               studentRatings: studentRatings, teacherRatings: teacherRatings)
    }
}
