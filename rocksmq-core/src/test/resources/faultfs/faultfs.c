/*
 * faultfs: an LD_PRELOAD shim for the queue's fault-injection tests (FaultInjectionTest). It makes
 * write, fsync and rename fail with a chosen errno at chosen points, which kill -9 cannot show.
 *
 * The rules live in the file named by $RMQ_FAULT_CONTROL, re-read whenever it changes, one per line:
 *
 *     OP SUBSTRING SKIP COUNT ERRNO
 *
 *   OP         write (write, pwrite, pwrite64, writev), fsync (fsync, fdatasync) or rename
 *   SUBSTRING  the call is matched when its file's path contains this (for rename: either path);
 *              a trailing '$' anchors it at the end of the path (e.g. "/queue$": the directory
 *              itself); the path of a file descriptor is read from /proc/self/fd
 *   SKIP       matching calls let through before failing (each rule counts its own matches)
 *   COUNT      matching calls failed after those; -1 fails every later one
 *   ERRNO      the error returned, e.g. 5 (EIO) or 28 (ENOSPC)
 *
 * Replacing the file starts every rule's count afresh; an empty or missing file injects nothing.
 * Each injected failure appends a line "OP ERRNO PATH" to $RMQ_FAULT_CONTROL.hits (the tests read it
 * to know the fault really happened) and to stderr. A failed call does nothing (no byte is written).
 *
 * Build: gcc -shared -fPIC -O2 -o libfaultfs.so faultfs.c -ldl -lpthread
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#define MAX_RULES 8

enum op { OP_WRITE, OP_FSYNC, OP_RENAME };

struct rule {
    enum op op;
    char substring[256];
    long skip;
    long count;
    int err;
    long seen;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct rule rules[MAX_RULES];
static int rule_count;
static struct stat loaded; /* identity of the control file the rules came from */
static int have_loaded;

/* Reads the control file with raw system calls: none of them is one we intercept. */
static void reload_locked(const char *control) {
    struct stat st;
    if (stat(control, &st) != 0) {
        rule_count = 0;
        have_loaded = 0;
        return;
    }
    if (have_loaded && st.st_ino == loaded.st_ino && st.st_size == loaded.st_size
            && st.st_mtim.tv_sec == loaded.st_mtim.tv_sec && st.st_mtim.tv_nsec == loaded.st_mtim.tv_nsec) {
        return;
    }
    char buf[4096];
    int fd = (int) syscall(SYS_openat, AT_FDCWD, control, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return;
    }
    ssize_t n = syscall(SYS_read, fd, buf, sizeof buf - 1);
    syscall(SYS_close, fd);
    if (n < 0) {
        return;
    }
    buf[n] = 0;
    loaded = st;
    have_loaded = 1;
    rule_count = 0;
    char *save = NULL;
    for (char *line = strtok_r(buf, "\n", &save); line && rule_count < MAX_RULES; line = strtok_r(NULL, "\n", &save)) {
        char opname[16];
        struct rule r;
        memset(&r, 0, sizeof r);
        if (sscanf(line, "%15s %255s %ld %ld %d", opname, r.substring, &r.skip, &r.count, &r.err) != 5) {
            continue;
        }
        if (strcmp(opname, "write") == 0) {
            r.op = OP_WRITE;
        } else if (strcmp(opname, "fsync") == 0) {
            r.op = OP_FSYNC;
        } else if (strcmp(opname, "rename") == 0) {
            r.op = OP_RENAME;
        } else {
            continue;
        }
        rules[rule_count++] = r;
    }
}

static void record_hit(const char *control, const char *opname, int err, const char *path) {
    char line[600];
    int len = snprintf(line, sizeof line, "%s %d %s\n", opname, err, path);
    if (len < 0) {
        return;
    }
    if (len >= (int) sizeof line) {
        len = sizeof line - 1;
    }
    char hits[600];
    snprintf(hits, sizeof hits, "%s.hits", control);
    int fd = (int) syscall(SYS_openat, AT_FDCWD, hits, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd >= 0) {
        syscall(SYS_write, fd, line, (size_t) len);
        syscall(SYS_close, fd);
    }
    syscall(SYS_write, 2, "faultfs: ", (size_t) 9);
    syscall(SYS_write, 2, line, (size_t) len);
}

