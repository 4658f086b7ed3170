import SlipwayCore
import SlipwayManifest
import Testing
@testable import SlipwayPipeline

/// The scheduler's bookkeeping without processes: which tasks are ready, in which order, and
/// what a failure blocks.
@Suite("Run book")
struct RunBookTests {
    func task(_ name: String, deps: [String] = []) -> TaskSpec {
        var spec = TaskSpec(name: name, run: "true", location: SlipwayCore.SourceLocation(file: "slipway.toml", line: 1, column: 1))
        spec.deps = deps
        return spec
    }

    func finish(_ book: inout RunBook, _ name: String, _ status: TaskOutcome.Status = .succeeded) -> [String] {
        book.record(TaskOutcome(name: name, status: status, seconds: 0)).blocked.map(\.name)
    }

    @Test func aDiamondReleasesItsJoinOnlyWhenBothSidesSucceeded() throws {
        let tasks = [task("base"), task("left", deps: ["base"]), task("right", deps: ["base"]), task("join", deps: ["left", "right"])]
        var book = RunBook(plan: try TaskPlan(tasks, requested: ["join"]))
        #expect(book.ready.map(\.name) == ["base"])
        book.start(tasks[0])
        #expect(book.ready.isEmpty)
        _ = finish(&book, "base")
        #expect(book.ready.map(\.name) == ["left", "right"], "plan order")
        book.start(tasks[2])
        #expect(book.ready.map(\.name) == ["left"])
        _ = finish(&book, "right", .skipped)
        #expect(book.ready.map(\.name) == ["left"], "join still waits for left")
        book.start(tasks[1])
        _ = finish(&book, "left")
        #expect(book.ready.map(\.name) == ["join"])
        book.start(tasks[3])
        _ = finish(&book, "join")
        #expect(book.isComplete)
        #expect(book.inFinishingOrder.map(\.name) == ["base", "right", "left", "join"])
    }

    @Test func aFailureMarksItsUnstartedDependentsNotRunAndLeavesOthersReady() throws {
        let tasks = [task("a"), task("b"), task("c", deps: ["a"]), task("d", deps: ["c", "b"])]
        var book = RunBook(plan: try TaskPlan(tasks, requested: ["d"]))
        #expect(Set(book.ready.map(\.name)) == ["a", "b"])
        book.start(tasks[0])
        #expect(Set(finish(&book, "a", .failed)) == ["c", "d"])
        #expect(book.ready.map(\.name) == ["b"], "b does not depend on a")
        book.start(tasks[1])
        _ = finish(&book, "b")
        #expect(book.ready.isEmpty, "d was not run, so b releases nothing")
        #expect(book.isComplete)
    }

    @Test func aWideGraphOfAThousandTasksRunsEachOnceInPlanOrder() throws {
        let leaves = (1...1000).map { task("t\($0)") }
        let all = leaves + [task("all", deps: leaves.map(\.name))]
        var book = RunBook(plan: try TaskPlan(all, requested: ["all"]))
        var order: [String] = []
        while !book.isComplete {
            let next = try #require(book.ready.first)
            book.start(next)
            order.append(next.name)
            _ = finish(&book, next.name)
        }
        #expect(order == all.map(\.name))
    }
}
