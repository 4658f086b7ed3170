/// The fixed parts of ``ActivationScript``: POSIX sh, no `set -e` (a write to a closed pipe
/// after the ssh client went away must not end the script).
enum ActivationScriptBody {
    static let common = #"""
        REL="$BASE/releases/$DIR"
        LOG="$REL/activation.log"
        say() { printf '%s\n' "$*" >> "$LOG" 2>/dev/null; printf 'slipway: %s\n' "$*" 2>/dev/null; return 0; }
        mark() {
            printf '%s\n' "$2" > "$BASE/releases/$1/outcome.tmp" \
                && mv -f "$BASE/releases/$1/outcome.tmp" "$BASE/releases/$1/outcome"
        }
        now() { date +%s; }
        link() { ln -sfn "releases/$2" "$BASE/.$1.new" && mv -Tf "$BASE/.$1.new" "$BASE/$1"; }
        lock() {
            [ -n "$SLIPWAY_LOCKED" ] && return 0
            exec 9>"$BASE/lock"
            flock -w "${1:-0}" 9 || { say "another activation of $T holds $BASE/lock"; exit 75; }
            SLIPWAY_LOCKED=1; export SLIPWAY_LOCKED
        }
        journal() {
            for u in $UNITS; do
                say "last log lines of $u:"
                journalctl -u "$u" --since "@${start:-0}" -n 15 --no-pager -o cat 2>/dev/null \
                    | while IFS= read -r line; do [ -n "$line" ] && say "    $line"; done
            done
        }
        """#

    static let steps = #"""
        present() {
            if [ "$MODE" = image ]; then
                for i in $IMAGES; do
                    "$RT" image inspect "$i" >/dev/null 2>&1 || { say "image $i is not on this host"; return 1; }
                done
            else
                nix-store --check-validity "$STORE" >/dev/null 2>&1 \
                    || { say "$STORE is not in this host's store"; return 1; }
            fi
        }
        install_units() {
            if [ -n "$SYSTEM_UNITS" ]; then
                for u in $UNITS; do
                    systemctl cat "$u" >/dev/null 2>&1 || { say "$u is not declared by the host's configuration" \
                        "(add the module of: slipway deploy $T --nixos-module)"; return 1; }
                done
                printf '%s\n' $UNITS > "$BASE/units"; return 0
            fi
            changed=0
            for u in $UNITS; do
                if ! cmp -s "$REL/units/$u" "$UNIT_DIR/$u"; then
                    cp "$REL/units/$u" "$UNIT_DIR/.$u.new" && mv -f "$UNIT_DIR/.$u.new" "$UNIT_DIR/$u" || return 1
                    changed=1
                fi
            done
            for u in $(cat "$BASE/units" 2>/dev/null); do
                case " $UNITS " in
                    *" $u "*) ;;
                    *) systemctl stop "$u" 2>/dev/null; rm -f "$UNIT_DIR/$u"; changed=1 ;;
                esac
            done
            printf '%s\n' $UNITS > "$BASE/units"
            if [ "$changed" = 1 ]; then systemctl daemon-reload || return 1; fi
        }
        switch_to() {
            old=$(readlink "$BASE/current" 2>/dev/null); old=${old#releases/}
            if [ "$MODE" = closure ]; then
                mkdir -p "${PROFILE%/*}" && nix-env -p "$PROFILE" --set "$STORE" >/dev/null || return 1
            elif [ -n "$NETWORK" ]; then
                "$RT" network exists "$NETWORK" >/dev/null 2>&1 || "$RT" network inspect "$NETWORK" >/dev/null 2>&1 \
                    || "$RT" network create "$NETWORK" >/dev/null || return 1
            fi
            link current "$DIR" || { why="switching $BASE/current failed"; return 1; }
            if [ -n "$old" ] && [ "$old" != "$DIR" ]; then link previous "$old"; fi
            install_units || { why="installing the units failed"; return 1; }
            [ -n "$SYSTEM_UNITS" ] || for u in $UNITS; do systemctl enable "$u" >/dev/null 2>&1; done
            systemctl reset-failed $UNITS 2>/dev/null
        old_pids=$(for u in $UNITS; do systemctl show -p MainPID --value "$u" 2>/dev/null; done | tr '\n' ' ')
            for u in $UNITS; do systemctl restart "$u" || { why="systemctl restart $u failed"; return 1; }; done
        }
        healthy_once() {
            for u in $UNITS; do systemctl is-active --quiet "$u" || { why="unit $u is not active"; return 1; }; done
            identity || { why="identity: what runs is not release $ID"; return 1; }
            why="health check failed: $CHECK"; check || return 1
        }
        wait_healthy() {
            deadline=$(( $(now) + HEALTH_TIMEOUT ))
            while :; do
                if healthy_once; then
                    sleep 0.5
                    healthy_once && return 0
                fi
                [ "$(now)" -ge "$deadline" ] && return 1
                sleep 0.2
            done
        }
        record_order() {
            grep -vxF "$DIR" "$BASE/order" 2>/dev/null > "$BASE/order.new"; printf '%s\n' "$DIR" >> "$BASE/order.new"
            mv -f "$BASE/order.new" "$BASE/order"
        }
        prune() {
            # The last KEEP good releases (failed ones never push a good one out), and the last KEEP
            # releases whatever their outcome (so recent failures stay listed).
            good=$(for d in $(cat "$BASE/order"); do
                [ "$(cat "$BASE/releases/$d/outcome" 2>/dev/null)" = good ] && echo "$d"; done | tail -n "$KEEP")
            keepers="$good $(tail -n "$KEEP" "$BASE/order")"
            prev=$(readlink "$BASE/previous" 2>/dev/null); prev=${prev#releases/}
            for d in $(cat "$BASE/order"); do
                case " $(echo $keepers) $prev " in *" $d "*) continue ;; esac
                say "pruning release $d (keep = $KEEP)"
                if [ "$MODE" = image ]; then
                    # Untag this target's tag only: an image another target (or release) still tags stays.
                    for r in $(cat "$BASE/releases/$d/references" 2>/dev/null); do
                        kept=$(for k in $keepers $prev; do echo "$BASE/releases/$k/references"; done)
                        grep -qxF "$r" $kept 2>/dev/null \
                            || "$RT" rmi "$r" >/dev/null 2>&1
                    done
                fi
                rm -rf "$BASE/releases/$d"
                grep -vxF "$d" "$BASE/order" > "$BASE/order.new"; mv -f "$BASE/order.new" "$BASE/order"
            done
            if [ "$MODE" = closure ]; then nix-env -p "$PROFILE" --delete-generations "+$KEEP" >/dev/null 2>&1; fi
        }
        arm_deadman() {
            systemctl stop "$DEADMAN_UNIT.timer" 2>/dev/null
            systemctl reset-failed "$DEADMAN_UNIT.service" "$DEADMAN_UNIT.timer" 2>/dev/null
            out=$(systemd-run --quiet --unit="$DEADMAN_UNIT" --on-active="${CONFIRM}s" \
                --timer-property=AccuracySec=100ms /bin/sh "$BASE/releases/$1/activate.sh" deadman "$DIR" 2>&1) \
                || { say "cannot arm the dead-man timer: $out"; return 1; }
        }
        # The release's final result, kept for a deployer that lost its connection; then exit.
        finish() {
            printf '%s\n' "$1" > "$REL/result.tmp" && mv -f "$REL/result.tmp" "$REL/result"
            echo "slipway-result: $1"; exit "$2"
        }
        disarm_deadman() { systemctl stop "$DEADMAN_UNIT.timer" 2>/dev/null; return 0; }
        # Brings back release $1 after this one failed; 0 when it answers again.
        go_back() {
            if [ -z "$1" ] || [ ! -f "$BASE/releases/$1/activate.sh" ]; then
                say "no previous release to go back to; stopping $UNITS"
                systemctl stop $UNITS 2>/dev/null
            if [ -z "$SYSTEM_UNITS" ]; then
                for u in $UNITS; do systemctl disable "$u" >/dev/null 2>&1; rm -f "$UNIT_DIR/$u"; done
                systemctl daemon-reload
            fi
            rm -f "$BASE/current" "$BASE/units"; return 2
            fi
            say "switching back to release $1"
            SLIPWAY_LOCKED=1 /bin/sh "$BASE/releases/$1/activate.sh" restore
        }
        """#

    static let main = #"""
        activate() {
            lock 0
            present || exit 5
            start=$(now); prior=$(readlink "$BASE/current" 2>/dev/null); prior=${prior#releases/}
            [ "$prior" = "$DIR" ] && prior=$(readlink "$BASE/previous" 2>/dev/null) && prior=${prior#releases/}
            rm -f "$REL/result"
            was_previous=$(readlink "$BASE/previous" 2>/dev/null)
            if [ -n "$prior" ] && ! arm_deadman "$prior"; then finish not-switched 8; fi
            mark "$DIR" activating; record_order
            say "switching to $ID"
            if switch_to && wait_healthy; then
                disarm_deadman; mark "$DIR" good; date -u +%Y-%m-%dT%H:%M:%SZ > "$REL/activated"
                [ "$1" = rollback ] && [ -n "$prior" ] && mark "$prior" rolled_back
                prune
                say "healthy after $(( $(now) - start )) s: $ID"
                finish healthy 0
            fi
            say "release $ID did not become healthy within $HEALTH_TIMEOUT s: ${why:-a step of the switch failed}"
            journal
            # While it goes back, the dead-man timer waits for it instead of cutting it short.
            mark "$DIR" rolling_back
            go_back "$prior"; back=$?
            mark "$DIR" failed
            if [ "$back" = 2 ]; then disarm_deadman; finish stopped 6; fi
            if [ "$back" = 0 ]; then
                if [ -n "$was_previous" ]; then link previous "${was_previous#releases/}"
                else rm -f "$BASE/previous"; fi
                disarm_deadman; say "previous release $prior serves again"; finish rolled-back 3
            fi
            disarm_deadman; finish rollback-failed 4
        }
        restore() {
            lock 30
            if switch_to && wait_healthy; then mark "$DIR" good; say "release $ID healthy again"; exit 0; fi
            say "release $ID did not come back"; journal; exit 1
        }
        deadman() {
            state=$(cat "$BASE/releases/$1/outcome" 2>/dev/null)
            if [ "$state" = rolling_back ]; then
                # The activation is bringing this release back itself: let it finish (its steps are bounded).
                n=0
                while systemctl is-active --quiet "$ACTIVATION_UNIT.service" && [ "$n" -lt "$CONFIRM" ]; do
                    sleep 1; n=$((n + 1))
                done
            fi
            systemctl stop "$ACTIVATION_UNIT.service" 2>/dev/null
            lock 30
            state=$(cat "$BASE/releases/$1/outcome" 2>/dev/null)
            case "$state" in activating|rolling_back) ;; *) exit 0 ;; esac
            say "dead-man timer: the activation of $1 did not confirm in time; restoring $DIR"
            mark "$1" rolled_back
            printf '%s\n' rolled-back > "$BASE/releases/$1/result"
            restore
        }
        case "$1" in
            activate|rollback) activate "$1" ;;
            restore) restore ;;
            deadman) deadman "$2" ;;
            *) echo "usage: activate.sh activate|rollback|restore|deadman DIR" >&2; exit 2 ;;
        esac
        """#
}
