#!/bin/sh
# CSAF trust and paging.  A local HTTP server serves a provider whose
# provider-metadata.json lists an OpenPGP key this test made with gpg:
# a well-signed document is published; one signed by a key the metadata
# does not list, and one whose .sha512 is wrong, are not, and the
# status and the log name them and say why; a second feed on the same
# provider with csaf_signatures = warn publishes all three with logged
# warnings; a third provider lists the other key under the good key's
# fingerprint, and that key is refused.  Then a ROLIE feed of 500
# entries with a cap of 200 documents a poll is fetched to the end over
# three polls, each document once (the cap was a fixed 500 and what
# lay past it was never fetched); a document listed as changed is
# fetched again and published as revision 2.
. "$(dirname "$0")/lib.sh"

W="$T/www"
mkdir -p "$W/prov/white/2026" "$W/prov/openpgp" "$W/swap" "$W/walk/docs"

# A key pair in a GNUPGHOME of its own; its gpg-agent is tracked by pid.
gen_key() {
	mkdir -m 700 "$T/$1"
	GNUPGHOME="$T/$1" gpg --batch --quiet --passphrase '' \
	    --quick-gen-key "$2" ed25519 sign never 2>/dev/null ||
	    { echo "gpg cannot make a key"; exit 1; }
	agent=$(GNUPGHOME="$T/$1" gpg-connect-agent 'getinfo pid' /bye |
	    sed -n 's/^D //p')
	[ -n "$agent" ] && track "$agent"
	GNUPGHOME="$T/$1" gpg --batch --with-colons --list-keys 2>/dev/null |
	    awk -F: '$1 == "fpr" { print $10; exit }'
}
GOOD=$(gen_key gpg-good 'CSAF Sở TT&TT <csaf@sotttt.example>')
ROGUE=$(gen_key gpg-rogue 'Someone else <rogue@example.org>')
# The key the second provider ("swap") names; its URL serves ROGUE.
# (Not GOOD: once the first provider's feed has pinned GOOD in the
# keyring, a provider naming GOOD is rightly served from there and its
# URL never fetched, which made this check depend on which feed was
# polled first.)
OTHER=$(gen_key gpg-other 'CSAF Sở khác <csaf@khac.example>')
check "three keys made" test -n "$GOOD" -a -n "$ROGUE" -a -n "$OTHER" \
    -a "$GOOD" != "$ROGUE" -a "$OTHER" != "$GOOD" -a "$OTHER" != "$ROGUE"
GNUPGHOME="$T/gpg-good" gpg --batch --armor --export "$GOOD" \
    >"$W/prov/openpgp/$GOOD.asc"
GNUPGHOME="$T/gpg-rogue" gpg --batch --armor --export "$ROGUE" \
    >"$W/swap/$OTHER.asc"

"$PY" "$TOP/tests/integration/feed_server.py" "$W" "$T/port" "$T/http.log" \
    2>"$T/server.log" &
track $!
wait_until 10 test -s "$T/port" || { echo "no HTTP server"; exit 1; }
U="http://127.0.0.1:$(cat "$T/port")"

