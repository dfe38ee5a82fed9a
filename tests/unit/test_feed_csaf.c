/*
 * Unit tests for feed_csaf: every real CSAF document in the fixtures,
 * the ROLIE feeds, provider metadata and changes.csv files that lead to
 * them, and the ways a hostile or broken file is rejected.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_test.h"
#include "cb_adv.h"
#include "cb_mem.h"
#include "cb_utf8.h"
#include "feed.h"
#include "feed_csaf.h"
#include "feed_json.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const struct feed_opts opts_info = { CB_SEV_INFO };

/* Parses one fixture document; it must give exactly one valid advisory. */
static void
load_doc(const char *rel, struct cb_adv_list *l)
{
	struct cb_err err = { "" };
	size_t len;
	char *buf = cb_test_fixture(rel, &len);

	if (feed_csaf_parse_document(buf, len, &opts_info, l, &err) != 0)
		fail_msg("%s: %s", rel, err.msg);
	free(buf);
	assert_int_equal(l->n, 1);
	if (cb_adv_validate(&l->v[0], &err) != 0)
		fail_msg("%s: %s", rel, err.msg);
}

/* Rejects s (a NUL-terminated document) with an error naming needle,
 * and leaves a list that already held one advisory as it was. */
static void
expect_doc_reject(const char *s, size_t len, const char *needle)
{
	struct cb_adv_list l = { NULL, 0, 0 };
	struct cb_err err = { "" };
	struct cb_adv *first;

	first = cb_adv_list_push(&l);
	first->title = strdup("already there");
	assert_int_equal(feed_csaf_parse_document(s, len, &opts_info, &l, &err),
	    -1);
	if (strstr(err.msg, needle) == NULL)
		fail_msg("error '%s' does not mention '%s'", err.msg, needle);
	assert_int_equal(l.n, 1);
	assert_ptr_equal(l.v, first);
	assert_string_equal(l.v[0].title, "already there");
	cb_adv_list_release(&l);
}

static const struct doc_case {
	const char *path;
	const char *id;
	enum cb_severity severity;
	const char *tlp;
	size_t cves, products, actions, references;
	const char *first_cve;
} doc_cases[] = {
	{ "gocsaf-testdata/csaf-documents/valid/avendor-advisory-0004.json",
	    "Avendor-advisory-0004", CB_SEV_INFO, "CLEAR", 2, 5, 0, 0,
	    "CVE-2020-1234" },
	{ "tolerant/vn-csaf21-tolerant.json", "VN-CSAF-2025-0001",
	    CB_SEV_CRITICAL, "CLEAR", 1, 2, 1, 1, "CVE-2025-0001" },
	{ "oasis-examples/bsi-2022-0001.json", "BSI-2022-0001", CB_SEV_MEDIUM,
	    "CLEAR", 1, 6, 1, 0, "CVE-2022-27193" },
	{ "oasis-examples/cisco-sa-20180328-smi2.json",
	    "cisco-sa-20180328-smi2", CB_SEV_CRITICAL, NULL, 1, 50, 1, 3,
	    "CVE-2018-0171" },
	{ "oasis-examples/rhsa-2019_1862.json", "RHSA-2019:1862", CB_SEV_LOW,
	    "CLEAR", 0, 1, 0, 4, NULL },
	{ "oasis-examples/rhsa-2021_5186.json", "RHSA-2021:5186",
	    CB_SEV_CRITICAL, "CLEAR", 2, 4, 1, 4, "CVE-2021-4104" },
	{ "oasis-examples/rhsa-2021_5217.json", "RHSA-2021:5217", CB_SEV_HIGH,
	    "CLEAR", 1, 1, 1, 5, "CVE-2021-4133" },
	{ "oasis-examples/rhsa-2022_0011.json", "RHSA-2022:0011", CB_SEV_HIGH,
	    "CLEAR", 1, 10, 1, 3, "CVE-2020-10188" },
	{ "oasis-examples/vex/2022-evd-uc-01-a-001.json",
	    "2022-EVD-UC-01-A-001", CB_SEV_INFO, NULL, 1, 1, 1, 0,
	    "CVE-2021-44228" },
	{ "oasis-examples/vex/2022-evd-uc-01-na-001.json",
	    "2022-EVD-UC-01-NA-001", CB_SEV_INFO, NULL, 1, 1, 0, 0,
	    "CVE-2021-44228" },
	{ "oasis-examples/vex/2022-evd-uc-03-ms-001.json",
	    "2022-EVD-UC-03-MS-001", CB_SEV_INFO, NULL, 19, 1, 1, 0,
	    "CVE-2020-11896" },
	{ "oasis-examples/vex/sec-vex-2022-0001.json", "SEC-VEX-2022-0001",
	    CB_SEV_INFO, "CLEAR", 3, 1, 0, 1, "CVE-2021-44228" },
	{ "provider-cisa/IT/white/2024/va-24-201-01.json", "VA-24-201-01",
	    CB_SEV_CRITICAL, "CLEAR", 3, 7, 4, 1, "CVE-2023-45195" },
	{ "provider-cisa/IT/white/2024/va-24-254-01.json", "VA-24-254-01",
	    CB_SEV_CRITICAL, "CLEAR", 3, 2, 1, 1, "CVE-2024-45075" },
	{ "provider-cisa/IT/white/2024/va-24-254-02.json", "VA-24-254-02",
	    CB_SEV_MEDIUM, "CLEAR", 2, 3, 2, 1, "CVE-2024-45744" },
	{ "provider-cisa/IT/white/2024/va-24-262-01.json", "VA-24-262-01",
	    CB_SEV_HIGH, "CLEAR", 1, 2, 1, 1, "CVE-2024-43201" },
	{ "provider-cisa/OT/white/2024/icsa-24-081-01.json", "ICSA-24-081-01",
	    CB_SEV_MEDIUM, "CLEAR", 1, 1, 1, 8, "CVE-2024-2453" },
	{ "provider-cisa/OT/white/2024/icsma-24-058-01.json", "ICSMA-24-058-01",
	    CB_SEV_HIGH, "CLEAR", 1, 1, 5, 8, "CVE-2024-1453" },
	{ "provider-sotttt/white/2025/so-tttt-2025-01.json", "so-tttt-2025-01",
	    CB_SEV_INFO, "CLEAR", 3, 1, 0, 1, "CVE-2025-20333" },
	{ "provider-sotttt/white/2025/so-tttt-2025-02.json", "so-tttt-2025-02",
	    CB_SEV_INFO, "CLEAR", 2, 1, 0, 1, "CVE-2025-55182" },
	{ "provider-dir/advisories/2024/dirsa_2024_0101_0001.json",
	    "DIRSA_2024_0101_0001", CB_SEV_INFO, "CLEAR", 1, 10, 1, 0,
	    "CVE-2023-51767" },
	{ "provider-dir/advisories/2026/cve-2015-1832.json",
	    "CVE-2015-1832", CB_SEV_INFO, "CLEAR", 1, 5, 0, 0,
	    "CVE-2015-1832" },
	{ "provider-dir/advisories/2026/cve-2026-42203.json",
	    "CVE-2026-42203", CB_SEV_INFO, "CLEAR", 1, 3, 0, 0,
	    "CVE-2026-42203" },
};

