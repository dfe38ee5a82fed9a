/* cb_locale: gettext set-up for both programs (cb_locale.h). */
#include <libintl.h>
#include <locale.h>
#include <stdlib.h>

#include "cb_locale.h"
#include "cb_paths.h"

const char *
cb_locale_dir(void)
{
	const char *env = getenv(CB_LOCALE_ENV);

	return env != NULL && env[0] != '\0' ? env : CB_LOCALEDIR;
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
