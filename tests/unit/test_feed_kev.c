/*
 * Unit tests for feed_kev: the whole real CISA KEV catalog, one entry
 * checked field by field, the quirks of its notes, and truncated or
 * foreign documents.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cb_test.h"
#include "cb_adv.h"
#include "feed.h"
#include "feed_kev.h"

#define KEV "kev/known_exploited_vulnerabilities.json"

static const struct cb_adv *
find(const struct cb_adv_list *l, const char *cve)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].source_id, cve) == 0)
			return &l->v[i];
	fail_msg("%s is not in the list", cve);
	return NULL;
}

static void
load_catalog(struct cb_adv_list *l)
{
	struct cb_err err = { "" };
	size_t len;
	char *buf = cb_test_fixture(KEV, &len);

	if (feed_kev_parse(buf, len, NULL, l, &err) != 0)
		fail_msg("%s", err.msg);
	free(buf);
}

static void
test_full_catalog(void **state)
{
	struct cb_adv_list l = { NULL, 0, 0 };
	struct cb_err err = { "" };
	size_t i, critical = 0;
	clock_t t0 = clock();

	(void)state;
	load_catalog(&l);
	/* One pass over 1.26 MB: generous bound, but catches a quadratic
	 * slip (that would take seconds). */
	assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 1.0);
	assert_int_equal(l.n, 1404);
	for (i = 0; i < l.n; i++) {
		if (cb_adv_validate(&l.v[i], &err) != 0)
			fail_msg("%s: %s", l.v[i].source_id, err.msg);
		assert_int_equal(l.v[i].cves.n, 1);
		assert_string_equal(l.v[i].cves.v[0], l.v[i].source_id);
		assert_true(l.v[i].published > 0);
		critical += l.v[i].severity == CB_SEV_CRITICAL;
	}
	assert_int_equal(critical, 293); /* "Known" ransomware use */
	assert_string_equal(l.v[0].source_id, "CVE-2025-48384");
	assert_string_equal(l.v[1403].source_id, "CVE-2020-29583");
	cb_adv_list_release(&l);
}

/* The first entry, every field exactly. */
static void
test_git_entry(void **state)
{
	static const char *const refs[] = {
		"https://github.com/git/git/security/advisories/"
		"GHSA-vwqx-4fm8-6qc9",
		"https://access.redhat.com/errata/RHSA-2025:13933",
		"https://alas.aws.amazon.com/AL2/ALAS2-2025-2941.html",
		"https://linux.oracle.com/errata/ELSA-2025-11534.html",
		"https://msrc.microsoft.com/update-guide/vulnerability/"
		"CVE-2025-48384",
		"https://nvd.nist.gov/vuln/detail/CVE-2025-48384",
	};
	struct cb_adv_list l = { NULL, 0, 0 };
	const struct cb_adv *a;
	size_t i;

	(void)state;
	load_catalog(&l);
	a = find(&l, "CVE-2025-48384");
	assert_string_equal(a->title, "Git Link Following Vulnerability");
	/* \u2019 in the file becomes UTF-8 */
	assert_string_equal(a->summary,
	    "Git contains a link following vulnerability that stems from "
	    "Git\xe2\x80\x99s inconsistent handling of carriage return "
	    "characters in configuration files.");
	assert_int_equal(a->severity, CB_SEV_HIGH); /* ransomware Unknown */
	assert_int_equal(a->products.n, 1);
	assert_string_equal(a->products.v[0], "Git"); /* not "Git Git" */
	assert_int_equal(a->actions.n, 1);
	assert_string_equal(a->actions.v[0],
	    "Apply mitigations per vendor instructions, follow applicable "
	    "BOD 22-01 guidance for cloud services, or discontinue use of "
	    "the product if mitigations are unavailable. (CISA due date: "
	    "2025-09-15)");
	assert_int_equal(a->references.n, 6);
	for (i = 0; i < 6; i++)
		assert_string_equal(a->references.v[i], refs[i]);
	assert_int_equal(a->published, 1756080000); /* 2025-08-25 */
	assert_int_equal(a->updated, 0);
	assert_int_equal(a->expires, 0);
	assert_null(a->tlp);
	assert_null(a->id);
	assert_int_equal(a->kind, CB_KIND_NEW);
	assert_int_equal(a->status, CB_STATUS_ACTUAL);
	cb_adv_list_release(&l);
}

static void
test_ransomware_known_is_critical(void **state)
{
	struct cb_adv_list l = { NULL, 0, 0 };
	const struct cb_adv *a;

	(void)state;
	load_catalog(&l);
	a = find(&l, "CVE-2025-49704");
	assert_int_equal(a->severity, CB_SEV_CRITICAL);
	assert_string_equal(a->products.v[0], "Microsoft SharePoint");
	assert_string_equal(a->title,
	    "Microsoft SharePoint Code Injection Vulnerability");
	/* "CISA Mitigation Instructions: https://...; https://..." */
	assert_int_equal(a->references.n, 4);
	assert_string_equal(a->references.v[3],
	    "https://nvd.nist.gov/vuln/detail/CVE-2025-49704");
	cb_adv_list_release(&l);
}

/* Notes end in a stray '",' once, wrap URLs in prose parentheses, and
 * sometimes hold parentheses inside a URL. */
