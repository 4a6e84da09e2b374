/*
 * LD_PRELOAD shim for the fault-injection suite (see FsyncShim.java): fsync() and fdatasync() fail with EIO
 * while the file named by FAULT_FSYNC_TRIGGER exists, for file descriptors whose path starts with
 * FAULT_FSYNC_PATH_PREFIX (every descriptor when that is unset or empty). Each injected failure appends one
 * line to FAULT_FSYNC_TRIGGER + ".count" (when that file can be opened), so the test can count them.
 * Otherwise the real functions run.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int should_fail(int fd) {
    const char *trigger = getenv("FAULT_FSYNC_TRIGGER");
    if (trigger == NULL || access(trigger, F_OK) != 0) {
        return 0;
    }
    const char *prefix = getenv("FAULT_FSYNC_PATH_PREFIX");
    if (prefix != NULL && *prefix != '\0') {
        char link[64];
        char path[PATH_MAX];
        snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
        ssize_t n = readlink(link, path, sizeof path - 1);
        if (n < 0) {
            return 0;
        }
        path[n] = '\0';
        if (strncmp(path, prefix, strlen(prefix)) != 0) {
            return 0;
        }
    }
    char count[PATH_MAX];
    snprintf(count, sizeof count, "%s.count", trigger);
    int out = open(count, O_WRONLY | O_APPEND | O_CREAT, 0644);
    if (out >= 0) {
        (void) write(out, "x\n", 2);
        close(out);
    }
    return 1;
}

int fsync(int fd) {
    static int (*real)(int);
    if (should_fail(fd)) {
        errno = EIO;
        return -1;
    }
    if (real == NULL) {
        real = (int (*)(int)) dlsym(RTLD_NEXT, "fsync");
    }
    return real(fd);
}

int fdatasync(int fd) {
    static int (*real)(int);
    if (should_fail(fd)) {
        errno = EIO;
        return -1;
    }
    if (real == NULL) {
        real = (int (*)(int)) dlsym(RTLD_NEXT, "fdatasync");
    }
    return real(fd);
}
