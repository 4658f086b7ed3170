import Foundation
import SlipwayCore
import SlipwayOCI
import SlipwayProcess
import Subprocess
import SystemPackage

/// Streams a docker-archive into `podman load` (or `docker load`) through a pipe: no archive
/// file is written.
enum ArchiveLoader {
    static func load(_ record: BuildRecord, reference: String) async throws {
        let environment = ProcessLauncher.currentEnvironment()
        guard let tool = ProcessLauncher.resolve("podman", environment: environment)
                ?? ProcessLauncher.resolve("docker", environment: environment) else {
            throw ImageError.tool("neither podman nor docker is installed")
        }
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw ImageError.io("pipe", String(cString: strerror(errno))) }
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        let writeEnd = fds[1]
        let writer = Task.detached { () -> Error? in
            defer { close(writeEnd) }
            do {
                let sink = FileSink(fd: writeEnd, path: "\(tool) load")
                try ImageWriter.writeDockerArchive(record, reference: reference, to: sink)
                return nil
            } catch {
                return error
            }
        }
        let result = try await Subprocess.run(
            .path(FilePath(tool)), arguments: ["load"],
            input: .fileDescriptor(FileDescriptor(rawValue: fds[0]), closeAfterSpawningProcess: true),
            output: .string(limit: 1 << 20), error: .string(limit: 1 << 20))
        let writeError = await writer.value
        guard result.terminationStatus.isSuccess else {
            throw ImageError.tool("\(tool) load failed (\(result.terminationStatus)): \(result.standardError)")
        }
        if let writeError { throw writeError }
    }
}