static void
check_case(const struct doc_case *c)
{
	struct cb_adv_list l = { NULL, 0, 0 };
	char rel[512];
	const struct cb_adv *a;

	snprintf(rel, sizeof(rel), "csaf/%s", c->path);
	load_doc(rel, &l);
	a = &l.v[0];
	assert_string_equal(a->source_id, c->id);
	if (a->severity != c->severity)
		fail_msg("%s: severity %s, expected %s", c->path,
		    cb_severity_name(a->severity),
		    cb_severity_name(c->severity));
	if (c->tlp == NULL)
		assert_null(a->tlp);
	else
		assert_string_equal(a->tlp, c->tlp);
	if (a->cves.n != c->cves || a->products.n != c->products ||
	    a->actions.n != c->actions || a->references.n != c->references)
		fail_msg("%s: %zu cves, %zu products, %zu actions, %zu "
			 "references",
		    c->path, a->cves.n, a->products.n, a->actions.n,
		    a->references.n);
	if (c->first_cve != NULL)
		assert_string_equal(a->cves.v[0], c->first_cve);
	assert_null(a->id); /* the publisher's job */
	assert_null(a->source);
	assert_int_equal(a->kind, CB_KIND_NEW);
	assert_int_equal(a->status, CB_STATUS_ACTUAL);
	assert_true(a->published > 0);
	cb_adv_list_release(&l);
}

static void
test_every_fixture_document(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(doc_cases); i++)
		check_case(&doc_cases[i]);
}

static void
test_bsi_fields(void **state)
{
	struct cb_adv_list l = { NULL, 0, 0 };
	const struct cb_adv *a;

	(void)state;
	load_doc("csaf/oasis-examples/bsi-2022-0001.json", &l);
	a = &l.v[0];
	assert_string_equal(a->title,
	    "CVRF-CSAF-Converter: XML External Entities Vulnerability");
	assert_null(a->summary); /* no document notes */
	assert_int_equal(a->published, 1647522222);
	assert_int_equal(a->updated, 0); /* current == initial */
	assert_string_equal(a->products.v[0],
	    "CSAF Tools CVRF-CSAF-Converter 1.0.0-alpha");
	assert_string_equal(a->products.v[5],
	    "CSAF Tools CVRF-CSAF-Converter 1.0.0-rc2");
	assert_string_equal(a->actions.v[0],
	    "Update to the latest version of "
	    "the product. At least version "
	    "1.0.0-rc2");
	cb_adv_list_release(&l);
}

/* Not strict CSAF 2.0 (version "2.1", an unknown category, extra
 * members, scores under metrics[].content): read all the same. */
static void
test_tolerant_vietnamese(void **state)
{
	struct cb_adv_list l = { NULL, 0, 0 };
	const struct cb_adv *a;

	(void)state;
	load_doc("csaf/tolerant/vn-csaf21-tolerant.json", &l);
	a = &l.v[0];
	assert_string_equal(a->title,
	    "Cảnh báo lỗ hổng trong Cổng dịch vụ công một cửa");
	assert_string_equal(a->summary,
	    "Cổng dịch vụ công một cửa cung cấp thủ tục hành chính "
	    "trực tuyến cho người dân.");
	assert_string_equal(a->products.v[0], "Cổng một cửa điện tử");
	assert_string_equal(a->products.v[1], "Cổng một cửa điện tử 3.2.0");
	assert_string_equal(a->actions.v[0],
	    "Cập nhật lên phiên bản 3.2.1 và rà soát nhật ký truy cập.");
	assert_string_equal(a->references.v[0],
	    "https://so-tttt.example/canh-bao/");
	assert_int_equal(a->published, 1743752758); /* +07:00 */
	assert_int_equal(a->updated, 1745627781);
	cb_adv_list_release(&l);
}

static void
test_cisa_fields(void **state)
{
	struct cb_adv_list l = { NULL, 0, 0 };
	const struct cb_adv *a;

	(void)state;
	load_doc("csaf/provider-cisa/IT/white/2024/va-24-201-01.json", &l);
	a = &l.v[0];
	assert_string_equal(a->title,
	    "Adminer and AdminerEvo Multiple Vulnerabilities");
	/* The "summary" note wins over the earlier-listed others. */
	assert_non_null(a->summary);
	assert_int_equal(strncmp(a->summary, "Adminer", 7), 0);
	assert_int_equal(a->published, 1721404800);
	assert_int_equal(a->updated, 1726675200);
	assert_string_equal(a->references.v[0],
	    "https://raw.githubusercontent.com/cisagov/CSAF/develop/"
	    "csaf_files/IT/white/2024/va-24-201-01.json");
	cb_adv_list_release(&l);
}

