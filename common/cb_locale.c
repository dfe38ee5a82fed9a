/* cb_locale: gettext set-up for both programs (cb_locale.h). */
#include <libintl.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "cb_adv.h"
#include "cb_locale.h"
#include "cb_paths.h"
#include "cb_utf8.h"

const char *
cb_locale_dir(void)
{
	const char *env = getenv(CB_LOCALE_ENV);

	return env != NULL && env[0] != '\0' ? env : CB_LOCALEDIR;
}

const char *
cb_locale_word(const char *value)
{
	static const char *const words[] = { N_("critical"), N_("high"),
		N_("medium"), N_("low"), N_("info"), N_("new"), N_("update"),
		N_("cancel"), N_("actual"), N_("exercise"), N_("test"),
		N_("national"), N_("provincial"), N_("yes"), N_("no"),
		N_("advisory"), N_("receipt"), N_("presence"),
		N_("incident report"), N_("broadcast"), N_("requests"),
		N_("local"), N_("down"), N_("silent"), N_("receiving") };
	size_t i;

	for (i = 0; value != NULL && i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(value, words[i]) == 0)
			return dgettext("canhbao", words[i]);
	return value;
}

size_t
cb_locale_severity_cols(void)
{
	size_t w, cols = 8;
	int i;

	for (i = CB_SEV_INFO; i <= CB_SEV_CRITICAL; i++) {
		w = cb_utf8_width(cb_locale_word(cb_severity_name(i)));
		cols = w > cols ? w : cols;
	}
	return cols;
}

void
cb_locale_init(void)
{
	setlocale(LC_ALL, "");
	setlocale(LC_NUMERIC, "C");
	bindtextdomain("canhbao", cb_locale_dir());
	bind_textdomain_codeset("canhbao", "UTF-8");
	textdomain("canhbao");
}
