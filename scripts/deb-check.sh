#!/bin/sh
# deb-check.sh DIR: check the packages "make deb" left in DIR.
#
#  1. lintian (profile debian): no error, no warning;
#  2. each systemd unit: "systemd-analyze verify" clean, and each system
#     unit scores 2.0 or less with "systemd-analyze security";
#  3. install, purge and install again on this machine, checking each
#     time what is there and what is gone; a final purge leaves the
#     machine as it was (but for the system user, which Debian keeps).
#
# Needs root (apt-get).  This machine need not run systemd: the
# packages' maintainer scripts (dh_installsystemd's) enable the
# publisher's unit and start it only where systemd is PID 1.
dir=${1:-build/deb}
# The suite's own helpers: a temporary folder $T removed at the end,
# check, check_fails and finish.  The programs checked are the installed
# ones.
CANHBAO_BIN=/usr/bin CANHBAO_TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$CANHBAO_TOP/tests/integration/lib.sh"

PKGS="canhbao-common canhbao-pub canhbao-sub canhbao-relay"
# The packages, by absolute path (apt-get takes ./x.deb or /x.deb); the
# debug symbols are lintian's only.
all=$(find "$(cd "$dir" 2>/dev/null && pwd)" -name '*.deb' 2>/dev/null | sort)
debs=$(echo "$all" | grep -v -- -dbgsym_)
[ -n "$debs" ] || { echo "deb-check: no packages in $dir (make deb)"; exit 2; }

# --- 1. lintian --------------------------------------------------------
# shellcheck disable=SC2086
check "lintian: no errors, no warnings" \
    lintian --profile debian --fail-on error,warning $all

# --- 2. the units, as packaged -----------------------------------------
for d in $debs; do dpkg-deb -x "$d" "$T/root"; done
SYSTEM_UNITS="canhbao-pub.service canhbao-pub-keygen.service
canhbao-sub.service canhbao-sub-keygen.service
canhbao-relay.service canhbao-relay-keygen.service"
# exposure UNIT: the overall exposure level, times ten.
exposure() {
	systemd-analyze security --offline=true \
	    "$T/root/lib/systemd/system/$1" 2>/dev/null |
	    sed -n 's/.*Overall exposure level for .*: \([0-9]*\)\.\([0-9]\).*/\1\2/p'
}
for u in $SYSTEM_UNITS; do
	e=$(exposure "$u")
	echo "     $u: exposure ${e%?}.${e#"${e%?}"}"
	check "$u: systemd-analyze security scores 2.0 or less" \
	    test -n "$e" -a "${e:-99}" -le 20
done

# --- 3. install, purge, install ----------------------------------------
export DEBIAN_FRONTEND=noninteractive
installed() {
	# shellcheck disable=SC2086
	apt-get install -y -qq $debs >"$T/apt.log" 2>&1 ||
	    { cat "$T/apt.log"; return 1; }
}
purge() {
	# shellcheck disable=SC2086
	apt-get purge -y -qq $PKGS >"$T/apt.log" 2>&1 ||
	    { cat "$T/apt.log"; return 1; }
}
is_conffile() {
	dpkg-query -W -f='${Conffiles}\n' "$1" | grep -q " $2 "
}
# verify UNIT...: systemd-analyze verify passes and says nothing about
# them (it also runs "man" on each Documentation= page).
verify() {
	out=$(systemd-analyze verify "$@" 2>&1) && ! echo "$out" |
	    grep -i canhbao || { echo "$out"; return 1; }
}
verify_user() {
	out=$(XDG_RUNTIME_DIR=$T systemd-analyze --user verify "$@" 2>&1) &&
	    ! echo "$out" | grep -i canhbao || { echo "$out"; return 1; }
}
mode_owner() { stat -c '%a %U' "$1"; }

