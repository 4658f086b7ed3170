/// Shutdown requests from signals, `slipway down`, or every service having ended: the first
/// one counts, later ones are no-ops.
actor ShutdownLatch {
    private var requested = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func request() {
        guard !requested else { return }
        requested = true
        for waiter in waiters { waiter.resume() }
        waiters.removeAll()
    }

    func wait() async {
        if requested { return }
        await withCheckedContinuation { waiters.append($0) }
    }
}
