/*
 * fuzz_html: libFuzzer target for feed_html.  Whatever the bytes, the
 * text must be valid UTF-8, trimmed, and feed_html_plain must agree
 * with it when the input looks like HTML.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cb_mem.h"
#include "cb_utf8.h"
#include "feed_html.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = cb_xstrndup((const char *)data, size);
	char *text = feed_html_to_text(in), *plain = feed_html_plain(in);
	size_t n = strlen(text);

	if (!cb_utf8_valid(text, n))
		abort();
	if (n > 0 &&
	    (text[0] == ' ' || text[0] == '\n' || text[n - 1] == ' ' ||
		text[n - 1] == '\n'))
		abort();
	if (feed_html_detect(in) &&
	    (n > 0 ? plain == NULL || strcmp(plain, text) != 0 : plain != NULL))
		abort();
	free(plain);
	free(text);
	free(in);
	return 0;
}
