/*
 * LD_PRELOAD shim for the fault-injection suite (see ClockShim.java): the wall clock of the process -- clock_gettime
 * with CLOCK_REALTIME or CLOCK_REALTIME_COARSE, gettimeofday and time -- is off by the number of milliseconds written
 * in the file named by FAULT_CLOCK_OFFSET_FILE (negative: behind; no file, or no number in it: 0). The file is read
 * again at most every 100 ms of monotonic time, so a test makes the clock jump by rewriting it. CLOCK_MONOTONIC,
 * CLOCK_BOOTTIME and the other clocks are untouched (System.nanoTime in a JVM).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define NANOS_PER_SECOND 1000000000LL
#define READ_EVERY_NANOS 100000000LL

typedef int (*clock_gettime_fn)(clockid_t, struct timespec *);

static clock_gettime_fn real_clock_gettime(void) {
    static clock_gettime_fn real;
    clock_gettime_fn fn = __atomic_load_n(&real, __ATOMIC_ACQUIRE);
    if (fn == NULL) {
        fn = (clock_gettime_fn) dlsym(RTLD_NEXT, "clock_gettime");
        __atomic_store_n(&real, fn, __ATOMIC_RELEASE);
    }
    return fn;
}

/* The offset in nanoseconds, from the file when the last read is older than READ_EVERY_NANOS. */
static long long offset_nanos(void) {
    static long long offset;
    static long long next_read;
    struct timespec now;
    if (real_clock_gettime()(CLOCK_MONOTONIC, &now) != 0) {
        return __atomic_load_n(&offset, __ATOMIC_RELAXED);
    }
    long long monotonic = now.tv_sec * NANOS_PER_SECOND + now.tv_nsec;
    if (monotonic >= __atomic_load_n(&next_read, __ATOMIC_RELAXED)) {
        __atomic_store_n(&next_read, monotonic + READ_EVERY_NANOS, __ATOMIC_RELAXED);
        long long millis = 0;
        const char *path = getenv("FAULT_CLOCK_OFFSET_FILE");
        if (path != NULL) {
            int fd = open(path, O_RDONLY | O_CLOEXEC);
            if (fd >= 0) {
                char text[32];
                ssize_t n = read(fd, text, sizeof text - 1);
                close(fd);
                if (n > 0) {
                    text[n] = '\0';
                    millis = strtoll(text, NULL, 10);
                }
            }
        }
        __atomic_store_n(&offset, millis * 1000000LL, __ATOMIC_RELAXED);
    }
    return __atomic_load_n(&offset, __ATOMIC_RELAXED);
}

int clock_gettime(clockid_t clock, struct timespec *ts) {
    int result = real_clock_gettime()(clock, ts);
    if (result == 0 && (clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_COARSE)) {
        long long nanos = ts->tv_sec * NANOS_PER_SECOND + ts->tv_nsec + offset_nanos();
        ts->tv_sec = nanos / NANOS_PER_SECOND;
        ts->tv_nsec = nanos % NANOS_PER_SECOND;
    }
    return result;
}

int gettimeofday(struct timeval *restrict tv, void *restrict tz) {
    struct timespec ts;
    int result = clock_gettime(CLOCK_REALTIME, &ts);
    if (result == 0) {
        tv->tv_sec = ts.tv_sec;
        tv->tv_usec = ts.tv_nsec / 1000;
    }
    if (tz != NULL) {
        struct timezone *zone = tz;
        zone->tz_minuteswest = 0;
        zone->tz_dsttime = 0;
    }
    return result;
}

time_t time(time_t *out) {
    struct timespec ts;
    time_t seconds = clock_gettime(CLOCK_REALTIME, &ts) == 0 ? ts.tv_sec : (time_t) -1;
    if (out != NULL) {
        *out = seconds;
    }
    return seconds;
}