# csaf_doc ID TITLE FILE: a small CSAF document released an hour ago.
csaf_doc() {
	"$PY" - "$1" "$2" "$3" <<'PYEOF'
import datetime, json, sys
t = (datetime.datetime.now(datetime.timezone.utc) -
     datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
doc = {"document": {"category": "csaf_security_advisory",
                    "csaf_version": "2.0", "title": sys.argv[2],
                    "publisher": {"category": "coordinator",
                                  "name": "Sở TT&TT",
                                  "namespace": "https://sotttt.example"},
                    "tracking": {"id": sys.argv[1], "status": "final",
                                 "version": "1", "initial_release_date": t,
                                 "current_release_date": t,
                                 "revision_history": [{"date": t,
                                     "number": "1", "summary": "first"}]}},
       "vulnerabilities": [{"cve": "CVE-2026-0420",
                            "scores": [{"cvss_v3": {"baseScore": 9.8}}]}]}
with open(sys.argv[3], "w", encoding="utf-8") as f:
    json.dump(doc, f, ensure_ascii=False)
PYEOF
}

# sign HOME FILE: FILE.asc by the key in HOME, FILE.sha512 as sha512sum.
sign() {
	GNUPGHOME="$T/$1" gpg --batch --yes --armor --detach-sign "$2" &&
	    (cd "$(dirname "$2")" && sha512sum "$(basename "$2")" >"$2.sha512")
}

D="$W/prov/white/2026"
csaf_doc STTTT-2026-GOOD 'Lỗ hổng nghiêm trọng, chữ ký đúng' "$D/good.json"
csaf_doc STTTT-2026-ROGUE 'Lỗ hổng giả mạo, khoá lạ' "$D/rogue.json"
csaf_doc STTTT-2026-HASH 'Lỗ hổng, tệp băm sai' "$D/hash.json"
sign gpg-good "$D/good.json"
sign gpg-rogue "$D/rogue.json"
sign gpg-good "$D/hash.json"
echo "$(printf '%0128d' 0)  hash.json" >"$D/hash.json.sha512"
check "gpg itself accepts the good signature" env GNUPGHOME="$T/gpg-good" \
    gpg --batch --quiet --verify "$D/good.json.asc" "$D/good.json" 2>/dev/null

# rolie_feed FILE URL...: a ROLIE feed listing the documents, updated
# an hour ago.
rolie_feed() {
	"$PY" - "$@" <<'PYEOF'
import datetime, json, sys
t = (datetime.datetime.now(datetime.timezone.utc) -
     datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
entries = [{"id": u.rsplit("/", 1)[1], "title": u, "published": t,
            "updated": t, "content": {"type": "application/json", "src": u},
            "link": [{"rel": "self", "href": u},
                     {"rel": "signature", "href": u + ".asc"},
                     {"rel": "hash", "href": u + ".sha512"}]}
           for u in sys.argv[2:]]
feed = {"feed": {"id": "feed", "title": "CSAF feed (TLP:WHITE)",
                 "updated": t, "entry": entries}}
with open(sys.argv[1], "w", encoding="utf-8") as f:
    json.dump(feed, f)
PYEOF
}
rolie_feed "$W/prov/white/feed.json" "$U/prov/white/2026/good.json" \
    "$U/prov/white/2026/rogue.json" "$U/prov/white/2026/hash.json"

# metadata FILE KEYURL [FINGERPRINT]: provider metadata listing the feed
# and one key under FINGERPRINT (default: the good key's).
metadata() {
	cat >"$1" <<JSON
{
  "canonical_url": "$U/prov/provider-metadata.json",
  "distributions": [{"rolie": {"feeds": [{"summary": "white",
      "tlp_label": "WHITE", "url": "$U/prov/white/feed.json"}]}}],
  "last_updated": "2026-01-01T00:00:00Z",
  "list_on_CSAF_aggregators": true,
  "metadata_version": "2.0",
  "mirror_on_CSAF_aggregators": true,
  "public_openpgp_keys": [{"fingerprint": "${3:-$GOOD}", "url": "$2"}],
  "publisher": {"category": "coordinator", "name": "Sở TT&TT",
      "namespace": "https://sotttt.example"},
  "role": "csaf_trusted_provider"
}
JSON
}
metadata "$W/prov/provider-metadata.json" "$U/prov/openpgp/$GOOD.asc"
metadata "$W/swap/provider-metadata.json" "$U/swap/$OTHER.asc" "$OTHER"

# 500 documents in one ROLIE feed, for the walk across polls.
"$PY" - "$W/walk" "$U/walk" <<'PYEOF'
import datetime, json, sys
root, url = sys.argv[1], sys.argv[2]
now = datetime.datetime.now(datetime.timezone.utc)
entries = []
for i in range(500):
    t = (now - datetime.timedelta(minutes=i)).strftime("%Y-%m-%dT%H:%M:%SZ")
    name = "walk-%04d.json" % i
    doc = {"document": {"category": "csaf_base", "csaf_version": "2.0",
                        "title": "Khuyến cáo số %d" % i,
                        "publisher": {"category": "vendor", "name": "x",
                                      "namespace": "https://x.example"},
                        "tracking": {"id": "WALK-%04d" % i,
                                     "status": "final", "version": "1",
                                     "initial_release_date": t,
                                     "current_release_date": t}}}
    with open("%s/docs/%s" % (root, name), "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False)
    entries.append({"id": name, "title": name, "published": t, "updated": t,
                    "content": {"type": "application/json",
                                "src": "%s/docs/%s" % (url, name)}})
with open(root + "/feed.json", "w") as f:
    json.dump({"feed": {"id": "walk", "title": "walk", "entry": entries}}, f)
PYEOF

"$PUB" keygen --state "$T/pub" >/dev/null
{
	pub_section "$T/pub"
	cat <<CONF
[feed "strict"]
url = $U/prov/provider-metadata.json
format = csaf
interval = 3600

[feed "warn"]
url = $U/prov/provider-metadata.json
format = csaf
csaf_signatures = warn
interval = 3600

[feed "swap"]
url = $U/swap/provider-metadata.json
format = csaf
interval = 3600

[feed "walk"]
url = $U/walk/feed.json
format = csaf
max_documents = 200
interval = 3600
CONF
} >"$T/pub.conf"
check "check-config accepts csaf_signatures and max_documents" \
    sh -c '"$0" check-config -c "$1" >/dev/null' "$PUB" "$T/pub.conf"

status() {
	"$PUB" status --state "$T/pub" --json
}
# polled N [FEED]: every feed (or FEED) has finished at least N polls
polled() {
	status | "$PY" -c '
import json, sys
fs = json.load(sys.stdin)["feeds"]
sys.exit(0 if all(f["polls"] >= int(sys.argv[1]) and f["next_poll"] != "now"
                  for f in fs if f["name"] in sys.argv[2:] or
                  len(sys.argv) == 2) else 1)' "$@"
}

"$PUB" run -c "$T/pub.conf" >>"$T/pub.log" 2>&1 &
PUB_PID=$!
track "$PUB_PID"
wait_until 10 test -S "$T/pub/control.sock" || fail "publisher start"
wait_until 120 polled 1 || fail "the first poll"
status >"$T/status1.json"

check "strict: the well-signed document is published, the others not" \
    "$PY" -c '
import json, sys
f = {x["name"]: x for x in json.load(open(sys.argv[1]))["feeds"]}
s = f["strict"]
assert s["published"] == 1, s
assert s["signatures"] == "strict" and s["rejected"] == 2, s
why = " ".join(s["rejections"])
assert "rogue.json" in why and "hash.json" in why, s
assert "good.json" not in why, s
' "$T/status1.json"
check "the log names the document signed by an unlisted key" \
    grep -q 'feed strict: .*rogue.json: .*key.*not published' "$T/pub.log"
check "the log names the document with the wrong .sha512" \
    grep -q 'feed strict: .*hash.json: .*SHA-512.*not published' "$T/pub.log"
check "warn: all three published, with warnings" "$PY" -c '
import json, sys
f = {x["name"]: x for x in json.load(open(sys.argv[1]))["feeds"]}
w = f["warn"]
assert w["published"] == 3 and w["signatures"] == "warn", w
assert w["rejected"] == 0 and w["unverified"] == 2, w
' "$T/status1.json"
check "warn: the warning is logged" \
    grep -q 'feed warn: .*rogue.json: .*published anyway' "$T/pub.log"
check "a key whose fingerprint differs from the metadata is refused" \
    grep -q "feed swap: .*$OTHER.asc: .*fingerprint" "$T/pub.log"
check "and nothing of that provider is published" "$PY" -c '
import json, sys
f = {x["name"]: x for x in json.load(open(sys.argv[1]))["feeds"]}
assert f["swap"]["published"] == 0 and f["swap"]["rejected"] == 3, f["swap"]
' "$T/status1.json"
check "the keyring is private to the state folder" \
    test "$(stat -c %a "$T/pub/openpgp")" = 700
check "the text status names a rejection" \
    sh -c '"$0" status --state "$1" | grep -q "rejected.*rogue.json"' \
    "$PUB" "$T/pub"

# The walk: 200 documents a poll, to the end, each once.
walked() {
	test "$(grep -c 'GET /walk/docs/.* 200' "$T/http.log")" -ge "$1"
}
check "the first poll fetched 200 documents of the walk" walked 200
check_fails "and no more" walked 201
for n in 2 3 4; do
	"$PUB" poll --state "$T/pub" walk >/dev/null
	wait_until 120 polled "$n" walk || fail "poll $n of the walk"
done
check "three polls took all 500" walked 500
check "every document of the walk fetched exactly once" "$PY" -c '
import collections, sys
n = collections.Counter(l.split()[1] for l in open(sys.argv[1])
                        if l.startswith("GET /walk/docs/"))
assert len(n) == 500 and set(n.values()) == {1}, (len(n), n.most_common(3))
' "$T/http.log"
check "and every one published" "$PY" -c '
import json, sys
f = {x["name"]: x for x in json.load(sys.stdin)["feeds"]}
assert f["walk"]["items"] == 500 and f["walk"]["published"] == 500, f["walk"]
' <<EOF
$(status)
EOF


# A document listed as changed is fetched again and comes as revision 2;
# the document kept back for its .sha512 is published once that is
# right, and the one signed by another key stays out.
"$PY" - "$W/walk" <<'PYEOF'
import datetime, json, sys
root = sys.argv[1]
t = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
with open(root + "/docs/walk-0400.json", encoding="utf-8") as f:
    doc = json.load(f)
doc["document"]["title"] = "Khuyến cáo số 400, bản sửa"
doc["document"]["tracking"]["current_release_date"] = t
with open(root + "/docs/walk-0400.json", "w", encoding="utf-8") as f:
    json.dump(doc, f, ensure_ascii=False)
with open(root + "/feed.json") as f:
    feed = json.load(f)
feed["feed"]["entry"][400]["updated"] = t
with open(root + "/feed.json", "w") as f:
    json.dump(feed, f)
PYEOF
(cd "$D" && sha512sum hash.json >hash.json.sha512)
"$PUB" poll --state "$T/pub" >/dev/null
wait_until 120 polled 5 walk || fail "the poll after the edit"
wait_until 120 polled 2 strict || fail "the second poll of strict"
check "the changed document fetched once more, the others not" "$PY" -c '
import collections, sys
n = collections.Counter(l.split()[1] for l in open(sys.argv[1])
                        if l.startswith("GET /walk/docs/"))
assert n["/walk/docs/walk-0400.json"] == 2, n["/walk/docs/walk-0400.json"]
assert sum(n.values()) == 501, sum(n.values())
' "$T/http.log"
status >"$T/status2.json"
check "it is published as an update, and hash.json now too" "$PY" -c '
import json, sys
f = {x["name"]: x for x in json.load(open(sys.argv[1]))["feeds"]}
assert f["walk"]["updated"] == 1 and f["walk"]["published"] == 500, f["walk"]
s = f["strict"]
assert s["published"] == 2 and s["rejected"] == 1, s
assert "rogue.json" in s["rejections"][0], s
' "$T/status2.json"
check "revision 2 is in the journal" sh -c 'test "$(sqlite3 -readonly \
    "file:$0/journal.db?mode=ro" "SELECT max(revision) FROM message
    WHERE adv_id = \"walk:WALK-0400\"")" = 2' "$T/pub"
finish
