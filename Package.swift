// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "slipway",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "slipway", targets: ["slipway"]),
    ],
    dependencies: [
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-system", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .executableTarget(
            name: "slipway",
            dependencies: ["SlipwayCommands", "SlipwayProcess"]
        ),
        .target(name: "CSlipwayBuild"),
        .target(name: "SlipwayCore", dependencies: ["CSlipwayBuild", .product(name: "Crypto", package: "swift-crypto")]),
        .target(
            name: "SlipwayManifest",
            dependencies: ["SlipwayCore", "TOMLKit"]
        ),
        .target(
            name: "SlipwayNix",
            dependencies: [
                "SlipwayCore", "SlipwayManifest",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "SlipwayEnvironment",
            dependencies: [
                "SlipwayCore", "SlipwayManifest", "SlipwayNix", "SlipwayProcess",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .systemLibrary(name: "CDeflate", path: "Sources/CDeflate"),
        .systemLibrary(name: "CZstd", path: "Sources/CZstd"),
        .target(
            name: "SlipwayOCI",
            dependencies: ["SlipwayCore", "CDeflate", "CZstd", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(
            name: "SlipwayImage",
            dependencies: ["SlipwayCore", "SlipwayManifest", "SlipwayNix", "SlipwayEnvironment", "SlipwayOCI", "CDeflate",
                           .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "SlipwayRegistry",
            dependencies: [
                "SlipwayCore", "SlipwayOCI",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .target(
            name: "SlipwayProcess",
            dependencies: [
                "CSlipwayBuild",
                "SlipwayCore",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .target(
            name: "SlipwaySupervisor",
            dependencies: [
                "SlipwayCore", "SlipwayManifest", "SlipwayProcess",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .target(
            name: "SlipwayPipeline",
            dependencies: [
                "SlipwayCore", "SlipwayManifest", "SlipwayProcess", "SlipwayEnvironment", "SlipwaySupervisor", "SlipwayOCI",
                "SlipwayNix", "SlipwayImage", "SlipwayDeploy",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "SlipwayDeploy",
            dependencies: [
                "SlipwayCore", "SlipwayManifest", "SlipwayOCI", "SlipwayNix", "SlipwayEnvironment", "SlipwayImage",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .target(
            name: "SlipwayCommands",
            dependencies: [
                "SlipwayCore", "SlipwayManifest", "SlipwayNix", "SlipwayEnvironment", "SlipwayProcess", "SlipwaySupervisor",
                "SlipwayOCI", "SlipwayImage", "SlipwayRegistry", "SlipwayPipeline", "SlipwayDeploy",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .testTarget(name: "SlipwayCoreTests", dependencies: ["SlipwayCore"]),
        .testTarget(name: "SlipwayManifestTests", dependencies: ["SlipwayManifest"]),
        .testTarget(name: "SlipwayNixTests", dependencies: ["SlipwayNix", "SlipwayManifest", "SlipwayCore"]),
        .testTarget(name: "SlipwayEnvironmentTests", dependencies: ["SlipwayEnvironment"]),
        .testTarget(name: "SlipwayProcessTests", dependencies: ["SlipwayProcess"]),
        .testTarget(
            name: "SlipwaySupervisorTests", dependencies: ["SlipwaySupervisor", "SlipwayProcess", "SlipwayManifest", "SlipwayCore"]),
        .testTarget(name: "SlipwayOCITests", dependencies: ["SlipwayOCI", "SlipwayCore"]),
        .testTarget(
            name: "SlipwayImageTests",
            dependencies: ["SlipwayImage", "SlipwayManifest", "SlipwayOCI", "SlipwayEnvironment", "SlipwayCore"]
        ),
        .testTarget(name: "SlipwayRegistryTests", dependencies: ["SlipwayRegistry", "SlipwayOCI", "SlipwayCore"]),
        .testTarget(
            name: "SlipwayDeployTests", dependencies: ["SlipwayDeploy", "SlipwayManifest", "SlipwayOCI", "SlipwayCore"],
            exclude: ["Golden"]
        ),
        .testTarget(
            name: "SlipwayPipelineTests",
            dependencies: ["SlipwayPipeline", "SlipwayManifest", "SlipwayOCI", "SlipwayDeploy", .product(name: "Yams", package: "Yams")],
            resources: [.copy("Golden")]
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["SlipwayCore", "SlipwayManifest"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
