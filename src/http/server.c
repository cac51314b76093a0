/*
 * server.c - `yunwei serve`: worker threads, each with its own h2o event
 * loop and its own database connection (like nginx's workers), sharing
 * one listening socket.
 *
 * Shutdown: the main thread waits for SIGINT/SIGTERM with sigwait(), then
 * writes to each worker's wake pipe. A worker stops accepting, lets the
 * loop run until its open connections have drained (or a grace period
 * passes) and closes its database connection.
 */
#include "../core/yw.h"
#include "../core/log.h"
#include "../core/ytime.h"
#include "../store/db.h"
#include "http.h"
#include "web.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>

struct worker {
	h2o_context_t ctx;         /* first: handlers find the worker from req->conn->ctx */
	h2o_accept_ctx_t accept_ctx;
	struct db *db;
	int listen_fd;
	int wake[2];
	h2o_socket_t *listener;
	h2o_socket_t *waker;
	volatile int stopping;
	pthread_t thread;
	const struct http_server_opts *opts;
};

struct api_handler {
	h2o_handler_t super;
};

static h2o_globalconf_t config;
char http_data_dir[4096] = ".";
bool http_tls_proxy;

/*
 * Open connections, over all workers: each holds at most one body
 * (HTTP_BODY_MAX) in flight, so this bounds the memory bodies take.
 * Counted up on accept, down by the socket's on_close.
 */
static int conns_open, conns_max;

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
	struct worker *w = (struct worker *)req->conn->ctx;

	if (http_framing_refuse(req))
		return 0;
	if (h2o_memis(req->path_normalized.base, req->path_normalized.len < 5 ? 0 : 5, H2O_STRLIT("/api/")))
		return http_api_handle(req, w->db);
	return web_handle(req, w->opts->web_root);
}

static void on_conn_close(void *data)
{
	(void)data;
	__atomic_sub_fetch(&conns_open, 1, __ATOMIC_RELAXED);
}

static void on_busy_sent(h2o_socket_t *sock, const char *err)
{
	(void)err;
	h2o_socket_close(sock);
}

/* Over the limit: a short 503 and the connection closed, without reading a byte. */
static void refuse_busy(h2o_socket_t *sock)
{
	static h2o_iovec_t busy = { H2O_STRLIT("HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n"
					      "Content-Type: text/plain\r\nRetry-After: 1\r\nContent-Length: 12\r\n\r\n"
					      "server busy\n") };

	h2o_socket_write(sock, &busy, 1, on_busy_sent);
}

static void on_accept(h2o_socket_t *listener, const char *err)
{
	struct worker *w = listener->data;
	h2o_socket_t *sock;

	if (err)
		return;
	if ((sock = h2o_evloop_socket_accept(listener)) == NULL)
		return;
	if (__atomic_add_fetch(&conns_open, 1, __ATOMIC_RELAXED) > conns_max) {
		__atomic_sub_fetch(&conns_open, 1, __ATOMIC_RELAXED);
		refuse_busy(sock);
		return;
	}
	sock->on_close.cb = on_conn_close;
	sock->on_close.data = NULL;
	h2o_accept(&w->accept_ctx, sock);
}

static void on_wake(h2o_socket_t *sock, const char *err)
{
	struct worker *w = sock->data;

	w->stopping = 1;
	h2o_buffer_consume(&sock->input, sock->input->size);
}

static bool has_connections(struct worker *w)
{
	return !h2o_linklist_is_empty(&w->ctx.http1._conns) ||
	       !h2o_linklist_is_empty(&w->ctx.http2._conns);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	h2o_evloop_t *loop = h2o_evloop_create();
	int64_t deadline;

	h2o_context_init(&w->ctx, loop, &config);
	http_batch_thread_init(&w->ctx, w->db);
	w->accept_ctx.ctx = &w->ctx;
	w->accept_ctx.hosts = config.hosts;
	w->listener = h2o_evloop_socket_create(loop, w->listen_fd, H2O_SOCKET_FLAG_DONT_READ);
	w->listener->data = w;
	h2o_socket_read_start(w->listener, on_accept);
	w->waker = h2o_evloop_socket_create(loop, w->wake[0], 0);
	w->waker->data = w;
	h2o_socket_read_start(w->waker, on_wake);

	while (!w->stopping)
		h2o_evloop_run(loop, INT32_MAX);

	/* stop accepting; let requests in flight finish and their responses drain */
	h2o_socket_read_stop(w->listener);
	h2o_socket_close(w->listener);
	w->ctx.shutdown_requested = 1;
	/*
	 * h2o 2.2 closes an idle keep-alive connection only when its request
	 * timeout fires, and reads the timeout's length when it checks: with
	 * zero, idle connections close on the next turn instead of holding
	 * the shutdown for the whole grace period.
	 */
	w->ctx.http1.req_timeout.timeout = 0;
	w->ctx.http2.idle_timeout.timeout = 0;
	deadline = yw_now_ms() + 2000;
	while (has_connections(w) && yw_now_ms() < deadline)
		h2o_evloop_run(loop, 50);
	/* a write handed to another worker's batch comes back to this loop */
	while (http_batch_inflight())
		h2o_evloop_run(loop, 50);
	h2o_socket_close(w->waker);
	/*
	 * Release the loop and the context, so that a leak checker run on
	 * the server (make test-asan) sees only real leaks: closed sockets
	 * are freed by the next turn of the loop, then the context's timers
	 * must be gone before the loop is destroyed. A connection still open
	 * after the grace period (an idle keep-alive one: h2o 2.2 closes
	 * those only at their request timeout) holds timers that
	 * h2o_context_dispose() asserts are gone, so then the process exit
	 * releases everything instead.
	 */
	h2o_evloop_run(loop, 0);
	http_read_end();
	http_batch_thread_done();
	if (has_connections(w)) {
		yw_log_info("worker stopping with connections still open");
		http_api_thread_done();
		return NULL;
	}
	h2o_context_dispose(&w->ctx);
	h2o_evloop_run(loop, 0);
	h2o_evloop_destroy(loop);
	http_api_thread_done();
	return NULL;
}