static int matches(const char *path, const char *pattern) {
    size_t n = strlen(pattern);
    if (n > 0 && pattern[n - 1] == '$') {
        size_t len = strlen(path);
        return len >= n - 1 && strncmp(path + len - (n - 1), pattern, n - 1) == 0;
    }
    return strstr(path, pattern) != NULL;
}

/* The errno to fail with, or 0 to let the call through. */
static int decide(enum op op, const char *opname, const char *path1, const char *path2) {
    const char *control = getenv("RMQ_FAULT_CONTROL");
    if (control == NULL || path1 == NULL) {
        return 0;
    }
    int err = 0;
    const char *hit_path = path1;
    pthread_mutex_lock(&mu);
    reload_locked(control);
    for (int i = 0; i < rule_count && err == 0; i++) {
        struct rule *r = &rules[i];
        if (r->op != op) {
            continue;
        }
        int match = matches(path1, r->substring);
        if (!match && path2 != NULL && matches(path2, r->substring)) {
            match = 1;
            hit_path = path2;
        }
        if (!match) {
            continue;
        }
        long n = r->seen++;
        if (n >= r->skip && (r->count < 0 || n < r->skip + r->count)) {
            err = r->err;
        }
    }
    pthread_mutex_unlock(&mu);
    if (err != 0) {
        record_hit(control, opname, err, hit_path);
    }
    return err;
}

/* Only looks up the descriptor's path when a rule for this operation might apply. */
static int decide_fd(enum op op, const char *opname, int fd) {
    const char *control = getenv("RMQ_FAULT_CONTROL");
    if (control == NULL) {
        return 0;
    }
    int wanted = 0;
    pthread_mutex_lock(&mu);
    reload_locked(control);
    for (int i = 0; i < rule_count; i++) {
        if (rules[i].op == op) {
            wanted = 1;
        }
    }
    pthread_mutex_unlock(&mu);
    if (!wanted) {
        return 0;
    }
    char link[64];
    char path[512];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (n <= 0) {
        return 0;
    }
    path[n] = 0;
    return decide(op, opname, path, NULL);
}

/* The libc function this one wraps, looked up once. */
#define REAL(name) \
    static __typeof__(name) *real_##name; \
    if (!real_##name) { real_##name = (__typeof__(name) *) dlsym(RTLD_NEXT, #name); }

ssize_t write(int fd, const void *buf, size_t n) {
    REAL(write);
    int err = fd > 2 ? decide_fd(OP_WRITE, "write", fd) : 0;
    if (err) {
        errno = err;
        return -1;
    }
    return real_write(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off) {
    REAL(pwrite);
    int err = decide_fd(OP_WRITE, "pwrite", fd);
    if (err) {
        errno = err;
        return -1;
    }
    return real_pwrite(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off64_t off) {
    REAL(pwrite64);
    int err = decide_fd(OP_WRITE, "pwrite64", fd);
    if (err) {
        errno = err;
        return -1;
    }
    return real_pwrite64(fd, buf, n, off);
}

ssize_t writev(int fd, const struct iovec *iov, int iovcnt) {
    REAL(writev);
    int err = fd > 2 ? decide_fd(OP_WRITE, "writev", fd) : 0;
    if (err) {
        errno = err;
        return -1;
    }
    return real_writev(fd, iov, iovcnt);
}

int fsync(int fd) {
    REAL(fsync);
    int err = decide_fd(OP_FSYNC, "fsync", fd);
    if (err) {
        errno = err;
        return -1;
    }
    return real_fsync(fd);
}

int fdatasync(int fd) {
    REAL(fdatasync);
    int err = decide_fd(OP_FSYNC, "fdatasync", fd);
    if (err) {
        errno = err;
        return -1;
    }
    return real_fdatasync(fd);
}

int rename(const char *from, const char *to) {
    REAL(rename);
    int err = decide(OP_RENAME, "rename", from, to);
    if (err) {
        errno = err;
        return -1;
    }
    return real_rename(from, to);
}
