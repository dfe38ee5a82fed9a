/*
 * pub_web_assets: the duty officer's page (the files in publisher/web), built into
 * the program: the Makefile writes the table from the files with
 * publisher/embed-assets.sh, so nothing is installed or read at run time.
 */
#ifndef PUB_WEB_ASSETS_H
#define PUB_WEB_ASSETS_H

#include <stddef.h>

struct pub_web_asset {
	const char *path;         /* "/app.js"; index.html is also "/" */
	const char *content_type;
	const unsigned char *data;
	size_t len;
};

/* Ends with an entry whose path is NULL. */
extern const struct pub_web_asset pub_web_assets[];

#endif