static void
test_cisco_summary_and_cap(void **state)
{
	struct cb_adv_list l = { NULL, 0, 0 };
	const struct cb_adv *a;

	(void)state;
	load_doc("csaf/oasis-examples/cisco-sa-20180328-smi2.json", &l);
	a = &l.v[0];
	assert_non_null(a->summary);
	assert_int_equal(strncmp(a->summary,
			     "A vulnerability in the Smart "
			     "Install feature",
			     43),
	    0);
	assert_int_equal(a->products.n, FEED_CSAF_MAX_PRODUCTS);
	cb_adv_list_release(&l);
}

/* The default severity applies only when the document has none. */
static void
test_default_severity(void **state)
{
	struct feed_opts high = { CB_SEV_HIGH };
	struct cb_adv_list l = { NULL, 0, 0 };
	struct cb_err err = { "" };
	size_t len;
	char *buf;

	(void)state;
	buf = cb_test_fixture("csaf/oasis-examples/vex/sec-vex-2022-0001.json",
	    &len);
	assert_int_equal(feed_csaf_parse_document(buf, len, &high, &l, &err),
	    0);
	assert_int_equal(feed_csaf_parse_document(buf, len, NULL, &l, &err), 0);
	free(buf);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].severity, CB_SEV_HIGH);
	assert_int_equal(l.v[1].severity, CB_SEV_INFO);
	cb_adv_list_release(&l);
}

static void
test_trailing_garbage(void **state)
{
	size_t len;
	char *buf;

	(void)state;
	buf =
	    cb_test_fixture("csaf/gocsaf-testdata/csaf-documents/"
			    "trailing-garbage-data/avendor-advisory-0004.json",
		&len);
	expect_doc_reject(buf, len, "csaf: trailing data after the JSON");
	free(buf);
}

/* A minimal document with the given tracking and document extras. */
static char *
mini_doc(const char *tracking, const char *extra)
{
	return cb_xasprintf("{\"document\":{\"title\":\"T\",%s\"tracking\":{%s}"
			    "}}",
	    extra, tracking);
}

static void
test_document_rejects(void **state)
{
	char *s;

	(void)state;
	s = mini_doc("\"status\":\"final\"", "");
	expect_doc_reject(s, strlen(s),
	    "csaf: document.tracking.id is missing");
	free(s);
	s = mini_doc("\"id\":\"   \"", "");
	expect_doc_reject(s, strlen(s),
	    "csaf: document.tracking.id is missing");
	free(s);
	s = strdup("{\"document\":{\"tracking\":{\"id\":\"X-1\"}}}");
	expect_doc_reject(s, strlen(s), "csaf: document.title is missing");
	free(s);
	s = strdup(
	    "{\"document\":{\"title\":\" \",\"tracking\":{\"id\":\"X\"}}}");
	expect_doc_reject(s, strlen(s), "csaf: document.title is empty");
	free(s);
	s = strdup("{\"vulnerabilities\":[]}");
	expect_doc_reject(s, strlen(s), "csaf: document is missing");
	free(s);
	s = strdup("{\"document\":{\"title\":\"T\"}}");
	expect_doc_reject(s, strlen(s), "csaf: document.tracking is missing");
	free(s);
	s = mini_doc("\"id\":\"X\",\"initial_release_date\":\"yesterday\"", "");
	expect_doc_reject(s, strlen(s),
	    "csaf: document.tracking.initial_release_date is not an RFC 3339");
	free(s);
	s = mini_doc("\"id\":\"X\"",
	    "\"distribution\":{\"tlp\":{\"label\":\"PURPLE\"}},");
	expect_doc_reject(s, strlen(s), "label 'PURPLE' is not a TLP label");
	free(s);
	s = mini_doc("\"id\":\"0123456789012345678901234567890123456789"
		     "01234567890123456789012345678901234567890123456789"
		     "0123456789012345678901234567890123456789\"",
	    "");
	expect_doc_reject(s, strlen(s), "longer than 128 bytes");
	free(s);
	s = strdup("{\"document\":\"\xc3\x28\"}");
	expect_doc_reject(s, strlen(s), "csaf: document is not valid UTF-8");
	free(s);
	expect_doc_reject("[1,2", 4, "csaf: not valid JSON near byte");
	expect_doc_reject("", 0, "csaf: document is empty");
}

static void
test_deep_nesting(void **state)
{
	size_t n = 2 * (FEED_MAX_DEPTH + 1) + 1, i;
	char *s = malloc(n);

	(void)state;
	for (i = 0; i <= FEED_MAX_DEPTH; i++) {
		s[i] = '[';
		s[n - 2 - i] = ']';
	}
	s[n - 1] = '\0';
	expect_doc_reject(s, n - 1, "nesting deeper than 64 levels");
	free(s);
}