static void
test_notes_quirks(void **state)
{
	struct cb_adv_list l = { NULL, 0, 0 };
	const struct cb_adv *a;

	(void)state;
	load_catalog(&l);
	a = find(&l, "CVE-2025-5419");
	assert_int_equal(a->references.n, 2);
	assert_string_equal(a->references.v[0],
	    "https://chromereleases.googleblog.com/2025/06/"
	    "stable-channel-update-for-desktop.html");
	assert_string_equal(a->references.v[1],
	    "https://nvd.nist.gov/vuln/detail/CVE-2025-5419");
	a = find(&l, "CVE-2021-34527");
	assert_int_equal(a->references.n, 2);
	assert_string_equal(a->references.v[0],
	    "https://www.cisa.gov/news-events/directives/"
	    "ed-21-04-mitigate-windows-print-spooler-service-vulnerability");
	a = find(&l, "CVE-2020-15415");
	assert_string_equal(a->references.v[0],
	    "https://www.draytek.com/about/security-advisory/"
	    "vigor3900-/-vigor2960-/-vigor300b-remote-code-injection/"
	    "execution-vulnerability-(cve-2020-14472)");
	cb_adv_list_release(&l);
}

/* A download cut short is rejected whole, the list left as it was. */
static void
test_truncated_catalog(void **state)
{
	struct cb_adv_list l = { NULL, 0, 0 };
	struct cb_err err = { "" };
	struct cb_adv *first;
	size_t len;
	char *buf = cb_test_fixture(KEV, &len);

	(void)state;
	first = cb_adv_list_push(&l);
	first->title = strdup("already there");
	assert_true(len > 5000);
	assert_int_equal(feed_kev_parse(buf, 5000, NULL, &l, &err), -1);
	assert_non_null(strstr(err.msg, "kev: not valid JSON near byte"));
	assert_int_equal(l.n, 1);
	assert_ptr_equal(l.v, first);
	assert_string_equal(l.v[0].title, "already there");
	free(buf);
	cb_adv_list_release(&l);
}

static const char small[] =
    "{\"title\":\"t\",\"count\":4,\"vulnerabilities\":["
    "{\"cveID\":\"CVE-2024-0001\",\"vendorProject\":\"Acme\","
    "\"product\":\"Router\",\"dateAdded\":\"2024-01-02\","
    "\"knownRansomwareCampaignUse\":\"Known\"},"
    "{\"vendorProject\":\"NoId\"},"
    "{\"cveID\":\"  \"},"
    "17,"
    "{\"cveID\":\"CVE-2024-0003\",\"vendorProject\":\" Acme \"},"
    "{\"cveID\":\"CVE-2024-0002\",\"vulnerabilityName\":\"  \","
    "\"requiredAction\":\"Patch.\",\"notes\":\"see http:// and "
    "(http://a.example/x_(y)), http://b.example/.\"}"
    "]}";

/* Entries are independent: unusable ones are skipped, not fatal. */
static void
test_skips_unusable_entries(void **state)
{
	struct cb_adv_list l = { NULL, 0, 0 };
	struct cb_err err = { "" };

	(void)state;
	assert_int_equal(feed_kev_parse(small, strlen(small), NULL, &l, &err),
	    0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[0].title, "Acme Router: CVE-2024-0001");
	assert_string_equal(l.v[0].products.v[0], "Acme Router");
	assert_int_equal(l.v[0].severity, CB_SEV_CRITICAL);
	assert_int_equal(l.v[0].actions.n, 0);
	assert_null(l.v[0].summary);
	/* a vendor without a product (found by fuzzing: use after free) */
	assert_string_equal(l.v[1].title, "Acme: CVE-2024-0003");
	assert_string_equal(l.v[1].products.v[0], "Acme");
	assert_string_equal(l.v[2].title,
	    "Known exploited vulnerability: CVE-2024-0002");
	assert_int_equal(l.v[2].products.n, 0);
	assert_string_equal(l.v[2].actions.v[0], "Patch.");
	assert_int_equal(l.v[2].published, 0);
	assert_int_equal(l.v[2].references.n, 2);
	assert_string_equal(l.v[2].references.v[0], "http://a.example/x_(y)");
	assert_string_equal(l.v[2].references.v[1], "http://b.example/");
	cb_adv_list_release(&l);
}

static void
expect_reject(const char *doc, const char *needle)
{
	struct cb_adv_list l = { NULL, 0, 0 };
	struct cb_err err = { "" };

	assert_int_equal(feed_kev_parse(doc, strlen(doc), NULL, &l, &err), -1);
	if (strstr(err.msg, needle) == NULL)
		fail_msg("error '%s' does not mention '%s'", err.msg, needle);
	assert_int_equal(l.n, 0);
	assert_null(l.v);
}

static void
test_rejects(void **state)
{
	(void)state;
	expect_reject("{\"title\":\"x\"}", "kev: 'vulnerabilities' is missing");
	expect_reject("{\"vulnerabilities\":{}}",
	    "kev: 'vulnerabilities' is not an array");
	expect_reject("[]", "kev: the document is not an object");
	expect_reject("{\"vulnerabilities\":[]}x", "kev: trailing data");
	expect_reject("{\"vulnerabilities\":[{\"cveID\":\"\xff\"}]}",
	    "kev: document is not valid UTF-8");
	expect_reject("{\"vulnerabilities\":[{\"cveID\":\"A\\u0000B\"}]}",
	    "\\u0000 in a string");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_catalog),
		cmocka_unit_test(test_git_entry),
		cmocka_unit_test(test_ransomware_known_is_critical),
		cmocka_unit_test(test_notes_quirks),
		cmocka_unit_test(test_truncated_catalog),
		cmocka_unit_test(test_skips_unusable_entries),
		cmocka_unit_test(test_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
