/*
 * bench_fanout_recv: one light receiver of bench_fanout.  It reads the
 * wire and verifies nothing: what it times is delivery alone.
 *
 *   bench_fanout_recv zmq ENDPOINT COUNT...
 *	a SUB on ENDPOINT subscribed to "adv." and "hb" (a canhbao
 *	publisher's or relay's broadcast, or the bench's own PUB); counts
 *	messages whose topic starts with "adv."
 *   bench_fanout_recv mqtt PORT CLIENT_ID COUNT...
 *	an MQTT client of the broker on 127.0.0.1:PORT, persistent session
 *	(clean session off) under CLIENT_ID, subscribed to "fanout" at
 *	QoS 1; counts its messages
 *
 * On stdout (a pipe shared by all receivers; each line is one write(2),
 * so lines never mix): "ready" once the subscription is known to be in
 * place (zmq: the first "hb" message; mqtt: the SUBACK), then "got
 * COUNT MS" when the count reaches each COUNT given, MS the monotonic
 * clock in milliseconds.  It runs until it is sent SIGTERM.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mosquitto.h>
#include <zmq.h>

#include "parts.h"

#define MAX_MARKS 8

static long marks[MAX_MARKS];
static int nmarks, next_mark;
static long count;
static int ready;

static void
say(const char *line)
{
	size_t len = strlen(line);

	if (write(1, line, len) != (ssize_t)len)
		exit(2);
}

static void
say_ready(void)
{
	if (!ready)
		say("ready\n");
	ready = 1;
}

static void
counted(void)
{
	char line[512];

	count++;
	while (next_mark < nmarks && count >= marks[next_mark]) {
		snprintf(line, sizeof(line), "got %ld %.3f\n",
		    marks[next_mark++], parts_now_ms());
		say(line);
	}
}

/* One message of the SUB: its topic decides, the other frames are read
 * and dropped. */
static void
zmq_one(void *s)
{
	zmq_msg_t m;
	int more;
	size_t len;

	zmq_msg_init(&m);
	if (zmq_msg_recv(&m, s, 0) < 0)
		exit(2);
	len = zmq_msg_size(&m);
	if (len >= 2 && memcmp(zmq_msg_data(&m), "hb", 2) == 0)
		say_ready();
	else if (len >= 4 && memcmp(zmq_msg_data(&m), "adv.", 4) == 0)
		counted();
	more = zmq_msg_more(&m);
	while (more) {
		if (zmq_msg_recv(&m, s, 0) < 0)
			exit(2);
		more = zmq_msg_more(&m);
	}
	zmq_msg_close(&m);
}

static int
run_zmq(const char *ep)
{
	void *ctx = zmq_ctx_new(), *s = zmq_socket(ctx, ZMQ_SUB);
	int hwm = 1000000;

	zmq_setsockopt(s, ZMQ_RCVHWM, &hwm, sizeof(hwm));
	zmq_setsockopt(s, ZMQ_SUBSCRIBE, "adv.", 4);
	zmq_setsockopt(s, ZMQ_SUBSCRIBE, "hb", 2);
	if (zmq_connect(s, ep) < 0) {
		fprintf(stderr, "cannot connect to %s\n", ep);
		return 2;
	}
	for (;;)
		zmq_one(s);
}

static void
on_connect(struct mosquitto *m, void *arg, int rc)
{
	(void)arg;
	if (rc != 0) {
		fprintf(stderr, "mqtt: connection refused (%d)\n", rc);
		exit(2);
	}
	mosquitto_subscribe(m, NULL, "fanout", 1);
}

static void
on_subscribe(struct mosquitto *m, void *arg, int mid, int n,
    const int *qos)
{
	(void)m, (void)arg, (void)mid, (void)n, (void)qos;
	say_ready();
}

static void
on_message(struct mosquitto *m, void *arg, const struct mosquitto_message *msg)
{
	(void)m, (void)arg;
	if (strcmp(msg->topic, "fanout") == 0)
		counted();
}

static int
run_mqtt(int port, const char *id)
{
	struct mosquitto *m;

	mosquitto_lib_init();
	m = mosquitto_new(id, false, NULL);
	if (m == NULL)
		return 2;
	mosquitto_connect_callback_set(m, on_connect);
	mosquitto_subscribe_callback_set(m, on_subscribe);
	mosquitto_message_callback_set(m, on_message);
	if (mosquitto_connect(m, "127.0.0.1", port, 60) != MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "mqtt: cannot connect to port %d\n", port);
		return 2;
	}
	return mosquitto_loop_forever(m, -1, 1) == MOSQ_ERR_SUCCESS ? 0 : 2;
}

static void
read_marks(int argc, char **argv)
{
	int i;

	for (i = 0; i < argc && nmarks < MAX_MARKS; i++)
		marks[nmarks++] = atol(argv[i]);
}

int
main(int argc, char **argv)
{
	if (argc >= 4 && strcmp(argv[1], "zmq") == 0) {
		read_marks(argc - 3, argv + 3);
		return run_zmq(argv[2]);
	}
	if (argc >= 5 && strcmp(argv[1], "mqtt") == 0) {
		read_marks(argc - 4, argv + 4);
		return run_mqtt(atoi(argv[2]), argv[3]);
	}
	fprintf(stderr, "usage: bench_fanout_recv zmq ENDPOINT COUNT...\n"
			"       bench_fanout_recv mqtt PORT CLIENT_ID COUNT...\n");
	return 2;
}