static void
test_draft_tlp_and_words(void **state)
{
	struct cb_adv_list l = { NULL, 0, 0 };
	struct cb_err err = { "" };
	char *s;

	(void)state;
	s = mini_doc("\"id\":\"D-1\",\"status\":\"draft\","
		     "\"initial_release_date\":\"2024-01-01T00:00:00Z\","
		     "\"current_release_date\":\"2024-01-02T00:00:00Z\"",
	    "\"aggregate_severity\":{\"text\":\"Low to Moderate\"},"
	    "\"distribution\":{\"tlp\":{\"label\":\"amber\"}},"
	    "\"notes\":[{\"category\":\"general\",\"text\":\"G\"},"
	    "{\"category\":\"description\",\"text\":\" D \"}],");
	assert_int_equal(feed_csaf_parse_document(s, strlen(s), &opts_info, &l,
			     &err),
	    0);
	free(s);
	assert_int_equal(l.v[0].status, CB_STATUS_TEST);
	assert_int_equal(l.v[0].severity, CB_SEV_MEDIUM); /* highest word */
	assert_string_equal(l.v[0].tlp, "AMBER");
	assert_string_equal(l.v[0].summary, "D"); /* description > general */
	assert_int_equal(l.v[0].published, 1704067200);
	assert_int_equal(l.v[0].updated, 1704153600);
	cb_adv_list_release(&l);
}

/* A title longer than the limit is cut at a character, not rejected. */
static void
test_long_title_cut(void **state)
{
	struct cb_adv_list l = { NULL, 0, 0 };
	struct cb_err err = { "" };
	size_t i, n = 1000;
	char *title = malloc(3 * n + 1), *s;
	size_t tl;

	(void)state;
	for (i = 0; i < n; i++)
		memcpy(title + 3 * i, "\xe1\xbb\x87", 3); /* ệ */
	title[3 * n] = '\0';
	s = cb_xasprintf("{\"document\":{\"title\":\"%s\","
			 "\"tracking\":{\"id\":\"L-1\"}}}",
	    title);
	assert_int_equal(feed_csaf_parse_document(s, strlen(s), &opts_info, &l,
			     &err),
	    0);
	tl = strlen(l.v[0].title);
	assert_true(tl <= CB_ADV_MAX_TITLE);
	assert_true(tl > CB_ADV_MAX_TITLE - 6);
	assert_true(cb_utf8_valid(l.v[0].title, tl));
	assert_string_equal(l.v[0].title + tl - 3, "\xe2\x80\xa6"); /* … */
	assert_int_equal(memcmp(l.v[0].title, title, tl - 3), 0);
	free(title);
	free(s);
	cb_adv_list_release(&l);
}

/* --- ROLIE ----------------------------------------------------------- */

static void
load_rolie(const char *rel, struct cb_strlist *urls)
{
	struct cb_err err = { "" };
	size_t len;
	char *buf = cb_test_fixture(rel, &len);

	if (feed_csaf_parse_rolie(buf, len, urls, NULL, &err) != 0)
		fail_msg("%s: %s", rel, err.msg);
	free(buf);
}

static void
assert_no_hash_urls(const struct cb_strlist *urls)
{
	size_t i;

	for (i = 0; i < urls->n; i++) {
		assert_null(strstr(urls->v[i], ".sha512"));
		assert_null(strstr(urls->v[i], ".sha256"));
		assert_null(strstr(urls->v[i], ".asc"));
	}
}

static void
test_rolie_cisa_ref_quirk(void **state)
{
	struct cb_strlist urls = { NULL, 0 };
	const char *base = "https://raw.githubusercontent.com/cisagov/CSAF/"
			   "develop/csaf_files/IT/white/2024/";
	char want[256];

	(void)state;
	load_rolie("csaf/provider-cisa/IT/white/"
		   "cisa-csaf-it-feed-tlp-white.json",
	    &urls);
	assert_int_equal(urls.n, 4);
	snprintf(want, sizeof(want), "%sva-24-254-02.json", base);
	assert_string_equal(urls.v[0], want);
	snprintf(want, sizeof(want), "%sva-24-254-01.json", base);
	assert_string_equal(urls.v[3], want);
	assert_no_hash_urls(&urls);
	cb_strlist_release(&urls);
}

static void
test_rolie_provider_and_oasis(void **state)
{
	struct cb_strlist urls = { NULL, 0 };

	(void)state;
	load_rolie("csaf/provider-sotttt/white/csaf-feed-tlp-white.json",
	    &urls);
	assert_int_equal(urls.n, 2);
	assert_string_equal(urls.v[0],
	    "https://csaf.so-tttt.example/.well-known/"
	    "csaf/white/2025/so-tttt-2025-02.json");
	assert_string_equal(urls.v[1],
	    "https://csaf.so-tttt.example/.well-known/"
	    "csaf/white/2025/so-tttt-2025-01.json");
	assert_no_hash_urls(&urls);
	/* appended after what the list held */
	load_rolie("csaf/oasis-examples/example-01-feed-tlp-white.json", &urls);
	assert_int_equal(urls.n, 3);
	assert_string_equal(urls.v[2],
	    "https://psirt.domain.tld/advisories/"
	    "csaf/2020/2020-ESA-001.json");
	cb_strlist_release(&urls);
}

static void
test_rolie_empty_amber(void **state)
{
	struct cb_strlist urls = { NULL, 0 };

	(void)state;
	load_rolie("csaf/provider-sotttt/amber/csaf-feed-tlp-amber.json",
	    &urls);
	assert_int_equal(urls.n, 0);
	assert_null(urls.v);
}

/* Entries without content.src fall back to the self link; the quirky
 * "ref" links, other schemes and repeats never come out. */
static void
test_rolie_links_only(void **state)
{
	static const char feed[] =
	    "{\"feed\":{\"entry\":["
	    "{\"link\":[{\"href\":\"https://a.example/1.json.sha512\","
	    "\"ref\":\"hash\"},{\"href\":\"https://a.example/1.json\","
	    "\"rel\":\"self\"}]},"
	    "{\"link\":[{\"href\":\"https://a.example/"
	    "2.json\",\"ref\":\"self\"}"
	    "]},"
	    "{\"content\":{\"src\":\"file:///etc/passwd.json\"}},"
	    "{\"content\":{\"src\":\"https://a.example/1.json\"}},"
	    "{\"content\":{\"src\":\"https://a.example/3.json.asc\"}}"
	    "]}}";
	struct cb_strlist urls = { NULL, 0 };
	struct cb_err err = { "" };

	(void)state;
	assert_int_equal(feed_csaf_parse_rolie(feed, strlen(feed), &urls, NULL, &err),
	    0);
	assert_int_equal(urls.n, 1);
	assert_string_equal(urls.v[0], "https://a.example/1.json");
	cb_strlist_release(&urls);
}

