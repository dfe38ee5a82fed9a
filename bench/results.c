/*
 * results: merge a benchmark's figures into build/bench/results.json.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_err.h"
#include "cb_file.h"
#include "cb_mem.h"
#include "results.h"

static cJSON *pending;

static cJSON *pending_root(void)
{
	if (pending == NULL)
		pending = cJSON_CreateObject();
	if (pending == NULL)
		cb_oom(0);
	return pending;
}

static void replace(cJSON *obj, const char *key, cJSON *value)
{
	if (cJSON_GetObjectItemCaseSensitive(obj, key) != NULL)
		cJSON_ReplaceItemInObjectCaseSensitive(obj, key, value);
	else
		cJSON_AddItemToObject(obj, key, value);
}

void results_number(const char *key, double value)
{
	replace(pending_root(), key, cJSON_CreateNumber(value));
}

void results_set_in(const char *obj, const char *key, cJSON *value)
{
	cJSON *o = cJSON_GetObjectItemCaseSensitive(pending_root(), obj);

	if (o == NULL) {
		o = cJSON_CreateObject();
		cJSON_AddItemToObject(pending_root(), obj, o);
	}
	replace(o, key, value);
}

static const char *results_path(void)
{
	const char *p = getenv("CANHBAO_BENCH_RESULTS");

	return p != NULL && *p != '\0' ? p : "build/bench/results.json";
}

/* Merge src into dst: objects key by key (one level down too), the
 * rest replaced. */
static void merge(cJSON *dst, const cJSON *src)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, src) {
		cJSON *old = cJSON_GetObjectItemCaseSensitive(dst, it->string);

		if (old != NULL && cJSON_IsObject(old) && cJSON_IsObject(it))
			merge(old, it);
		else
			replace(dst, it->string,
			    cJSON_Duplicate(it, cJSON_True));
	}
}

int results_save(void)
{
	const char *path = results_path();
	struct cb_err err;
	char *text, *out;
	size_t len = 0;
	cJSON *root = NULL;

	text = cb_file_read(path, 16 * 1024 * 1024, 0, &len, &err);
	if (text != NULL)
		root = cJSON_Parse(text);
	free(text);
	if (root == NULL || !cJSON_IsObject(root)) {
		cJSON_Delete(root);
		root = cJSON_CreateObject();
	}
	merge(root, pending_root());
	out = cJSON_Print(root);
	cJSON_Delete(root);
	if (out == NULL)
		cb_oom(0);
	if (cb_file_write_atomic(path, out, strlen(out), 0644, &err) < 0) {
		fprintf(stderr, "bench: %s\n", err.msg);
		free(out);
		return -1;
	}
	free(out);
	printf("figures merged into %s\n", path);
	return 0;
}
