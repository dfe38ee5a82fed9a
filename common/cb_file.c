/* cb_file: bounded whole-file I/O and private folders (see cb_file.h). */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cb_file.h"
#include "cb_locale.h"
#include "cb_mem.h"

/* 1 with err when a secret file is not private to us: another owner
 * (which chmod cannot fix) is named before the mode. */
static int
secret_refused(const char *path, const struct stat *st, struct cb_err *err)
{
	if (st->st_uid != geteuid()) {
		cb_err_set(err, _("secret file '%s' is owned by uid %lu, not "
				  "by you (uid %lu)"),
		    path, (unsigned long)st->st_uid, (unsigned long)geteuid());
		return 1;
	}
	if ((st->st_mode & 077) != 0) {
		cb_err_set(err, _("secret file '%s' is accessible by others "
		    "(mode %03o); run chmod 600 '%s'"), path,
		    (unsigned)(st->st_mode & 0777), path);
		return 1;
	}
	return 0;
}

static char *
read_checked(const char *path, size_t max, int nofollow, int secret,
    size_t *lenp, struct cb_err *err)
{
	struct stat st;
	char *buf;
	size_t len = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0));
	if (fd < 0) {
		cb_err_setsys(err, _("cannot open '%s'"), path);
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		cb_err_set(err, _("'%s' is not a regular file"), path);
		close(fd);
		return NULL;
	}
	if (secret && secret_refused(path, &st, err)) {
		close(fd);
		return NULL;
	}
	if ((size_t)st.st_size > max) {
		cb_err_set(err, _("'%s' is %lld bytes, more than the limit of "
		    "%zu"), path, (long long)st.st_size, max);
		close(fd);
		return NULL;
	}
	buf = cb_xmalloc((size_t)st.st_size + 1);
	while (len < (size_t)st.st_size) {
		n = read(fd, buf + len, (size_t)st.st_size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (len != (size_t)st.st_size) {
		cb_err_set(err, _("short read on '%s'"), path);
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	if (lenp != NULL)
		*lenp = len;
	return buf;
}

char *
cb_file_read(const char *path, size_t max, int nofollow, size_t *lenp,
    struct cb_err *err)
{
	return read_checked(path, max, nofollow, 0, lenp, err);
}

char *
cb_file_read_fd(int fd, const char *name, size_t max, size_t *lenp,
    struct cb_err *err)
{
	char *buf = cb_xmalloc(max + 2);
	size_t len = 0;
	ssize_t n;

	/* One byte more than max, to tell "exactly max" from "more". */
	while (len <= max) {
		n = read(fd, buf + len, max + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			cb_err_setsys(err, _("cannot read %s"), name);
			free(buf);
			return NULL;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > max || memchr(buf, '\0', len) != NULL) {
		if (len > max)
			cb_err_set(err, _("%s is more than the limit of %zu "
			    "bytes"), name, max);
		else
			cb_err_set(err, _("%s holds a NUL byte"), name);
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	if (lenp != NULL)
		*lenp = len;
	return buf;
}

char *
cb_file_read_secret(const char *path, size_t max, size_t *lenp,
    struct cb_err *err)
{
	return read_checked(path, max, 1, 1, lenp, err);
}

static int
write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
write_fd(int fd, const char *path, const void *data, size_t len, int sync,
    struct cb_err *err)
{
	if (write_all(fd, data, len) < 0 || (sync && fsync(fd) < 0)) {
		cb_err_setsys(err, _("cannot write '%s'"), path);
		close(fd);
		return -1;
	}
	if (close(fd) < 0)
		return cb_err_setsys(err, _("cannot write '%s'"), path);
	return 0;
}

int
cb_file_write_new(const char *path, const void *data, size_t len,
    mode_t mode, struct cb_err *err)
{
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    mode);
	if (fd < 0) {
		if (errno == EEXIST)
			return cb_err_set(err, _("'%s' already exists; "
			    "refusing to overwrite it"), path);
		return cb_err_setsys(err, _("cannot create '%s'"), path);
	}
	if (fchmod(fd, mode) < 0) {
		close(fd);
		return cb_err_setsys(err, _("cannot chmod '%s'"), path);
	}
	if (write_fd(fd, path, data, len, 1, err) < 0) {
		unlink(path);
		return -1;
	}
	return 0;
}

static int
write_atomic(const char *path, const void *data, size_t len, mode_t mode,
    int sync, struct cb_err *err)
{
	char *tmp = cb_xasprintf("%s.tmp.%ld", path, (long)getpid());
	int fd, rc = -1;

	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    mode);
	if (fd < 0) {
		/* The temporary file is ours; the user named path. */
		cb_err_setsys(err, _("cannot create '%s'"), path);
		goto out;
	}
	if (write_fd(fd, path, data, len, sync, err) < 0) {
		unlink(tmp);
		goto out;
	}
	if (rename(tmp, path) < 0) {
		cb_err_setsys(err, _("cannot create '%s'"), path);
		unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	free(tmp);
	return rc;
}

int
cb_file_write_atomic(const char *path, const void *data, size_t len,
    mode_t mode, struct cb_err *err)
{
	return write_atomic(path, data, len, mode, 1, err);
}

int
cb_file_replace(const char *path, const void *data, size_t len, mode_t mode,
    struct cb_err *err)
{
	return write_atomic(path, data, len, mode, 0, err);
}

int
cb_file_write_signed(const char *path, const void *data, size_t len,
    const char *minisig, struct cb_err *err)
{
	char *sigpath;
	int rc;

	if (cb_file_write_atomic(path, data, len, 0644, err) < 0)
		return -1;
	sigpath = cb_xasprintf("%s.minisig", path);
	rc = cb_file_write_atomic(sigpath, minisig, strlen(minisig), 0644,
	    err);
	free(sigpath);
	if (rc < 0)
		unlink(path);
	return rc;
}

/* mkdir -p for the folders above dir (made with the usual mode). */
static int
make_parents(const char *dir, struct cb_err *err)
{
	char *path = cb_xstrdup(dir), *p;
	int rc = 0;

	for (p = path + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST) {
			rc = cb_err_setsys(err, _("cannot create folder '%s'"),
			    path);
			break;
		}
		*p = '/';
	}
	free(path);
	return rc;
}

int
cb_file_private_dir(const char *dir, int create, struct cb_err *err)
{
	struct stat st;

	if (create && make_parents(dir, err) < 0)
		return -1;
	if (create && mkdir(dir, 0700) < 0 && errno != EEXIST)
		return cb_err_setsys(err, _("cannot create folder '%s'"), dir);
	if (lstat(dir, &st) < 0)
		return cb_err_setsys(err, _("cannot use state folder '%s'"),
		    dir);
	if (!S_ISDIR(st.st_mode))
		return cb_err_set(err, _("'%s' is not a folder"), dir);
	if (st.st_uid != geteuid())
		return cb_err_set(err, _("state folder '%s' belongs to another "
		    "user"), dir);
	if ((st.st_mode & 077) != 0)
		return cb_err_set(err, _("state folder '%s' is accessible by "
		    "group or others (mode %03o); run chmod 700 '%s'"), dir,
		    (unsigned)(st.st_mode & 0777), dir);
	return 0;
}

int
cb_file_lock(const char *path, struct cb_err *err)
{
	int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0)
		return cb_err_setsys(err, _("cannot open lock '%s'"), path);
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		close(fd);
		if (errno == EWOULDBLOCK)
			return cb_err_set(err, _("another daemon is already "
			    "running on this state folder ('%s' is locked)"),
			    path);
		return cb_err_setsys(err, _("cannot lock '%s'"), path);
	}
	return fd;
}

int
cb_file_locked(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), held = 0;

	if (fd < 0)
		return 0;
	if (flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK)
		held = 1;
	close(fd);
	return held;
}