static int listen_on(const char *addr, char *actual, size_t actual_size, struct yw_err *err)
{
	char host[64];
	const char *colon = strrchr(addr, ':');
	struct sockaddr_in sin;
	int fd, one = 1;
	long port;
	char *end;

	if (!colon || colon == addr || (size_t)(colon - addr) >= sizeof(host))
		return yw_errf(err, YW_EINVAL, "listen", "--listen must be ADDR:PORT, e.g. 127.0.0.1:8080");
	memcpy(host, addr, colon - addr);
	host[colon - addr] = '\0';
	port = strtol(colon + 1, &end, 10);
	if (*end || port < 0 || port > 65535)
		return yw_errf(err, YW_EINVAL, "listen", "bad port in --listen %s", addr);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &sin.sin_addr) != 1)
		return yw_errf(err, YW_EINVAL, "listen", "bad IPv4 address in --listen %s", addr);
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return yw_errf(err, YW_EIO, "listen", "socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) || listen(fd, SOMAXCONN)) {
		yw_errf(err, YW_EIO, "listen", "cannot listen on %s: %s", addr, strerror(errno));
		close(fd);
		return YW_EIO;
	}
	/* with port 0 the kernel picks one; tests read it from the log line */
	socklen_t slen = sizeof(sin);
	getsockname(fd, (struct sockaddr *)&sin, &slen);
	snprintf(actual, actual_size, "%s:%u", host, ntohs(sin.sin_port));
	return fd;
}

int http_serve(const struct http_server_opts *opts, struct yw_err *err)
{
	struct worker *workers;
	sigset_t sigs;
	int fd, nthreads = opts->threads, sig, rc = 0;

	if (nthreads <= 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		nthreads = n < 1 ? 1 : n > 16 ? 16 : (int)n;
	}
	char addr[96];

	if ((fd = listen_on(opts->listen, addr, sizeof(addr), err)) < 0)
		return fd;
	{
		const char *slash = strrchr(opts->db_path, '/');
		if (slash)
			snprintf(http_data_dir, sizeof(http_data_dir), "%.*s",
				 (int)(slash == opts->db_path ? 1 : slash - opts->db_path), opts->db_path);
	}

	h2o_config_init(&config);
	config.server_name = h2o_iovec_init(H2O_STRLIT("yunwei"));
	config.max_request_entity_size = HTTP_BODY_MAX;
	/* the Upgrade: h2c header and the "PRI * HTTP/2" preface alike */
	config.http1.upgrade_to_http2 = opts->h2c;
	conns_max = opts->max_conns > 0 ? opts->max_conns : HTTP_MAX_CONNS;
	http_tls_proxy = opts->tls_proxy;
	h2o_hostconf_t *host = h2o_config_register_host(&config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
	h2o_pathconf_t *path = h2o_config_register_path(host, "/", 0);
	struct api_handler *handler = (void *)h2o_create_handler(path, sizeof(*handler));
	handler->super.on_req = on_req;
	web_register(path);

	/* the workers inherit this mask; only the main thread takes the signals */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	workers = yw_calloc(nthreads, sizeof(*workers));
	for (int i = 0; i < nthreads; i++) {
		struct worker *w = &workers[i];
		w->opts = opts;
		if ((rc = db_open(&w->db, opts->db_path, err)) || (rc = db_defer_checkpoints(w->db, err)))
			goto out;
		if (pipe2(w->wake, O_CLOEXEC | O_NONBLOCK)) {
			rc = yw_errf(err, YW_EIO, "", "pipe: %s", strerror(errno));
			goto out;
		}
		w->listen_fd = i == 0 ? fd : dup(fd);
		fcntl(w->listen_fd, F_SETFL, O_NONBLOCK);
	}
	if ((rc = http_batch_start(opts->db_path, err)))
		goto out;
	for (int i = 0; i < nthreads; i++)
		pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]);
	yw_log_info("yunwei %s serving http://%s with %d workers, database %s", YW_VERSION,
		    addr, nthreads, opts->db_path);
	yw_log_info("at most %d connections, bodies of at most %u KiB each%s", conns_max,
		    HTTP_BODY_MAX >> 10, opts->h2c ? ", cleartext HTTP/2 on" : "");

	/*
	 * The main thread waits for the stop signal. Checkpoints, the search
	 * index's catching up and the expiry of uploads are background jobs
	 * (src/jobs/jobs.h), started beside the server by `yunwei serve`.
	 */
	do
		sig = sigwaitinfo(&sigs, NULL);
	while (sig != SIGINT && sig != SIGTERM);
	yw_log_info("received %s, shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
	for (int i = 0; i < nthreads; i++)
		if (write(workers[i].wake[1], "x", 1) < 0)
			yw_log_error("cannot wake worker %d: %s", i, strerror(errno));
	for (int i = 0; i < nthreads; i++)
		pthread_join(workers[i].thread, NULL);
	yw_log_info("stopped");
out:
	http_batch_stop();
	for (int i = 0; i < nthreads; i++) {
		db_close(workers[i].db);
		if (workers[i].wake[1] > 0)
			close(workers[i].wake[1]);
	}
	free(workers);
	h2o_config_dispose(&config);
	return rc;
}
