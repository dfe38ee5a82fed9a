/* cb_hook: configured programs run for events, no shell (cb_hook.h). */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cb_hook.h"
#include "cb_log.h"
#include "cb_mem.h"
#include "cb_time.h"

extern char **environ;

#define BACKOFF_MS 5000
#define BACKOFF_MAX_MS 300000

struct cb_hook_job {
	struct cb_hook_job *next;
	char *input;
	size_t input_len;
	char *env[CB_HOOK_ENV_MAX + 1]; /* NAME=value, NULL-terminated */
	char label[128];
	int runs;           /* started so far */
	int64_t not_before; /* monotonic ms */
	pid_t pid;          /* > 0 while running */
	int64_t deadline;
	int timed_out;
};

struct cb_hook {
	char what[32];
	char *program;
	int timeout_s, retries;
	struct cb_hook_job *queue; /* waiting, oldest first */
	size_t queued;
	struct cb_hook_job *running[CB_HOOK_PARALLEL];
};

struct cb_hook *
cb_hook_new(const char *what, const char *program, int timeout_s,
    int retries, struct cb_err *err)
{
	struct cb_hook *h;
	struct stat st;

	if (stat(program, &st) < 0)
		return cb_err_setsys(err, "%s '%s'", what, program), NULL;
	if (!S_ISREG(st.st_mode) || access(program, X_OK) < 0)
		return cb_err_set(err, "%s '%s' is not an executable file",
		    what, program), NULL;
	h = cb_xcalloc(1, sizeof(*h));
	snprintf(h->what, sizeof(h->what), "%s", what);
	h->program = cb_xstrdup(program);
	h->timeout_s = timeout_s;
	h->retries = retries;
	return h;
}

static void
job_free(struct cb_hook_job *j)
{
	size_t i;

	if (j == NULL)
		return;
	for (i = 0; j->env[i] != NULL; i++)
		free(j->env[i]);
	free(j->input);
	free(j);
}

void
cb_hook_free(struct cb_hook *h)
{
	struct cb_hook_job *j;
	size_t i;

	if (h == NULL)
		return;
	for (i = 0; i < CB_HOOK_PARALLEL; i++) {
		if ((j = h->running[i]) == NULL)
			continue;
		kill(-j->pid, SIGKILL);
		waitpid(j->pid, NULL, 0);
		job_free(j);
	}
	while ((j = h->queue) != NULL) {
		h->queue = j->next;
		job_free(j);
	}
	free(h->program);
	free(h);
}

struct cb_hook_job *
cb_hook_job_new(const char *label, const void *input, size_t len)
{
	struct cb_hook_job *j = cb_xcalloc(1, sizeof(*j));

	snprintf(j->label, sizeof(j->label), "%s", label);
	j->input = cb_xmalloc(len + 1);
	memcpy(j->input, input, len);
	j->input_len = len;
	return j;
}

void
cb_hook_job_env(struct cb_hook_job *j, const char *name, const char *value)
{
	size_t i = 0;

	while (j->env[i] != NULL)
		i++;
	if (i < CB_HOOK_ENV_MAX)
		j->env[i] = cb_xasprintf("%s=%s", name, value ? value : "");
}

/* Our environment without CANHBAO_*, then the job's. */
static char **
job_envp(const struct cb_hook_job *j)
{
	size_t n = 0, k = 0, i;
	char **envp;

	while (environ[n] != NULL)
		n++;
	envp = cb_xcalloc(n + CB_HOOK_ENV_MAX + 1, sizeof(*envp));
	for (i = 0; i < n; i++)
		if (strncmp(environ[i], "CANHBAO_", 8) != 0)
			envp[k++] = environ[i];
	for (i = 0; j->env[i] != NULL; i++)
		envp[k++] = j->env[i];
	return envp;
}

/* The input as an unlinked temporary file, read from its start: any
 * size, and the daemon never waits on a pipe. */
static FILE *
job_input(const struct cb_hook_job *j)
{
	FILE *f = tmpfile();

	if (f == NULL)
		return NULL;
	fcntl(fileno(f), F_SETFD, FD_CLOEXEC); /* stdin only, by dup2 */
	if (fwrite(j->input, 1, j->input_len, f) != j->input_len ||
	    fflush(f) != 0 || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return NULL;
	}
	return f;
}

/* The program alone in argv, no shell, its own process group (a
 * time-out kills whatever it started), default signals, the input on
 * stdin, its stdout to our stderr (the log).  0 or an errno. */
static int
spawn(struct cb_hook *h, struct cb_hook_job *j)
{
	char *argv[2] = { h->program, NULL }, **envp;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, dfl;
	FILE *in = job_input(j);
	int rc;

	if (in == NULL)
		return errno ? errno : EIO;
	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	sigaddset(&dfl, SIGINT);
	sigaddset(&dfl, SIGTERM);
	sigaddset(&dfl, SIGHUP);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fileno(in), 0);
	posix_spawn_file_actions_adddup2(&fa, 2, 1);
	posix_spawnattr_init(&at);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP |
	    POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &dfl);
	envp = job_envp(j);
	rc = posix_spawn(&j->pid, h->program, &fa, &at, argv, envp);
	free(envp);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	fclose(in);
	if (rc != 0)
		j->pid = 0;
	return rc;
}

