#!/bin/sh
# Install the Debian packages canhbao needs to build, test and demo.
# Only what is missing is installed; with nothing missing this does
# nothing and needs no root.  Used by "make test" and "make demo"; with
# --deb also the packaging tools, for "make deb" and "make deb-check".
set -eu

# package: the file or pkg-config module that shows it is there
need() {
	pkg=$1 probe=$2
	case $probe in
	pc:*) pkg-config --exists "${probe#pc:}" 2>/dev/null && return 0 ;;
	/*) [ -e "$probe" ] && return 0 ;;
	*) command -v "$probe" >/dev/null 2>&1 && return 0 ;;
	esac
	missing="$missing $pkg"
}

missing=""
command -v pkg-config >/dev/null 2>&1 || missing="$missing pkg-config"
command -v cc >/dev/null 2>&1 || missing="$missing build-essential"
need libsodium-dev pc:libsodium
need libzmq3-dev pc:libzmq
need libcurl4-openssl-dev pc:libcurl
need libsqlite3-dev pc:sqlite3
need libcjson-dev pc:libcjson
need libxml2-dev pc:libxml-2.0
need libinih-dev pc:inih
need libsystemd-dev pc:libsystemd
# Issue 14: /metrics (and the duty officer's page) over HTTP.
need libmicrohttpd-dev pc:libmicrohttpd
# Issue 17: CSAF signatures (gpgme runs gpg); the tests make keys with
# gpg, which needs gpg-agent.
need libgpgme-dev pc:gpgme
need gpg gpg
need gpg-agent gpg-agent
need gpgconf gpg-connect-agent
need libcmocka-dev pc:cmocka
need minisign minisign
need mandoc mandoc
need sqlite3 sqlite3
# Tests: an independent ZeroMQ client, a local HTTP server.
need python3 /usr/bin/python3
need python3-zmq /usr/lib/python3/dist-packages/zmq
need python3-nacl /usr/lib/python3/dist-packages/nacl
# Fault tests: network namespaces and packet loss.
need iproute2 ip
need iptables iptables
# Issue 6: Vietnamese messages (msgfmt); a real notification daemon
# (dunst on Xvfb) on a private D-Bus session bus; mount namespaces.
need gettext msgfmt
need dbus-daemon dbus-run-session
need dbus-bin dbus-send
need xvfb Xvfb
need dunst dunst
need util-linux unshare
# Issue 10: the suite again with the clock 400 days ahead; make lint.
need faketime faketime
need cppcheck cppcheck
# Issue 14: a real Prometheus scrapes both daemons' /metrics (t900);
# promtool comes with it.
need prometheus prometheus
# Issue 16: the duty officer's page, read in a real browser over the
# DevTools protocol.
need chromium chromium
need python3-websocket /usr/lib/python3/dist-packages/websocket

# Issue 14: the units' system-call sandbox, rebuilt with libseccomp
# from systemd-analyze's groups (t870).
need systemd systemd-analyze
need python3-seccomp /usr/share/doc/python3-seccomp/copyright
# Issue 15: make bench-fanout runs Debian's MQTT broker beside canhbao
# (clients through libmosquitto, linked into the bench only).
need mosquitto /usr/sbin/mosquitto
need libmosquitto-dev pc:libmosquitto
# Issue 14: "make deb" and "make deb-check" (install-deps.sh --deb):
# Debian's packaging tools and lintian.
if [ "${1:-}" = --deb ]; then
	need debhelper dh
	need dpkg-dev dpkg-buildpackage
	need fakeroot fakeroot
	need lintian lintian
fi

[ -z "$missing" ] && exit 0

echo "install-deps: installing:$missing"
if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "install-deps: need root to install:$missing" >&2
	exit 2
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