static void
expect_list_reject(int rc, const struct cb_strlist *l, const char *msg,
    const char *needle)
{
	assert_int_equal(rc, -1);
	if (strstr(msg, needle) == NULL)
		fail_msg("error '%s' does not mention '%s'", msg, needle);
	assert_int_equal(l->n, 1);
	assert_string_equal(l->v[0], "keep");
}

static void
test_rolie_rejects(void **state)
{
	static const char *const docs[][2] = {
		{ "{\"entry\":[]}", "rolie: 'feed' is missing" },
		{ "{\"feed\":{\"entry\":{}}}",
		    "rolie: feed.entry is not an array" },
		{ "{\"feed\":{\"entry\":[]}", "rolie: not valid JSON" },
		{ "{\"feed\":{}} {}", "rolie: trailing data" },
	};
	struct cb_strlist urls = { NULL, 0 };
	struct cb_err err;
	size_t i;
	int rc;

	(void)state;
	cb_strlist_add(&urls, "keep");
	for (i = 0; i < NELEM(docs); i++) {
		rc = feed_csaf_parse_rolie(docs[i][0], strlen(docs[i][0]),
		    &urls, NULL, &err);
		expect_list_reject(rc, &urls, err.msg, docs[i][1]);
	}
	cb_strlist_release(&urls);
}

/* --- provider-metadata.json ------------------------------------------ */

static int
load_provider(const char *rel, struct cb_strlist *feeds,
    struct cb_strlist *dirs, struct cb_err *err)
{
	size_t len;
	char *buf = cb_test_fixture(rel, &len);
	int rc = feed_csaf_parse_provider(buf, len, feeds, dirs, err);

	free(buf);
	return rc;
}

static void
test_provider_rolie(void **state)
{
	struct cb_strlist feeds = { NULL, 0 }, dirs = { NULL, 0 };
	struct cb_err err = { "" };

	(void)state;
	assert_int_equal(load_provider("csaf/provider-sotttt/"
				       "provider-metadata.json",
			     &feeds, &dirs, &err),
	    0);
	assert_int_equal(feeds.n, 4);
	assert_int_equal(dirs.n, 4);
	assert_string_equal(feeds.v[0],
	    "https://csaf.so-tttt.example/.well-known/"
	    "csaf/white/csaf-feed-tlp-white.json");
	assert_string_equal(feeds.v[3],
	    "https://csaf.so-tttt.example/.well-known/"
	    "csaf/red/csaf-feed-tlp-red.json");
	assert_string_equal(dirs.v[0],
	    "https://csaf.so-tttt.example/.well-known/csaf/white");
	cb_strlist_release(&feeds);
	cb_strlist_release(&dirs);
}

static void
test_provider_directory_and_oasis(void **state)
{
	struct cb_strlist feeds = { NULL, 0 }, dirs = { NULL, 0 };
	struct cb_err err = { "" };

	(void)state;
	assert_int_equal(load_provider("csaf/provider-dir/"
				       "provider-metadata.json",
			     &feeds, &dirs, &err),
	    0);
	assert_int_equal(feeds.n, 0);
	assert_int_equal(dirs.n, 1);
	assert_string_equal(dirs.v[0],
	    "https://advisories.dir.example/csaf/v2/advisories/");
	assert_int_equal(load_provider("csaf/oasis-examples/"
				       "example-01-provider-metadata.json",
			     &feeds, &dirs, &err),
	    0);
	assert_int_equal(feeds.n, 1);
	assert_int_equal(dirs.n, 1);
	assert_string_equal(feeds.v[0],
	    "https://www.example.com/.well-known/csaf/feed-tlp-white.json");
	cb_strlist_release(&feeds);
	cb_strlist_release(&dirs);
}

static void
test_provider_rejects(void **state)
{
	static const char *const docs[][2] = {
		{ "{\"role\":\"csaf_provider\"}",
		    "provider-metadata: 'distributions' is missing" },
		{ "{\"distributions\":[]}",
		    "no ROLIE feed and no directory_url" },
		{ "{\"distributions\":[{\"directory_url\":\"ftp://x/y\"}]}",
		    "distributions[0].directory_url is not an http(s) URL" },
		{ "{\"distributions\":[{\"directory_url\":\"https://a/\"},"
		  "{\"rolie\":{\"feeds\":[{\"url\":\"https://a/f.json\"},"
		  "{\"url\":7}]}}]}",
		    "distributions[1].rolie.feeds[1].url is not" },
		{ "{\"distributions\":[{\"rolie\":{}}]}",
		    "distributions[0].rolie.feeds is not an array" },
		{ "{\"distributions\":[1]}",
		    "distributions[0] is not an object" },
	};
	struct cb_strlist feeds = { NULL, 0 }, dirs = { NULL, 0 };
	struct cb_err err;
	size_t i, len;
	char *buf;
	int rc;

	(void)state;
	cb_strlist_add(&feeds, "keep");
	cb_strlist_add(&dirs, "keep");
	for (i = 0; i < NELEM(docs); i++) {
		rc = feed_csaf_parse_provider(docs[i][0], strlen(docs[i][0]),
		    &feeds, &dirs, &err);
		expect_list_reject(rc, &feeds, err.msg, docs[i][1]);
		expect_list_reject(rc, &dirs, err.msg, docs[i][1]);
	}
	/* An aggregator.json is not a provider-metadata.json. */
	buf = cb_test_fixture("csaf/oasis-examples/example-03-aggregator.json",
	    &len);
	rc = feed_csaf_parse_provider(buf, len, &feeds, &dirs, &err);
	free(buf);
	expect_list_reject(rc, &feeds, err.msg, "'distributions' is missing");
	cb_strlist_release(&feeds);
	cb_strlist_release(&dirs);
}

