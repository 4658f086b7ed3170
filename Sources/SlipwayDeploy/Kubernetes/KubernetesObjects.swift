/// The subset of the Kubernetes API objects Slipway renders (API reference v1.37:
/// `apps/v1` Deployment, `v1` Service, `v1` Secret), as `Encodable` values; `nil` fields are
/// left out.
enum KubernetesObjects {
    struct Metadata: Encodable {
        var name: String
        var namespace: String?
        var labels: [String: String]
        var annotations: [String: String]?
    }

    struct Deployment: Encodable {
        var apiVersion = "apps/v1"
        var kind = "Deployment"
        var metadata: Metadata
        var spec: DeploymentSpec
    }

    struct DeploymentSpec: Encodable {
        var replicas: Int
        var revisionHistoryLimit: Int
        /// Seconds without progress after which the rollout counts as failed.
        var progressDeadlineSeconds: Int
        var selector: Selector
        var template: PodTemplate
    }

    struct Selector: Encodable { var matchLabels: [String: String] }

    struct PodTemplate: Encodable {
        var metadata: Metadata
        var spec: PodSpec
    }

    struct PodSpec: Encodable {
        var containers: [Container]
        var enableServiceLinks = false
    }

    struct Container: Encodable {
        var name: String
        /// `<registry>/<image>@sha256:<hex>`: by digest, never a tag.
        var image: String
        var imagePullPolicy = "IfNotPresent"
        var ports: [ContainerPort]?
        var env: [EnvVar]?
        var readinessProbe: Probe?
        var livenessProbe: Probe?
        var resources: Resources?
    }

    struct ContainerPort: Encodable {
        var containerPort: Int
        var `protocol`: String
    }

    struct EnvVar: Encodable {
        var name: String
        var value: String?
        var valueFrom: EnvVarSource?
    }

    struct EnvVarSource: Encodable { var secretKeyRef: KeyRef }
    struct KeyRef: Encodable {
        var name: String
        var key: String
    }

    struct Probe: Encodable {
        var httpGet: HTTPGet?
        var exec: Exec?
        var initialDelaySeconds: Int?
        var periodSeconds: Int
        var timeoutSeconds: Int
        var failureThreshold: Int
    }

    struct HTTPGet: Encodable {
        var path: String
        var port: Int
    }

    struct Exec: Encodable { var command: [String] }

    struct Resources: Encodable {
        var requests: [String: String]?
        var limits: [String: String]?
    }

    struct Service: Encodable {
        var apiVersion = "v1"
        var kind = "Service"
        var metadata: Metadata
        var spec: ServiceSpec
    }

    struct ServiceSpec: Encodable {
        var type = "ClusterIP"
        var selector: [String: String]
        var ports: [ServicePort]
    }

    struct ServicePort: Encodable {
        var name: String
        var port: Int
        var targetPort: Int
        var `protocol`: String
    }

    struct Secret: Encodable {
        var apiVersion = "v1"
        var kind = "Secret"
        var metadata: Metadata
        var type = "Opaque"
        var stringData: [String: String]
    }
}
