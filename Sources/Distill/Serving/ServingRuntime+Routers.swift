import Foundation
import Serving

extension ServingRuntime {
    /// The router learned for `version` on `route` when it passed its selective gate; nil
    /// when none was learned or it failed (the fixed checks then decide alone). Read once
    /// from the store and kept until the stored states change (a promotion, a rollback, a
    /// change by hand).
    func router(version: String, route: RouteName) -> StudentRouter? {
        let key = version + "\u{0}" + route.rawValue
        if let cached = routerCache.withLock({ $0[key] }) { return cached }
        let loaded = errors.attempt("router", "reading the router of \(version) on route \(route)") {
            try book.store.router(version: version, route: route.rawValue).map {
                try JSONDecoder().decode(StudentRouter.self, from: Data($0.utf8))
            }
        } ?? nil
        let usable = loaded?.gate.passed == true ? loaded : nil
        routerCache.withLock { $0[key] = .some(usable) }
        if let point = usable?.gate.operatingPoint {
            metrics.set("retort_router_coverage", [("route", route.rawValue)], to: point.coverage,
                        help: "Held-out share the serving student's router sends to the student at its calibrated thresholds.")
            metrics.set("retort_router_quality_loss", [("route", route.rawValue)], to: point.qualityLoss,
                        help: "Estimated quality the routed mix loses against the teacher alone (held-out, out-of-fold).")
        }
        return usable
    }
}
