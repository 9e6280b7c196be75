/* Closed-loop HTTP/1.1 load for bench/api_load.py, as wrk would give it: `clients` keep-alive
 * connections, each sending GET `path` again as soon as the whole answer is in, until `seconds`
 * have passed. One thread, epoll, no parsing beyond the status line and Content-Length, so that
 * the load generator takes a few microseconds of CPU per request instead of the ~50 an asyncio
 * client takes on the same two cores as the API and PostgreSQL.
 *
 *     httpload PORT PATH CLIENTS SECONDS ENCODING LATENCIES
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
    uint64_t started;
    int done;
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

static void send_request(struct client *c, const char *request, size_t length) {
    c->started = now_ns();
    size_t sent = 0;
    while (sent < length) {
        ssize_t n = write(c->fd, request + sent, length - sent);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail("write");
        }
        sent += (size_t)n;
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
    if (argc != 7) {
        fprintf(stderr, "usage: httpload PORT PATH CLIENTS SECONDS ENCODING LATENCIES\n");
        return 2;
    }
    int port = atoi(argv[1]), clients = atoi(argv[3]);
    double seconds = atof(argv[4]);
    if (port <= 0 || port > 65535 || clients <= 0 || seconds <= 0) {
        fprintf(stderr, "httpload: PORT, CLIENTS and SECONDS must be positive\n");
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
        c->fd = socket(AF_INET, SOCK_STREAM, 0);
        if (c->fd < 0) fail("socket");
        if (connect(c->fd, (struct sockaddr *)&address, sizeof address) < 0) fail("connect");
        int one = 1;
        setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        c->capacity = 65536;
        c->buffer = malloc(c->capacity);
        if (!c->buffer) fail("malloc");
        struct epoll_event event = {.events = EPOLLIN, .data.ptr = c};
        if (epoll_ctl(epoll, EPOLL_CTL_ADD, c->fd, &event) < 0) fail("epoll_ctl");
    }
    uint64_t stop = now_ns() + (uint64_t)(seconds * 1e9);
    for (int i = 0; i < clients; i++) send_request(&all[i], request, (size_t)length);
    size_t errors = 0;
    int open = clients;
    struct epoll_event events[256];
    while (open > 0) {
        int ready = epoll_wait(epoll, events, 256, 10000);
        if (ready < 0) {
            if (errno == EINTR) continue;
            fail("epoll_wait");
        }
        if (ready == 0) {
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
            if (n < 0) {
                if (errno == EINTR || errno == EAGAIN) continue;
                fail("read");
            }
            if (n == 0) {
                fprintf(stderr, "httpload: the server closed a connection\n");
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
            if (finished < stop) {
                send_request(c, request, (size_t)length);
            } else {
                close(c->fd);
                open--;
            }
        }
    }
    FILE *out = fopen(argv[6], "wb");
    if (!out) fail("fopen");
    if (latency_count && fwrite(latencies, sizeof *latencies, latency_count, out) != latency_count) fail("fwrite");
    if (fclose(out) != 0) fail("fclose");
    printf("%zu %zu\n", latency_count, errors);
    return 0;
}