static void
enqueue(struct cb_hook *h, struct cb_hook_job *j)
{
	struct cb_hook_job **p = &h->queue;

	while (*p != NULL)
		p = &(*p)->next;
	j->next = NULL;
	*p = j;
	h->queued++;
}

/* A run failed (why): try again later, or give up. */
static void
failed(struct cb_hook *h, struct cb_hook_job *j, const char *why)
{
	int64_t delay = BACKOFF_MS;
	int i;

	if (j->runs > h->retries) {
		log_warnx("%s %s for %s: %s; giving up after %d runs", h->what,
		    h->program, j->label, why, j->runs);
		job_free(j);
		return;
	}
	for (i = 1; i < j->runs && delay < BACKOFF_MAX_MS; i++)
		delay *= 2;
	if (delay > BACKOFF_MAX_MS)
		delay = BACKOFF_MAX_MS;
	log_warnx("%s %s for %s: %s (run %d of %d); trying again in %lld s",
	    h->what, h->program, j->label, why, j->runs, h->retries + 1,
	    (long long)(delay / 1000));
	j->not_before = cb_time_mono_ms() + delay;
	enqueue(h, j);
}

static void
start(struct cb_hook *h, struct cb_hook_job *j, size_t slot)
{
	char why[128];
	int rc;

	j->runs++;
	j->timed_out = 0;
	rc = spawn(h, j);
	if (rc != 0) {
		snprintf(why, sizeof(why), "cannot run: %s", strerror(rc));
		failed(h, j, why);
		return;
	}
	j->deadline = cb_time_mono_ms() + (int64_t)h->timeout_s * 1000;
	h->running[slot] = j;
	log_debug("%s %s for %s started (pid %ld, run %d)", h->what,
	    h->program, j->label, (long)j->pid, j->runs);
}

/* Start waiting runs whose time has come, while slots are free. */
static void
start_ready(struct cb_hook *h)
{
	int64_t now = cb_time_mono_ms();
	struct cb_hook_job **p = &h->queue, *j;
	size_t slot;

	for (slot = 0; slot < CB_HOOK_PARALLEL && *p != NULL; slot++) {
		if (h->running[slot] != NULL)
			continue;
		while (*p != NULL && (*p)->not_before > now)
			p = &(*p)->next;
		if (*p == NULL)
			break;
		j = *p;
		*p = j->next;
		h->queued--;
		start(h, j, slot);
	}
}

/* Reap the run in slot if it ended; kill it past its deadline. */
static void
check(struct cb_hook *h, size_t slot)
{
	struct cb_hook_job *j = h->running[slot];
	char why[96];
	int status;
	pid_t r = waitpid(j->pid, &status, WNOHANG);

	if (r == 0) {
		if (!j->timed_out && cb_time_mono_ms() > j->deadline) {
			j->timed_out = 1;
			kill(-j->pid, SIGKILL);
			kill(j->pid, SIGKILL);
		}
		return;
	}
	h->running[slot] = NULL;
	if (r > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
	    !j->timed_out) {
		log_debug("%s %s for %s succeeded", h->what, h->program,
		    j->label);
		job_free(j);
		return;
	}
	if (j->timed_out)
		snprintf(why, sizeof(why), "timed out after %d s, killed",
		    h->timeout_s);
	else if (r < 0)
		snprintf(why, sizeof(why), "lost: %s", strerror(errno));
	else if (WIFEXITED(status))
		snprintf(why, sizeof(why), "exit status %d",
		    WEXITSTATUS(status));
	else
		snprintf(why, sizeof(why), "killed by signal %d",
		    WTERMSIG(status));
	failed(h, j, why);
}

void
cb_hook_submit(struct cb_hook *h, struct cb_hook_job *j)
{
	if (h->queued >= CB_HOOK_QUEUE) {
		log_warnx("%s %s: %zu runs waiting already; not run for %s",
		    h->what, h->program, h->queued, j->label);
		job_free(j);
		return;
	}
	enqueue(h, j);
	start_ready(h);
}

void
cb_hook_tick(struct cb_hook *h)
{
	size_t slot;

	if (h == NULL)
		return;
	for (slot = 0; slot < CB_HOOK_PARALLEL; slot++)
		if (h->running[slot] != NULL)
			check(h, slot);
	start_ready(h);
}

size_t
cb_hook_busy(const struct cb_hook *h)
{
	size_t n = h->queued, slot;

	for (slot = 0; slot < CB_HOOK_PARALLEL; slot++)
		n += h->running[slot] != NULL;
	return n;
}
