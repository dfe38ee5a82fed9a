/*
 * sub_hint: the commands the subscriber tells people to run (in a
 * pop-up, on the terminal), written so that they run as printed: the
 * program by the name the shell finds it under (or its full path when
 * that name would find another program or none), the real state folder
 * and advisory id, every argument quoted for the shell where it needs it.
 */
#ifndef SUB_HINT_H
#define SUB_HINT_H

/* s as one shell word: as it is when it holds only characters the
 * shell takes literally, else in single quotes ('\'' for a quote).
 * The caller frees it. */
char *sub_hint_quote(const char *s);

/* The program to name: "canhbao-sub" when PATH finds this very program
 * under that name, else its absolute path.  Computed once; not freed. */
const char *sub_hint_program(void);

/* "canhbao-sub ack --state STATE ID --by BY", "canhbao-sub show --state
 * STATE ID", "canhbao-sub list --state STATE --unread": state NULL
 * leaves --state out.  The caller frees them. */
char *sub_hint_ack(const char *state, const char *id, const char *by);
char *sub_hint_show(const char *state, const char *id);
char *sub_hint_unread(const char *state);

/* The name to acknowledge as when none is configured: the login name of
 * the user the daemon runs as ("operator" when there is none).  The
 * caller frees it. */
char *sub_hint_login(void);

#endif
