import Foundation
import SlipwayCore

/// Where `slipway image build --output` writes, in skopeo's transport syntax.
public enum ImageOutput: Sendable, Equatable {
    /// `oci:DIR[:TAG]`: an OCI image layout folder (image-spec `image-layout.md`).
    case ociLayout(path: String, tag: String?)
    /// `oci-archive:FILE[:TAG]`: the same layout in a tar file.
    case ociArchive(path: String, tag: String?)
    /// `docker-archive:FILE[:REPO:TAG]`: `docker save`'s format, for `docker load`/`podman load`.
    case dockerArchive(path: String, reference: String?)

    /// Parses a transport string.
    /// - Throws: ``ImageError/invalidOutput(_:)``.
    public static func parse(_ text: String) throws -> ImageOutput {
        func split(_ rest: Substring) -> (String, String?) {
            guard let colon = rest.firstIndex(of: ":") else { return (String(rest), nil) }
            return (String(rest[..<colon]), String(rest[rest.index(after: colon)...]))
        }
        if text.hasPrefix("oci:") {
            let (path, tag) = split(text.dropFirst(4))
            guard !path.isEmpty else { throw ImageError.invalidOutput("oci: needs a folder: oci:DIR[:TAG]") }
            return .ociLayout(path: path, tag: tag)
        }
        if text.hasPrefix("oci-archive:") {
            let (path, tag) = split(text.dropFirst(12))
            guard !path.isEmpty else { throw ImageError.invalidOutput("oci-archive: needs a file: oci-archive:FILE[:TAG]") }
            return .ociArchive(path: path, tag: tag)
        }
        if text.hasPrefix("docker-archive:") {
            let (path, reference) = split(text.dropFirst(15))
            guard !path.isEmpty else { throw ImageError.invalidOutput("docker-archive: needs a file: docker-archive:FILE[:REPO:TAG]") }
            return .dockerArchive(path: path, reference: reference)
        }
        throw ImageError.invalidOutput("unknown output '\(text)'")
    }
}

/// Writes built images to disk: layer blobs from the ``BlobStore``, or produced again from
/// their ``LayerSpec`` and checked against the build record's digests. Files appear only when complete
/// (written to a temporary name, then renamed).
public enum ImageWriter {
    /// Writes `record` to `output`; `defaultReference` (`repo:tag`) names it when the output
    /// does not. Layer blobs come from `store` when it has them (see ``LayerBlobs``).
    /// - Returns: where each layer blob written came from, in layer order (none for docker-archive,
    ///   whose layers are uncompressed tars).
    @discardableResult
    public static func write(
        _ record: BuildRecord, to output: ImageOutput, defaultReference: String, store: BlobStore? = nil
    ) throws -> [BlobSource] {
        let blobs = LayerBlobs(record, store: store)
        switch output {
        case .ociLayout(let path, let tag):
            return try writeLayout(record, folder: path, tag: tag ?? Self.tag(of: defaultReference), blobs: blobs)
        case .ociArchive(let path, let tag):
            let write = { try atomically(path) { sink in try writeLayoutArchive(record, tag: tag ?? Self.tag(of: defaultReference), blobs: blobs, to: sink) } }
            do { return try write() } catch ImageError.corruptBlob { return try write() }
        case .dockerArchive(let path, let reference):
            try atomically(path) { sink in try writeDockerArchive(record, reference: reference ?? defaultReference, to: sink) }
            return []
        }
    }

    static func tag(of reference: String) -> String {
        guard let colon = reference.lastIndex(of: ":"), !reference[colon...].contains("/") else { return "latest" }
        return String(reference[reference.index(after: colon)...])
    }

