# desk.sh: a real notification daemon for the desktop tests (t600,
# t820), sourced after lib.sh inside dbus-run-session: dunst on Xvfb on
# the private session bus, with the configuration in $T/dunstrc.

# start_desk: start Xvfb and dunst (both tracked), export DISPLAY, and
# return once dunst owns org.freedesktop.Notifications.
start_desk() {
	Xvfb -displayfd 3 -nolisten tcp 3>"$T/display" 2>"$T/xvfb.log" &
	track $!
	wait_until 10 test -s "$T/display" ||
	    { fail "Xvfb did not start"; finish; }
	DISPLAY=":$(cat "$T/display")"
	export DISPLAY
	dunst -config "$T/dunstrc" >"$T/dunst.log" 2>&1 &
	track $!
	wait_until 10 has_notifier ||
	    { fail "dunst did not take the bus name"; finish; }
}

has_notifier() {
	dbus-send --session --print-reply --dest=org.freedesktop.DBus \
	    /org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner \
	    string:org.freedesktop.Notifications | grep -q 'boolean true'
}

# note PATTERN: the record folder (written by the test's dunst script,
# one per notification id) whose summary contains PATTERN.
note() {
	for d in "$T"/rec/*/; do
		[ -f "$d/done" ] && grep -qF -- "$1" "$d/summary" &&
		    { echo "${d%/}"; return 0; }
	done
	return 1
}
