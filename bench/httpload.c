/* HTTP/1.1 load for bench/api_load.py, as wrk would give it: GET `path` over `clients` keep-alive
 * connections for `seconds`. One thread, epoll, no parsing beyond the status line and
 * Content-Length, so that the load generator takes a few microseconds of CPU per request instead
 * of the ~50 an asyncio client takes on the same two cores as the API and PostgreSQL.
 *
 *     httpload PORT PATH CLIENTS SECONDS ENCODING LATENCIES [RATE]
 *
 * Without RATE, a closed loop: each connection sends again as soon as the whole answer is in, and
 * a latency runs from the send. With RATE, an open loop: a request falls due every 1/RATE s and
 * goes out on whichever connection is idle (waiting for one when none is), and its latency runs
 * from when it fell due, so the server's stalls count in full (no coordinated omission).
 *
 * Writes each request's latency in nanoseconds (native uint64) to the file LATENCIES and prints
 * "<requests> <non-200 answers>" on stdout. Exits non-zero, with a message, on any socket error
 * or an answer it cannot read (no Content-Length, chunked, a closed connection). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct client {
    int fd;
    char *buffer;
    size_t capacity, used;
    uint64_t started; /* when the request in flight was sent (closed loop) or fell due (open loop) */
    int busy;
    int reopened; /* times the request in flight found its connection closed */
};

static uint64_t *latencies;
static size_t latency_count, latency_capacity;

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void fail(const char *what) {
    perror(what);
    exit(2);
}

static void record(uint64_t latency) {
    if (latency_count == latency_capacity) {
        latency_capacity = latency_capacity ? latency_capacity * 2 : 65536;
        latencies = realloc(latencies, latency_capacity * sizeof *latencies);
        if (!latencies) fail("realloc");
    }
    latencies[latency_count++] = latency;
}

static void connect_client(struct client *c, const struct sockaddr_in *address, int epoll) {
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (c->fd < 0) fail("socket");
    if (connect(c->fd, (const struct sockaddr *)address, sizeof *address) < 0) fail("connect");
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c->used = 0;
    struct epoll_event event = {.events = EPOLLIN, .data.ptr = c};
    if (epoll_ctl(epoll, EPOLL_CTL_ADD, c->fd, &event) < 0) fail("epoll_ctl");
}

/* Sends the request; 0 if the server had closed the connection (the caller opens another). */
static int try_send(struct client *c, const char *request, size_t length) {
    size_t sent = 0;
    while (sent < length) {
        ssize_t n = send(c->fd, request + sent, length - sent, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EPIPE || errno == ECONNRESET) return 0;
            fail("send");
        }
        sent += (size_t)n;
    }
    return 1;
}

static void send_request(struct client *c, const char *request, size_t length, uint64_t started,
                         const struct sockaddr_in *address, int epoll) {
    c->started = started;
    c->busy = 1;
    while (!try_send(c, request, length)) {
        if (++c->reopened > 3) {
            fprintf(stderr, "httpload: the server closed the connection of one request 4 times\n");
            exit(2);
        }
        close(c->fd);
        connect_client(c, address, epoll);
    }
}

/* The length of the whole answer at the front of c->buffer, or 0 while it is incomplete. */
static size_t answer_length(const struct client *c, int *status_ok) {
    const char *end = memmem(c->buffer, c->used, "\r\n\r\n", 4);
    if (!end) return 0;
    size_t head = (size_t)(end - c->buffer) + 4;
    size_t body = (size_t)-1;
    for (const char *line = c->buffer; line < end;) {
        const char *next = memmem(line, (size_t)(end - line) + 2, "\r\n", 2);
        if (!next) break;
        if (next - line > 15 && strncasecmp(line, "content-length:", 15) == 0) body = strtoull(line + 15, NULL, 10);
        line = next + 2;
    }
    if (body == (size_t)-1) {
        fprintf(stderr, "httpload: an answer without Content-Length: %.*s\n", (int)head, c->buffer);
        exit(2);
    }
    *status_ok = c->used >= 12 && memcmp(c->buffer, "HTTP/1.1 200", 12) == 0;
    return c->used >= head + body ? head + body : 0;
}

