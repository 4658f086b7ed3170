import Testing
@testable import SlipwayManifest

/// `ready = { unix }`, HTTP over a unix socket, and `https` with `ca` or `insecure`.
extension ServiceManifestTests {
    @Test("socket and https probes decode", arguments: [
        (#"{ unix = "$STATE_DIR/app.sock" }"#, ServiceSpec.ProbeKind.unix("$STATE_DIR/app.sock")),
        (#"{ http = "/health", unix = "var/app.sock" }"#, .unixHTTP(socket: "var/app.sock", path: "/health")),
        (#"{ http = "https://127.0.0.1:8443/health", ca = "certs/ca.pem" }"#,
         .https(url: "https://127.0.0.1:8443/health", ca: "certs/ca.pem", insecure: false)),
        (#"{ http = "https://localhost/", insecure = true }"#, .https(url: "https://localhost/", ca: nil, insecure: true)),
        (#"{ http = "https://localhost/" }"#, .https(url: "https://localhost/", ca: nil, insecure: false)),
    ])
    func socketAndHTTPSProbes(ready: String, expected: ServiceSpec.ProbeKind) throws {
        let specs = try services("[services.a]\ncommand = \"x\"\nready = \(ready)\n")
        #expect(specs.first?.ready?.kind == expected)
    }

    @Test("socket and https probe mistakes", arguments: [
        (#"{ http = "http://127.0.0.1:1/", ca = "ca.pem" }"#, "3:46: invalid value for 'services.a.ready.ca': 'ca' applies to an https:// probe only"),
        (#"{ tcp = 1, insecure = true }"#, "3:31: invalid value for 'services.a.ready.insecure': 'insecure' applies to an https:// probe only"),
        (#"{ http = "https://h/", ca = "c", insecure = true }"#, "3:37: invalid value for 'services.a.ready.ca': give either ca or insecure = true, not both"),
        (#"{ http = "http://h/", unix = "s" }"#, "3:18: invalid value for 'services.a.ready.http': over a unix socket, http is a path"),
        (#"{ tcp = 1, unix = "s" }"#, "3:9: invalid value for 'services.a.ready': give exactly one of exec, http, tcp, log or unix"),
        (#"{ unix = "" }"#, "3:18: invalid value for 'services.a.ready.unix': the socket path is empty"),
    ])
    func socketAndHTTPSProbeMistakes(ready: String, expected: String) {
        let problems = diagnostics("[services.a]\ncommand = \"x\"\nready = \(ready)\n")
        #expect(problems.contains { $0.hasPrefix(expected) }, "\(problems)")
    }
}
