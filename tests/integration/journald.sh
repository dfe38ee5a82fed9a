# journald.sh: what a test that plays journald sources instead of
# lib.sh.  The test runs again in its own mount namespace (so the /run
# it mounts is its own), then lib.sh is sourced, and play_journald
# mounts an empty /run and listens on /run/systemd/journal/socket.
if [ -z "${CANHBAO_IN_NS:-}" ]; then
	CANHBAO_IN_NS=1 exec unshare --mount --propagation private sh "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"

# play_journald OUT [SEP]: each journal entry sent from now on becomes a
# line of OUT (dgram_sink.py says how).
play_journald() {
	mount -t tmpfs -o mode=0755 tmpfs /run ||
	    { fail "cannot mount /run"; finish; }
	mkdir -p /run/systemd/journal
	"$PY" "$(dirname "$0")/dgram_sink.py" /run/systemd/journal/socket \
	    "$@" &
	track $!
	wait_until 5 test -S /run/systemd/journal/socket ||
	    { fail "no journal socket"; finish; }
}