int main(int argc, char **argv) {
    if (argc != 7 && argc != 8) {
        fprintf(stderr, "usage: httpload PORT PATH CLIENTS SECONDS ENCODING LATENCIES [RATE]\n");
        return 2;
    }
    int port = atoi(argv[1]), clients = atoi(argv[3]);
    double seconds = atof(argv[4]), rate = argc == 8 ? atof(argv[7]) : 0;
    if (port <= 0 || port > 65535 || clients <= 0 || seconds <= 0 || (argc == 8 && rate <= 0)) {
        fprintf(stderr, "httpload: PORT, CLIENTS, SECONDS and RATE must be positive\n");
        return 2;
    }
    char request[4096];
    int length = snprintf(request, sizeof request, "GET %s HTTP/1.1\r\nhost: bench\r\naccept-encoding: %s\r\n\r\n",
                          argv[2], argv[5]);
    if (length < 0 || (size_t)length >= sizeof request) {
        fprintf(stderr, "httpload: the request line is too long\n");
        return 2;
    }
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
    int epoll = epoll_create1(0);
    if (epoll < 0) fail("epoll_create1");
    struct client *all = calloc((size_t)clients, sizeof *all);
    if (!all) fail("calloc");
    for (int i = 0; i < clients; i++) {
        struct client *c = &all[i];
        c->capacity = 65536;
        c->buffer = malloc(c->capacity);
        if (!c->buffer) fail("malloc");
        connect_client(c, &address, epoll);
    }
    uint64_t start = now_ns(), stop = start + (uint64_t)(seconds * 1e9);
    /* Open loop: request `issued` falls due at start + issued / rate; `scheduled` of them in all. */
    uint64_t scheduled = rate > 0 ? (uint64_t)(rate * seconds) : 0, issued = 0;
    int in_flight = 0, next = 0;
    if (rate <= 0) {
        for (int i = 0; i < clients; i++) send_request(&all[i], request, (size_t)length, now_ns(), &address, epoll);
        in_flight = clients;
    }
    size_t errors = 0;
    struct epoll_event events[256];
    for (;;) {
        uint64_t timeout = 10000000000u; /* ns */
        if (rate > 0) {
            /* Every request due by now, each on an idle connection while there is one, taking
             * them in turn (so that none sits idle long enough for the server to close it). */
            uint64_t now = now_ns();
            for (int tried = 0; tried < clients && issued < scheduled; tried++, next = (next + 1) % clients) {
                uint64_t due = start + (uint64_t)((double)issued * 1e9 / rate);
                if (due > now) break;
                if (all[next].busy) continue;
                send_request(&all[next], request, (size_t)length, due, &address, epoll);
                issued++, in_flight++;
            }
            if (issued == scheduled && in_flight == 0) break;
            if (issued < scheduled && in_flight < clients) {
                uint64_t due = start + (uint64_t)((double)issued * 1e9 / rate);
                timeout = due > now ? due - now : 0;
            }
        } else if (in_flight == 0) {
            break;
        }
        /* To the nanosecond: at thousands of requests a second the next one is due in well under
         * epoll_wait's millisecond, and rounding would either spin or send late. */
        struct timespec wait = {.tv_sec = (time_t)(timeout / 1000000000u), .tv_nsec = (long)(timeout % 1000000000u)};
        int ready = epoll_pwait2(epoll, events, 256, &wait, NULL);
        if (ready < 0) {
            if (errno == EINTR) continue;
            fail("epoll_pwait2");
        }
        if (ready == 0 && in_flight > 0 && timeout == 10000000000u) {
            fprintf(stderr, "httpload: no answer for 10 s\n");
            return 2;
        }
        for (int e = 0; e < ready; e++) {
            struct client *c = events[e].data.ptr;
            if (c->used == c->capacity) {
                c->capacity *= 2;
                c->buffer = realloc(c->buffer, c->capacity);
                if (!c->buffer) fail("realloc");
            }
            ssize_t n = read(c->fd, c->buffer + c->used, c->capacity - c->used);
            if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
            if (n < 0 && errno != ECONNRESET) fail("read");
            if (n <= 0 && c->used == 0) {
                /* A keep-alive connection the server let go (its idle timeout), before any of an
                 * answer: open another, as a browser would, and send the request in flight again
                 * (its latency still counted from the first send). Only the open loop leaves
                 * connections idle long enough for this. */
                if (c->busy && ++c->reopened > 3) {
                    fprintf(stderr, "httpload: the server closed the connection of one request 4 times\n");
                    return 2;
                }
                close(c->fd);
                connect_client(c, &address, epoll);
                if (c->busy) send_request(c, request, (size_t)length, c->started, &address, epoll);
                continue;
            }
            if (n <= 0) {
                fprintf(stderr, "httpload: the server closed a connection within an answer\n");
                return 2;
            }
            c->used += (size_t)n;
            int ok = 0;
            size_t whole = answer_length(c, &ok);
            if (!whole) continue;
            uint64_t finished = now_ns();
            record(finished - c->started);
            errors += !ok;
            if (whole != c->used) {
                fprintf(stderr, "httpload: bytes after an answer that was not asked for\n");
                return 2;
            }
            c->used = 0;
            c->busy = 0;
            c->reopened = 0;
            in_flight--;
            if (rate <= 0 && finished < stop) {
                send_request(c, request, (size_t)length, finished, &address, epoll);
                in_flight++;
            }
        }
    }
    for (int i = 0; i < clients; i++) close(all[i].fd);
    FILE *out = fopen(argv[6], "wb");
    if (!out) fail("fopen");
    if (latency_count && fwrite(latencies, sizeof *latencies, latency_count, out) != latency_count) fail("fwrite");
    if (fclose(out) != 0) fail("fclose");
    printf("%zu %zu\n", latency_count, errors);
    return 0;
}
