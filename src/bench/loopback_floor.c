/*
 * The loopback floor of the "below saturation" scenario: what this machine's kernel alone allows,
 * with no JVM, no JSON, no WebSocket framing and no queue. CLIENTS TCP connections over loopback;
 * RATE times a second each of two writer threads (the server's event loops) writes one SIZE-byte
 * message, stamped with the round's start, to each of its half of the sockets; two reader threads
 * (the harness's event loops) epoll-read them and record receive time minus stamp. Prints the
 * latency percentiles. make bench runs it first, so that every report shows its machine's floor.
 *
 * usage: loopback_floor [CLIENTS=1000] [RATE=100] [SECONDS=10] [SIZE=170]
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define THREADS 2
#define MAX_SAMPLES 2000000

static int clients = 1000, rate = 100, seconds = 10, size = 170;
static int *client_fd, *server_fd;
static volatile int stopping;
static long *samples[THREADS];
static int sample_count[THREADS];

static long now_micros(void) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return t.tv_sec * 1000000L + t.tv_nsec / 1000;
}

static void *writer(void *arg) {
    long id = (long) arg;
    char *buf = calloc(1, size);
    long next = now_micros(), end = next + seconds * 1000000L;
    while (now_micros() < end) {
        long stamp = now_micros();
        memcpy(buf, &stamp, sizeof stamp);
        for (int i = id; i < clients; i += THREADS) {
            if (write(server_fd[i], buf, size) != size) {
                perror("write");
                exit(1);
            }
        }
        next += 1000000L / rate;
        long wait = next - now_micros();
        if (wait > 0) {
            usleep(wait);
        }
    }
    free(buf);
    return NULL;
}

static void *reader(void *arg) {
    long id = (long) arg;
    int ep = epoll_create1(0);
    for (int i = id; i < clients; i += THREADS) {
        struct epoll_event e = {.events = EPOLLIN, .data.fd = client_fd[i]};
        fcntl(client_fd[i], F_SETFL, O_NONBLOCK);
        epoll_ctl(ep, EPOLL_CTL_ADD, client_fd[i], &e);
    }
    char *buf = malloc(1 << 16);
    struct epoll_event events[256];
    /* per fd (fds stay below 65536 here): bytes of the current message read so far, and its stamp */
    int *pending = calloc(65536, sizeof(int));
    char (*partial)[8] = calloc(65536, 8);
    long *mine = samples[id], count = 0;   /* counted here, published once: no shared cache line */
    while (!stopping) {
        int n = epoll_wait(ep, events, 256, 100);
        for (int k = 0; k < n; k++) {
            int fd = events[k].data.fd;
            ssize_t r = read(fd, buf, 1 << 16);
            long now = now_micros();
            for (ssize_t off = 0; off < r;) {
                /* messages are SIZE bytes; the stamp is the first 8 of each */
                int have = pending[fd];
                int take = size - have < r - off ? size - have : (int) (r - off);
                for (int b = 0; b < take && have + b < 8; b++) {
                    partial[fd][have + b] = buf[off + b];
                }
                off += take;
                pending[fd] = (have + take) % size;
                if (pending[fd] == 0 && count < MAX_SAMPLES) {
                    long stamp;
                    memcpy(&stamp, partial[fd], sizeof stamp);
                    mine[count++] = now - stamp;
                }
            }
        }
    }
    sample_count[id] = (int) count;
    free(buf);
    free(pending);
    free(partial);
    return NULL;
}

static int compare(const void *a, const void *b) {
    long x = *(const long *) a, y = *(const long *) b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc > 1) clients = atoi(argv[1]);
    if (argc > 2) rate = atoi(argv[2]);
    if (argc > 3) seconds = atoi(argv[3]);
    if (argc > 4) size = atoi(argv[4]);
    if (clients < THREADS || rate < 1 || seconds < 1 || size < 8) {
        fprintf(stderr, "usage: loopback_floor [CLIENTS>=2] [RATE>=1] [SECONDS>=1] [SIZE>=8]\n");
        return 2;
    }
    /* two descriptors a connection: raise the soft limit as far as the hard one allows */
    struct rlimit files;
    if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
        files.rlim_cur = files.rlim_max;
        setrlimit(RLIMIT_NOFILE, &files);
    }
    client_fd = calloc(clients, sizeof(int));
    server_fd = calloc(clients, sizeof(int));
    int listener = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof addr;
    if (bind(listener, (void *) &addr, sizeof addr) || getsockname(listener, (void *) &addr, &len)
            || listen(listener, 4096)) {
        perror("listen");
        return 1;
    }
    for (int i = 0; i < clients; i++) {
        client_fd[i] = socket(AF_INET, SOCK_STREAM, 0);
        if (client_fd[i] < 0 || client_fd[i] >= 65536 || connect(client_fd[i], (void *) &addr, sizeof addr)) {
            perror("connect");
            return 1;
        }
        server_fd[i] = accept(listener, NULL, NULL);
        if (server_fd[i] < 0) {
            perror("accept");
            return 1;
        }
        setsockopt(server_fd[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    pthread_t readers[THREADS], writers[THREADS];
    for (long i = 0; i < THREADS; i++) {
        samples[i] = malloc(MAX_SAMPLES * sizeof(long));
        pthread_create(&readers[i], NULL, reader, (void *) i);
    }
    for (long i = 0; i < THREADS; i++) {
        pthread_create(&writers[i], NULL, writer, (void *) i);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(writers[i], NULL);
    }
    usleep(200000);
    stopping = 1;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(readers[i], NULL);
    }
    long total = 0;
    for (int i = 0; i < THREADS; i++) {
        total += sample_count[i];
    }
    long *all = malloc(total * sizeof(long)), n = 0;
    for (int i = 0; i < THREADS; i++) {
        memcpy(all + n, samples[i], sample_count[i] * sizeof(long));
        n += sample_count[i];
    }
    if (n == 0) {
        fprintf(stderr, "no message arrived\n");
        return 1;
    }
    qsort(all, n, sizeof(long), compare);
    printf("loopback floor, %d clients x %d msgs/s of %d bytes, %d s, 2 writer + 2 reader threads: "
           "%ld messages, p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms\n",
           clients, rate, size, seconds, n, all[n / 2] / 1000.0, all[n * 99 / 100] / 1000.0,
           all[n * 999 / 1000] / 1000.0, all[n - 1] / 1000.0);
    return 0;
}