    /// An OCI layout folder: `oci-layout`, `blobs/sha256/*`, then `index.json` last.
    /// - Returns: where each layer blob written came from (blobs already in the folder are kept).
    public static func writeLayout(_ record: BuildRecord, folder: String, tag: String, blobs layers: LayerBlobs) throws -> [BlobSource] {
        let blobs = folder + "/blobs/sha256"
        try FileManager.default.createDirectory(atPath: blobs, withIntermediateDirectories: true)
        try writeFile(folder + "/oci-layout", Array(#"{"imageLayoutVersion":"1.0.0"}"#.utf8))
        var sources: [BlobSource] = []
        for layer in record.layers where !FileManager.default.fileExists(atPath: blobs + "/" + layer.digest.hex) {
            sources.append(try layers.writeFile(layer, to: blobs + "/" + layer.digest.hex))
        }
        try writeFile(blobs + "/" + record.configDigest.hex, record.configBytes)
        try writeFile(blobs + "/" + record.manifestDigest.hex, record.manifestBytes)
        var index = ImageIndex(manifests: [])
        if let data = FileManager.default.contents(atPath: folder + "/index.json"),
           let existing = try? JSONDecoder().decode(ImageIndex.self, from: data) {
            index.manifests = existing.manifests.filter { $0.annotations?["org.opencontainers.image.ref.name"] != tag }
        }
        index.manifests.append(manifestDescriptor(record, tag: tag))
        try writeFile(folder + "/index.json", try CanonicalJSON.encode(index))
        return sources
    }

    static func manifestDescriptor(_ record: BuildRecord, tag: String) -> Descriptor {
        Descriptor(mediaType: MediaTypes.manifest, digest: record.manifestDigest, size: Int64(record.manifestBytes.count),
                   annotations: ["org.opencontainers.image.ref.name": tag])
    }

    /// The OCI layout as one tar stream (`oci-archive:`).
    /// - Returns: where each layer blob came from.
    public static func writeLayoutArchive(_ record: BuildRecord, tag: String, blobs: LayerBlobs, to sink: ByteSink) throws -> [BlobSource] {
        let tar = TarWriter(sink: sink, mtime: record.mtime)
        try tar.writeDirectoryHeader(name: "blobs")
        try tar.writeDirectoryHeader(name: "blobs/sha256")
        var written: Set<Digest> = []
        var sources: [BlobSource] = []
        for layer in record.layers where written.insert(layer.digest).inserted {
            try tar.writeFileHeader(name: "blobs/sha256/" + layer.digest.hex, size: layer.size)
            sources.append(try blobs.write(layer, to: Unfinished(tar.body)))
            try tar.pad(layer.size)
        }
        for (digest, bytes) in [(record.configDigest, record.configBytes), (record.manifestDigest, record.manifestBytes)] {
            try tar.writeFileHeader(name: "blobs/sha256/" + digest.hex, size: Int64(bytes.count))
            try tar.body.write(bytes)
            try tar.pad(Int64(bytes.count))
        }
        let index = try CanonicalJSON.encode(ImageIndex(manifests: [manifestDescriptor(record, tag: tag)]))
        for (name, bytes) in [("index.json", index), ("oci-layout", Array(#"{"imageLayoutVersion":"1.0.0"}"#.utf8))] {
            try tar.writeFileHeader(name: name, size: Int64(bytes.count))
            try tar.body.write(bytes)
            try tar.pad(Int64(bytes.count))
        }
        try tar.finish()
        return sources
    }

    /// `docker save`'s format: `manifest.json`, the config, and one uncompressed `layer.tar` per
    /// layer (docker-image-spec "Combined Image JSON + Filesystem Changeset Format").
    public static func writeDockerArchive(_ record: BuildRecord, reference: String, to sink: ByteSink) throws {
        let tar = TarWriter(sink: sink, mtime: record.mtime)
        let configName = record.configDigest.hex + ".json"
        var layerNames: [String] = []
        for layer in record.layers {
            let dir = layer.diffID.hex
            let name = dir + "/layer.tar"
            if layerNames.contains(name) { continue }
            layerNames.append(name)
            try tar.writeDirectoryHeader(name: dir)
            try tar.writeFileHeader(name: name, size: layer.diffSize)
            try LayerDigest.writeTar(layer, mtime: record.mtime, to: Unfinished(tar.body))
            try tar.pad(layer.diffSize)
        }
        try tar.writeFileHeader(name: configName, size: Int64(record.configBytes.count))
        try tar.body.write(record.configBytes)
        try tar.pad(Int64(record.configBytes.count))
        struct Entry: Encodable {
            var Config: String
            var RepoTags: [String]
            var Layers: [String]
        }
        let manifest = try CanonicalJSON.encode([Entry(Config: configName, RepoTags: [reference], Layers: record.layers.map { $0.diffID.hex + "/layer.tar" })])
        try tar.writeFileHeader(name: "manifest.json", size: Int64(manifest.count))
        try tar.body.write(manifest)
        try tar.pad(Int64(manifest.count))
        try tar.finish()
    }

    /// Runs `body` with a sink on `path.partial-PID`, then renames it to `path`; on failure the
    /// partial file is removed, so nothing half-written is left at `path`.
    @discardableResult
    public static func atomically<T>(_ path: String, _ body: (ByteSink) throws -> T) throws -> T {
        let partial = path + ".partial-\(getpid())"
        let fd = open(partial, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ImageError.io(path, String(cString: strerror(errno))) }
        do {
            let sink = FileSink(fd: fd, path: path)
            let result = try body(sink)
            try sink.finish()
            close(fd)
            guard rename(partial, path) == 0 else { throw ImageError.io(path, String(cString: strerror(errno))) }
            return result
        } catch {
            close(fd)
            unlink(partial)
            throw error
        }
    }

    static func writeFile(_ path: String, _ bytes: [UInt8]) throws {
        try atomically(path) { try $0.write(bytes) }
    }
}

/// Passes bytes through but ignores `finish()` (a blob streamed into an enclosing archive).
final class Unfinished: ByteSink {
    private let next: ByteSink
    init(_ next: ByteSink) { self.next = next }
    func write(_ bytes: UnsafeRawBufferPointer) throws { try next.write(bytes) }
    func finish() throws {}
}
