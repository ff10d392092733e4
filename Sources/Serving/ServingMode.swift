/// How a route is served, from all-teacher to all-student.
public enum ServingMode: String, Sendable, Codable, CaseIterable {
    /// The teacher answers everything.
    case teacher
    /// The teacher answers; the student also answers a sample in the background.
    case shadow
    /// A sticky share of users gets the student (with fallback).
    case canary
    /// The student answers everything it can (with fallback).
    case student
}