/* --- changes.csv ----------------------------------------------------- */

static int
load_changes(const char *rel, const char *base, struct cb_strlist *urls,
    struct cb_err *err)
{
	size_t len;
	char *buf = cb_test_fixture(rel, &len);
	int rc = feed_csaf_parse_changes(buf, len, base, urls, NULL, err);

	free(buf);
	return rc;
}

/* CISA writes repository-relative paths, unquoted. */
static void
test_changes_cisa(void **state)
{
	static const char *const want[] = { "va-24-254-02", "va-24-262-01",
		"va-24-201-01", "va-24-254-01" };
	const char *dir = "https://raw.githubusercontent.com/cisagov/CSAF/"
			  "develop/csaf_files/IT/white/";
	struct cb_strlist urls = { NULL, 0 };
	struct cb_err err = { "" };
	char url[256];
	size_t i;

	(void)state;
	if (load_changes("csaf/provider-cisa/IT/white/changes.csv", dir, &urls,
		&err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(urls.n, 4);
	for (i = 0; i < NELEM(want); i++) {
		snprintf(url, sizeof(url), "%s2024/%s.json", dir, want[i]);
		assert_string_equal(urls.v[i], url);
	}
	cb_strlist_release(&urls);
}

static void
test_changes_quoted(void **state)
{
	struct cb_strlist urls = { NULL, 0 };
	struct cb_err err = { "" };

	(void)state;
	/* directory_url as in provider-metadata.json: no trailing slash */
	assert_int_equal(load_changes("csaf/provider-sotttt/white/changes.csv",
			     "https://csaf.so-tttt.example/.well-known/"
			     "csaf/white",
			     &urls, &err),
	    0);
	assert_int_equal(urls.n, 2);
	assert_string_equal(urls.v[0],
	    "https://csaf.so-tttt.example/.well-known/"
	    "csaf/white/2025/so-tttt-2025-02.json");
	assert_string_equal(urls.v[1],
	    "https://csaf.so-tttt.example/.well-known/"
	    "csaf/white/2025/so-tttt-2025-01.json");
	cb_strlist_release(&urls);
}

/* 7 rows, one path listed twice: 6 URLs, the repeat at its newest. */
static void
test_changes_duplicate(void **state)
{
	const char *dir = "https://advisories.dir.example/csaf/v2/advisories/";
	struct cb_strlist urls = { NULL, 0 };
	struct cb_err err = { "" };
	size_t i, seen = 0;

	(void)state;
	assert_int_equal(load_changes("csaf/provider-dir/advisories/"
				      "changes.csv",
			     dir, &urls, &err),
	    0);
	assert_int_equal(urls.n, 6);
	assert_string_equal(urls.v[0],
	    "https://advisories.dir.example/"
	    "csaf/v2/advisories/2026/"
	    "cve-2015-1832.json");
	for (i = 0; i < urls.n; i++)
		if (strstr(urls.v[i], "dirsa_2024_0089_0001") != NULL) {
			seen++;
			assert_int_equal(i, 4); /* after 0109, before 0101 */
		}
	assert_int_equal(seen, 1);
	assert_non_null(strstr(urls.v[5], "dirsa_2024_0101_0001.json"));
	cb_strlist_release(&urls);
}

static void
test_changes_gocsaf(void **state)
{
	struct cb_strlist urls = { NULL, 0 };
	struct cb_err err = { "" };

	(void)state;
	/* base_url may also be the URL of changes.csv itself */
	assert_int_equal(load_changes("csaf/gocsaf-testdata/"
				      "simple-directory-provider/white/"
				      "changes.csv",
			     "https://example.com/white/changes.csv", &urls,
			     &err),
	    0);
	assert_int_equal(urls.n, 1);
	assert_string_equal(urls.v[0],
	    "https://example.com/white/avendor-advisory-0004.json");
	cb_strlist_release(&urls);
}

static void
test_changes_rejects(void **state)
{
	static const char *const docs[][2] = {
		{ "\"../x.json\",\"2024-01-01T00:00:00Z\"",
		    "line 1: the path has an empty, '.' or '..' folder" },
		{ "\"2024/a.json\",\"2024-01-01T00:00:00Z\"\n"
		  "/etc/x.json,2024-01-01T00:00:00Z\n",
		    "line 2: the path is absolute" },
		{ "https://evil.example/x.json,2024-01-01T00:00:00Z",
		    "line 1: the path holds a character it may not" },
		{ "2024/x.json.asc,2024-01-01T00:00:00Z",
		    "does not name a .json file" },
		{ "\n\n2024/x.json,last tuesday\n",
		    "line 3: the time is not an RFC 3339 time" },
		{ "2024/x.json", "line 1: the time is missing" },
		{ "2024/x.json,", "line 1: the time is missing" },
		{ "\"2024/x.json,2024-01-01T00:00:00Z",
		    "a quoted field is not closed properly" },
		{ "\"2024/x.json\"z,2024-01-01T00:00:00Z",
		    "a quoted field is not closed properly" },
		{ "2024/x.json,2024-01-01T00:00:00Z,3",
		    "more than two fields" },
		{ "2024/x.json,2024-01-01T00:00:00Z,", "more than two fields" },
		{ "a b.json,2024-01-01T00:00:00Z", "a character it may not" },
		{ "2024/\xc3\x28.json,2024-01-01T00:00:00Z",
		    "not valid UTF-8" },
	};
	struct cb_strlist urls = { NULL, 0 };
	struct cb_err err;
	size_t i;
	int rc;

	(void)state;
	cb_strlist_add(&urls, "keep");
	for (i = 0; i < NELEM(docs); i++) {
		rc = feed_csaf_parse_changes(docs[i][0], strlen(docs[i][0]),
		    "https://a.example/csaf/white/", &urls, NULL, &err);
		expect_list_reject(rc, &urls, err.msg, docs[i][1]);
	}
	rc = feed_csaf_parse_changes("a.json,2024-01-01", 17, "file:///tmp/",
	    &urls, NULL, &err);
	expect_list_reject(rc, &urls, err.msg, "is not an http(s) URL");
	rc =
	    feed_csaf_parse_changes("a.json,2024-01-01", 17, NULL, &urls, NULL, &err);
	expect_list_reject(rc, &urls, err.msg, "is not an http(s) URL");
	cb_strlist_release(&urls);
}

/* A quoted comma, CRLF line ends, a byte order mark, and a path that
 * repeats a folder the directory does not end with. */
static void
test_changes_quoting(void **state)
{
	static const char csv[] =
	    "\xef\xbb\xbf"
	    "\"2024/a,b.json\" , 2024-01-02T00:00:00Z\r\n"
	    "white/2023/c.json,2023-05-01T00:00:00+07:00\r\n"
	    "\r\n"
	    "other/2023/d.json,2023-04-01T00:00:00Z\r\n";
	static const char quote[] = "\"2024/a\"\"b.json\",2024-01-02T00:00:00Z";
	struct cb_strlist urls = { NULL, 0 };
	struct cb_err err = { "" };

	(void)state;
	if (feed_csaf_parse_changes(csv, strlen(csv), "https://h.example/white",
		&urls, NULL, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(urls.n, 3);
	assert_string_equal(urls.v[0], "https://h.example/white/2024/a,b.json");
	assert_string_equal(urls.v[1], "https://h.example/white/2023/c.json");
	assert_string_equal(urls.v[2],
	    "https://h.example/white/other/2023/d.json");
	/* "" is a quote, and a quote has no place in a URL */
	assert_int_equal(feed_csaf_parse_changes(quote, strlen(quote),
			     "https://h.example/white", &urls, NULL, &err),
	    -1);
	assert_non_null(strstr(err.msg, "line 1: the path holds a character"));
	assert_int_equal(urls.n, 3);
	/* only blank lines: nothing, and no qsort of nothing (fuzzing) */
	assert_int_equal(feed_csaf_parse_changes("\r\n \n", 4,
			     "https://h.example/white", &urls, NULL, &err),
	    0);
	assert_int_equal(urls.n, 3);
	cb_strlist_release(&urls);
}

/* --- times and keys, for the walk and for trust ----------------------- */

static void
test_rolie_and_changes_times(void **state)
{
	struct cb_strlist urls = { NULL, 0 };
	struct feed_csaf_times times = { NULL, 0 };
	struct cb_err err = { "" };
	int64_t t1, t2;
	size_t len;
	char *buf;

	(void)state;
	assert_int_equal(cb_adv_time_parse("2025-12-12T16:20:00Z", &t2), 0);
	assert_int_equal(cb_adv_time_parse("2025-12-12T15:08:00Z", &t1), 0);
	buf = cb_test_fixture("csaf/provider-sotttt/white/"
			      "csaf-feed-tlp-white.json", &len);
	if (feed_csaf_parse_rolie(buf, len, &urls, &times, &err) != 0)
		fail_msg("%s", err.msg);
	free(buf);
	assert_int_equal(urls.n, 2);
	assert_int_equal(times.n, 2);
	assert_non_null(strstr(urls.v[0], "so-tttt-2025-02.json"));
	assert_true(times.v[0] == t2 && times.v[1] == t1);
	cb_strlist_release(&urls);
	feed_csaf_times_release(&times);

	/* changes.csv: newest first, a path listed twice at its newest */
	static const char csv[] = "\"a.json\",\"2025-12-12T15:08:00Z\"\n"
				  "\"b.json\",\"2025-12-12T16:20:00Z\"\n"
				  "\"a.json\",\"2024-01-01T00:00:00Z\"\n";
	if (feed_csaf_parse_changes(csv, strlen(csv), "https://h.example/w/",
		&urls, &times, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(urls.n, 2);
	assert_int_equal(times.n, 2);
	assert_string_equal(urls.v[0], "https://h.example/w/b.json");
	assert_true(times.v[0] == t2 && times.v[1] == t1);
	/* a rejected file leaves both lists as they were */
	assert_int_equal(feed_csaf_parse_changes("/x.json,2024-01-01", 18,
			     "https://h.example/w/", &urls, &times, &err),
	    -1);
	assert_int_equal(urls.n, 2);
	assert_int_equal(times.n, 2);
	cb_strlist_release(&urls);
	feed_csaf_times_release(&times);

	/* no time, or not an RFC 3339 one: 0 */
	static const char feed[] = "{\"feed\":{\"entry\":["
				   "{\"updated\":\"yesterday\",\"content\":"
				   "{\"src\":\"https://a.example/1.json\"}},"
				   "{\"content\":"
				   "{\"src\":\"https://a.example/2.json\"}}]}}";
	assert_int_equal(feed_csaf_parse_rolie(feed, strlen(feed), &urls,
			     &times, &err),
	    0);
	assert_int_equal(times.n, 2);
	assert_true(times.v[0] == 0 && times.v[1] == 0);
	cb_strlist_release(&urls);
	feed_csaf_times_release(&times);
}

static void
test_provider_keys(void **state)
{
	struct feed_csaf_keys keys = { NULL, 0 };
	struct cb_err err = { "" };
	size_t len;
	char *buf;

	(void)state;
	buf = cb_test_fixture("csaf/oasis-examples/"
			      "example-01-provider-metadata.json", &len);
	if (feed_csaf_parse_provider_keys(buf, len, &keys, &err) != 0)
		fail_msg("%s", err.msg);
	free(buf);
	assert_int_equal(keys.n, 1);
	assert_string_equal(keys.v[0].fingerprint,
	    "8F5F267907B2C4559DB360DB2294BA7D2B2298B1");
	assert_string_equal(keys.v[0].url,
	    "https://keys.example.net/vks/v1/by-fingerprint/"
	    "8F5F267907B2C4559DB360DB2294BA7D2B2298B1");

	/* an empty list replaces what was there */
	buf = cb_test_fixture("csaf/provider-sotttt/provider-metadata.json",
	    &len);
	assert_int_equal(feed_csaf_parse_provider_keys(buf, len, &keys, &err),
	    0);
	free(buf);
	assert_int_equal(keys.n, 0);

	/* lower case is upper-cased; without a fingerprint: "" */
	static const char two[] =
	    "{\"public_openpgp_keys\":["
	    "{\"fingerprint\":\"8f5f267907b2c4559db360db2294ba7d2b2298b1\","
	    "\"url\":\"https://k.example/a.asc\"},"
	    "{\"url\":\"http://k.example/b.asc\"}]}";
	assert_int_equal(feed_csaf_parse_provider_keys(two, strlen(two), &keys,
			     &err),
	    0);
	assert_int_equal(keys.n, 2);
	assert_string_equal(keys.v[0].fingerprint,
	    "8F5F267907B2C4559DB360DB2294BA7D2B2298B1");
	assert_string_equal(keys.v[1].fingerprint, "");
	assert_string_equal(keys.v[1].url, "http://k.example/b.asc");
	assert_int_equal(feed_csaf_parse_provider_keys("{}", 2, &keys, &err),
	    0);
	assert_int_equal(keys.n, 0);
	feed_csaf_keys_release(&keys);
}

static void
test_provider_keys_rejects(void **state)
{
	static const char *const docs[][2] = {
		{ "{\"public_openpgp_keys\":{}}", "is not an array" },
		{ "{\"public_openpgp_keys\":[1]}", "is not an object" },
		{ "{\"public_openpgp_keys\":[{\"url\":\"ftp://k.example/a\"}]}",
		    "[0].url is not an http(s) URL" },
		{ "{\"public_openpgp_keys\":[{}]}",
		    "[0].url is not an http(s) URL" },
		{ "{\"public_openpgp_keys\":[{\"url\":\"https://k.example/a\","
		  "\"fingerprint\":\"8F5F2679\"}]}",
		    "[0].fingerprint is not 40 to 64 hex digits" },
		{ "{\"public_openpgp_keys\":[{\"url\":\"https://k.example/a\","
		  "\"fingerprint\":\"8F5F267907B2C4559DB360DB2294BA7D2B2298BZ\""
		  "}]}",
		    "fingerprint is not" },
		{ "{\"public_openpgp_keys\":[{\"url\":\"https://k.example/a\","
		  "\"fingerprint\":42}]}",
		    "fingerprint is not" },
		{ "[", "provider-metadata" },
	};
	struct feed_csaf_keys keys = { NULL, 0 };
	struct cb_err err = { "" };
	char many[4096] = "{\"public_openpgp_keys\":[";
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		assert_int_equal(feed_csaf_parse_provider_keys(docs[i][0],
				     strlen(docs[i][0]), &keys, &err),
		    -1);
		if (strstr(err.msg, docs[i][1]) == NULL)
			fail_msg("%s: %s", docs[i][0], err.msg);
		assert_int_equal(keys.n, 0);
	}
	for (i = 0; i <= FEED_CSAF_MAX_KEYS; i++)
		strcat(many, i ? ",{\"url\":\"https://k.example/a\"}" :
				 "{\"url\":\"https://k.example/a\"}");
	strcat(many, "]}");
	assert_int_equal(feed_csaf_parse_provider_keys(many, strlen(many),
			     &keys, &err),
	    -1);
	assert_non_null(strstr(err.msg, "more than 16 OpenPGP keys"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_fixture_document),
		cmocka_unit_test(test_bsi_fields),
		cmocka_unit_test(test_tolerant_vietnamese),
		cmocka_unit_test(test_cisa_fields),
		cmocka_unit_test(test_cisco_summary_and_cap),
		cmocka_unit_test(test_default_severity),
		cmocka_unit_test(test_trailing_garbage),
		cmocka_unit_test(test_document_rejects),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_draft_tlp_and_words),
		cmocka_unit_test(test_long_title_cut),
		cmocka_unit_test(test_rolie_cisa_ref_quirk),
		cmocka_unit_test(test_rolie_provider_and_oasis),
		cmocka_unit_test(test_rolie_empty_amber),
		cmocka_unit_test(test_rolie_links_only),
		cmocka_unit_test(test_rolie_rejects),
		cmocka_unit_test(test_provider_rolie),
		cmocka_unit_test(test_provider_directory_and_oasis),
		cmocka_unit_test(test_provider_rejects),
		cmocka_unit_test(test_changes_cisa),
		cmocka_unit_test(test_changes_quoted),
		cmocka_unit_test(test_changes_duplicate),
		cmocka_unit_test(test_changes_gocsaf),
		cmocka_unit_test(test_changes_rejects),
		cmocka_unit_test(test_changes_quoting),
		cmocka_unit_test(test_rolie_and_changes_times),
		cmocka_unit_test(test_provider_keys),
		cmocka_unit_test(test_provider_keys_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
