import Subprocess

extension Environment {
    /// Exactly `variables` for swift-subprocess (names that cannot be environment keys are left out).
    public static func exactly(_ variables: [String: String]) -> Environment {
        .custom(Dictionary(uniqueKeysWithValues: variables.compactMap { key, value in
            Environment.Key(rawValue: key).map { ($0, value) }
        }))
    }
}
