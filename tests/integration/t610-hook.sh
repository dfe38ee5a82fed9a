#!/bin/sh
# --on-advisory: the hook runs without a shell, gets exactly the verified
# advisory JSON on stdin and CANHBAO_* in its environment; a failing run
# is logged and retried; a hung one is killed at its time limit and
# blocks neither archiving nor the other hooks; the stale-channel alarm
# runs it too.
. "$(dirname "$0")/lib.sh"

# A name a shell would split and run a second command from.
cd "$T" || exit 1
HOOK="$T/hook; touch PWNED"
mkdir "$T/got"
cat >"$HOOK" <<EOF
#!/bin/sh
out="$T/got/\${CANHBAO_SEQ:-alarm}"
case \$CANHBAO_EVENT in alarm) out="$T/got/alarm-\$CANHBAO_ALARM" ;; esac
cat >"\$out.stdin"
env | grep '^CANHBAO_' | sort >"\$out.env"
case \$CANHBAO_TITLE in
*flaky*)
	# fails on its first run only
	[ -f "$T/got/flaky-once" ] || { touch "$T/got/flaky-once"; exit 3; } ;;
*hangs*)
	exec sleep 60 ;;
esac
touch "\$out.done"
EOF
chmod +x "$HOOK"
cat >"$T/sub.conf" <<EOF
[subscriber]
on_advisory = $HOOK
hook_timeout = 2
hook_retries = 1
EOF

start_pub "$T/pub" --heartbeat 1
start_sub "$T/sub" "$PUB_EP" "$T/pub/publisher.pub" -c "$T/sub.conf" \
    --stale-after 3 --no-desktop
TITLE='Lỗ hổng $(touch x) `id` trong "Cổng dịch vụ công" & <Đà Nẵng>'
ID=$("$PUB" publish --state "$T/pub" --severity high --status exercise \
    --title "$TITLE" --summary 'Cập nhật ngay.' --cve CVE-2024-3400 |
    tail -n 1)
wait_until 10 test -f "$T/got/1.done"
check "the hook ran for seq 1" test -f "$T/got/1.done"
check "without a shell (no second command ran)" test ! -e "$T/PWNED"

"$SUB" export --state "$T/sub" "$ID" -o "$T/adv" >/dev/null
tail -c +34 "$T/adv" >"$T/adv.json"
check "stdin is exactly the signed advisory JSON" cmp "$T/adv.json" "$T/got/1.stdin"
check "which is the JSON that show --json prints" "$PY" -c '
import json, sys
hook = json.load(open(sys.argv[1], encoding="utf-8"))
show = json.load(open(sys.argv[2], encoding="utf-8"))
assert all(show[k] == v for k, v in hook.items()), (hook, show)
' "$T/got/1.stdin" /dev/stdin <<EOF
$("$SUB" show --state "$T/sub" --json "$ID")
EOF
check "the environment" "$PY" -c '
import sys
env = dict(l.rstrip("\n").split("=", 1) for l in open(sys.argv[1], encoding="utf-8"))
want = {"CANHBAO_ID": sys.argv[2], "CANHBAO_SEVERITY": "high",
        "CANHBAO_TITLE": sys.argv[3], "CANHBAO_ORIGIN": "provincial",
        "CANHBAO_STATUS": "exercise", "CANHBAO_EVENT": "advisory",
        "CANHBAO_SEQ": "1", "CANHBAO_REVISION": "1", "CANHBAO_KIND": "new"}
for k, v in want.items():
    assert env.get(k) == v, (k, env.get(k), v)
' "$T/got/1.env" "$ID" "$TITLE"

# A failing run is logged and run again.
"$PUB" publish --state "$T/pub" --severity medium --title 'flaky hook' \
    >/dev/null
wait_until 15 test -f "$T/got/2.done"
check "a failed run is retried and then succeeds" test -f "$T/got/2.done"
check "the failure is logged" grep -q 'exit status 3 (run 1 of 2)' "$T/sub.log"

# A run that hangs is killed; meanwhile the next advisory is archived
# and its hook runs.
"$PUB" publish --state "$T/pub" --severity low --title 'hook hangs' \
    >/dev/null
wait_until 5 test -f "$T/got/3.env"
"$PUB" publish --state "$T/pub" --severity low --title 'after the hang' \
    >/dev/null
wait_until 5 test -f "$T/got/4.done"
check "the next advisory is archived while a hook hangs" \
    grep -q '^4 low .* after the hang$' "$T/sub.out"
check "and its hook runs" test -f "$T/got/4.done"
wait_until 15 grep -q 'hook hangs.*giving up\|seq 3: timed out.*giving up' \
    "$T/sub.log"
check "the hung run is killed at its time limit" \
    grep -q 'seq 3: timed out after 2 s, killed (run 1 of 2)' "$T/sub.log"
check "retried a bounded number of times" \
    grep -q 'seq 3: timed out after 2 s, killed; giving up after 2 runs' \
    "$T/sub.log"

# The stale-channel alarm runs the hook too.
kill -STOP "$PUB_PID"
wait_until 10 test -f "$T/got/alarm-raised.done"
kill -CONT "$PUB_PID"
check "the alarm runs the hook" grep -q '^CANHBAO_EVENT=alarm$' \
    "$T/got/alarm-raised.env"
check "as critical" grep -q '^CANHBAO_SEVERITY=critical$' \
    "$T/got/alarm-raised.env"
check "with a JSON event on stdin" "$PY" -c '
import json, sys
e = json.load(open(sys.argv[1]))
reason = e.pop("reason")
assert e == {"event": "alarm", "alarm": "stale-channel", "raised": True,
             "stale_after": 3}, e
assert "no heartbeat comes" in reason, reason
' "$T/got/alarm-raised.stdin"
check "no hook process is left behind" sh -c '! pgrep -f "sleep 60" -P '"$SUB_PID"

check_fails "a hook that is not executable stops the start" \
    "$SUB" run --state "$T/sub2" --broadcast "$PUB_EP" \
    --publisher-key "$T/pub/publisher.pub" --on-advisory "$T/sub.conf"
finish
