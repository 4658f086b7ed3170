import Foundation
import Testing

/// Services that run as another account (`user`, when Slipway runs as root).
@Suite("Service user", .tags(.integration))
struct ServiceUserIntegrationTests {
    @Test func aServiceRunningAsNobodyReopensItsOutputByName() throws {
        #expect(geteuid() == 0, "`user` applies only when Slipway runs as root; run this test as root")
        let dir = try project("""
            [nix]
            nixpkgs = "@OFFLINE@"
            [packages]
            busybox = "busybox"
            [services.writer]
            user = "nobody"
            command = \"""
            echo "uid=$(busybox id -u)"
            echo fd1-line > /proc/self/fd/1
            echo fd2-line > /proc/self/fd/2
            echo devstderr-line > /dev/stderr
            echo all-written
            exec busybox sleep 1000\"""
            ready = { log = "all-written" }
            """)
        defer { _ = try? slipway(["down"], in: dir); try? FileManager.default.removeItem(atPath: dir) }
        let up = try slipway(["up", "-d"], in: dir)
        #expect(up.status == 0, "\(up.stdout)\(up.stderr)")
        let logs = try slipway(["logs", "writer"], in: dir)
        #expect(logs.status == 0, "\(logs.stderr)")
        for line in ["uid=65534", "fd1-line", "fd2-line", "devstderr-line", "all-written"] {
            #expect(logs.stdout.contains(line + "\n"), "missing \(line): \(logs.stdout)")
        }
        #expect(!logs.stdout.contains("Permission denied"), "\(logs.stdout)")
    }
}