installed_ok() {
	round=$1
	check "$round: canhbao-pub --version" \
	    sh -c 'canhbao-pub --version | grep -q "^canhbao-pub [0-9]"'
	check "$round: canhbao-sub --version" \
	    sh -c 'canhbao-sub --version | grep -q "^canhbao-sub [0-9]"'
	check "$round: canhbao-relay --version" \
	    sh -c 'canhbao-relay --version | grep -q "^canhbao-relay [0-9]"'
	check "$round: the system user canhbao" \
	    sh -c 'getent passwd canhbao >/dev/null'
	check "$round: /var/lib/canhbao, mode 0700, the user's" \
	    test "$(mode_owner /var/lib/canhbao)" = "700 canhbao"
	for f in pub sub relay; do
		check "$round: /etc/canhbao/$f.conf is a conffile" \
		    is_conffile "canhbao-$f" "/etc/canhbao/$f.conf"
		check "$round: /etc/canhbao/$f.conf passes check-config" \
		    sh -c '"$0" check-config -c "$1" >/dev/null' \
		    "canhbao-$f" "/etc/canhbao/$f.conf"
	done
	check "$round: the publisher's unit is enabled" test -L \
	    /etc/systemd/system/multi-user.target.wants/canhbao-pub.service
	check_fails "$round: the subscriber's system unit is not" test -e \
	    /etc/systemd/system/multi-user.target.wants/canhbao-sub.service
	check_fails "$round: nor the relay's" test -e \
	    /etc/systemd/system/multi-user.target.wants/canhbao-relay.service
	check "$round: systemd-analyze verify, system units" \
	    verify /lib/systemd/system/canhbao-pub.service \
	    /lib/systemd/system/canhbao-pub-keygen.service \
	    /lib/systemd/system/canhbao-sub.service \
	    /lib/systemd/system/canhbao-sub-keygen.service \
	    /lib/systemd/system/canhbao-relay.service \
	    /lib/systemd/system/canhbao-relay-keygen.service
	check "$round: systemd-analyze verify, the user unit" \
	    verify_user /usr/lib/systemd/user/canhbao-sub.service
	check "$round: man pages" test -f /usr/share/man/man8/canhbao-pub.8.gz \
	    -a -f /usr/share/man/man1/canhbao-sub.1.gz \
	    -a -f /usr/share/man/man5/canhbao.conf.5.gz \
	    -a -f /usr/share/man/man7/canhbao.7.gz \
	    -a -f /usr/share/man/man8/canhbao-relay.8.gz
	check "$round: Vietnamese messages" \
	    test -f /usr/share/locale/vi/LC_MESSAGES/canhbao.mo
	check "$round: the alert rules example" test -f \
	    /usr/share/doc/canhbao-common/examples/canhbao.rules.yml
	# What canhbao-pub-keygen.service does at the first start.
	check "$round: the user makes the publisher's key in its state" \
	    sh -c 'runuser -u canhbao -- canhbao-pub keygen >/dev/null'
	check "$round: the secret key is 0600" \
	    test "$(mode_owner /var/lib/canhbao/publisher.key)" = "600 canhbao"
	# What canhbao-relay-keygen.service does (StateDirectory= makes the
	# folder and names it in $STATE_DIRECTORY; the tmpfiles snippet
	# makes it at installation).
	check "$round: /var/lib/canhbao-relay, mode 0700, the user's" \
	    test "$(mode_owner /var/lib/canhbao-relay)" = "700 canhbao"
	check "$round: the user makes the relay's key in its state" \
	    sh -c 'runuser -u canhbao -- canhbao-relay keygen >/dev/null'
	check "$round: the relay's secret key is 0600" \
	    test "$(mode_owner /var/lib/canhbao-relay/relay.key)" = "600 canhbao"
}

gone_ok() {
	round=$1
	for p in $PKGS; do
		check_fails "$round: $p is gone" sh -c \
		    "dpkg-query -W -f='\${Status}' $p 2>/dev/null |
		    grep -q 'install ok'"
	done
	check_fails "$round: the programs are gone" \
	    test -e /usr/bin/canhbao-pub -o -e /usr/bin/canhbao-sub \
	    -o -e /usr/bin/canhbao-relay
	check_fails "$round: /etc/canhbao is gone" test -e /etc/canhbao
	check_fails "$round: the state folders (keys, journal) are gone" \
	    test -e /var/lib/canhbao -o -e /var/lib/canhbao-sub \
	    -o -e /var/lib/canhbao-relay
	check_fails "$round: the unit is no longer enabled" test -L \
	    /etc/systemd/system/multi-user.target.wants/canhbao-pub.service
}

if [ "$(id -u)" -ne 0 ]; then
	fail "the install test needs root"
else
	for p in $PKGS; do
		if dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		    grep -q 'install ok'; then
			echo "deb-check: $p is installed already; not touching it"
			exit 2
		fi
	done
	check "install" installed && installed_ok "first install"
	check "purge" purge && gone_ok "after purge"
	check "install again" installed && installed_ok "second install"
	check "purge again (leave the machine as it was)" purge &&
	    gone_ok "at the end"
fi
finish
