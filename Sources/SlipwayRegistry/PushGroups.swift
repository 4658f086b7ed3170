/// Destinations grouped by repository: one upload per repository, then each of its tags.
public enum PushGroups {
    /// `destinations` in order, one entry per `registry/repository`, with its tags in order
    /// (duplicates dropped; `latest` when the first destination of a repository has no tag).
    public static func group(_ destinations: [ImageReference]) -> [(reference: ImageReference, tags: [String])] {
        var groups: [(reference: ImageReference, tags: [String])] = []
        for destination in destinations {
            if let i = groups.firstIndex(where: {
                $0.reference.registry == destination.registry && $0.reference.repository == destination.repository
            }) {
                if let tag = destination.tag, !groups[i].tags.contains(tag) { groups[i].tags.append(tag) }
            } else {
                groups.append((destination, destination.tag.map { [$0] } ?? ["latest"]))
            }
        }
        return groups
    }
}
