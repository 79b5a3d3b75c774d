/* os/os_posix.c - POSIX implementation of the os.h seams (Linux first). */
#define _GNU_SOURCE 1 /* makedev/major/minor, O_CLOEXEC */

#include "os/os.h"
#include "hypomnesis.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#if defined(__linux__)
#include <sys/syscall.h>
#include <sys/vfs.h>
#endif
#include <time.h>
#include <unistd.h>

int hmn__mutex_init(hmn__mutex *m)
{
    return pthread_mutex_init(m, NULL) == 0 ? HMN_OK : HMN_ENOMEM;
}

void hmn__mutex_lock(hmn__mutex *m)
{
    (void)pthread_mutex_lock(m);
}

void hmn__mutex_unlock(hmn__mutex *m)
{
    (void)pthread_mutex_unlock(m);
}

void hmn__mutex_destroy(hmn__mutex *m)
{
    (void)pthread_mutex_destroy(m);
}

int hmn__cond_init(hmn__cond *c)
{
    pthread_condattr_t a;
    int rc;
    if (pthread_condattr_init(&a) != 0)
        return HMN_ENOMEM;
    /* Deadlines on the monotonic clock: a wall-clock step neither stalls nor rushes a wait. */
    rc = pthread_condattr_setclock(&a, CLOCK_MONOTONIC) == 0 && pthread_cond_init(c, &a) == 0;
    pthread_condattr_destroy(&a);
    return rc ? HMN_OK : HMN_ENOMEM;
}

void hmn__cond_signal(hmn__cond *c)
{
    (void)pthread_cond_broadcast(c);
}

void hmn__cond_timedwait_ms(hmn__cond *c, hmn__mutex *m, uint64_t ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += (time_t)(ms / 1000u);
    ts.tv_nsec += (long)(ms % 1000u) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    (void)pthread_cond_timedwait(c, m, &ts);
}

void hmn__cond_destroy(hmn__cond *c)
{
    (void)pthread_cond_destroy(c);
}

struct thread_start {
    hmn__thread_fn fn;
    void *arg;
};

static void *thread_main(void *p)
{
    struct thread_start ts = *(struct thread_start *)p;
    free(p);
    ts.fn(ts.arg);
    return NULL;
}

int hmn__thread_start(hmn__thread *t, hmn__thread_fn fn, void *arg)
{
    struct thread_start *ts = malloc(sizeof(*ts));
    if (!ts)
        return HMN_ENOMEM;
    ts->fn = fn;
    ts->arg = arg;
    if (pthread_create(t, NULL, thread_main, ts) != 0) {
        free(ts);
        return HMN_ENOMEM;
    }
    return HMN_OK;
}

void hmn__thread_join(hmn__thread t)
{
    (void)pthread_join(t, NULL);
}

uint64_t hmn__epoch_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000ull + (uint64_t)ts.tv_nsec / 1000000ull;
}

uint64_t hmn__now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t hmn__now_ms(void)
{
    return hmn__now_ns() / 1000000ull;
}

void hmn__sleep_ms(uint64_t ms)
{
    struct timespec ts;
    ts.tv_sec = (time_t)(ms / 1000);
    ts.tv_nsec = (long)((ms % 1000) * 1000000);
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static int errno_code(int e)
{
    switch (e) {
    case ENOENT:
    case ESRCH:
    case ENOTDIR:
        return HMN_ENOENT;
    case EACCES:
    case EPERM:
        return HMN_EACCES;
    case ENOMEM:
        return HMN_ENOMEM;
    default:
        return HMN_EBACKEND;
    }
}

/* read() until EOF or the buffer is full; EINTR-safe. */
static int read_all(int fd, char *buf, size_t cap, size_t *len, int *truncated)
{
    size_t n = 0;
    if (truncated)
        *truncated = 0;
    while (n + 1 < cap) {
        ssize_t r = read(fd, buf + n, cap - 1 - n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return errno_code(errno);
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    if (n + 1 >= cap && truncated) {
        char extra;
        ssize_t r = read(fd, &extra, 1);
        *truncated = r > 0;
    }
    buf[n] = '\0';
    *len = n;
    return HMN_OK;
}

/*
 * The one way a file of /proc, /sys (or a tree standing in for them) is
 * opened: O_NONBLOCK so that a FIFO or a device node planted there cannot
 * block the open, and only a regular file is kept (procfs and sysfs files
 * are regular files), so nothing can block the reads either.
 */
static int open_regular(const char *path, int *out)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return errno_code(errno);
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return HMN_EBACKEND;
    }
    *out = fd;
    return HMN_OK;
}

int hmn__read_file(const char *path, char *buf, size_t cap, size_t *len, int *truncated)
{
    int fd, rc;
    if (cap == 0)
        return HMN_EINVAL;
    buf[0] = '\0';
    *len = 0;
    rc = open_regular(path, &fd);
    if (rc != HMN_OK)
        return rc;
    rc = read_all(fd, buf, cap, len, truncated);
    close(fd);
    return rc;
}

int hmn__fd_open(const char *path, hmn__fd *fd)
{
    int f, rc = open_regular(path, &f);
    if (rc != HMN_OK)
        return rc;
    *fd = f;
    return HMN_OK;
}

int hmn__fd_pread0(hmn__fd fd, char *buf, size_t cap, size_t *len)
{
    ssize_t r;
    if (cap == 0)
        return HMN_EINVAL;
    do {
        r = pread(fd, buf, cap - 1, 0);
    } while (r < 0 && errno == EINTR);
    if (r < 0)
        return errno_code(errno);
    buf[r] = '\0';
    *len = (size_t)r;
    return HMN_OK;
}

void hmn__fd_close(hmn__fd fd)
{
    if (fd >= 0)
        close(fd);
}

const char *hmn__getenv(const char *name)
{
    const char *v = getenv(name);
    return (v && *v) ? v : NULL;
}

int hmn__system_dir(char *buf, size_t cap)
{
    if (cap)
        buf[0] = '\0';
    return HMN_EUNSUPPORTED;
}

long hmn__page_size(void)
{
    long p = sysconf(_SC_PAGESIZE);
    return p > 0 ? p : 4096;
}

uint32_t hmn__getpid(void)
{
    return (uint32_t)getpid();
}

struct hmn__dl {
    void *handle;
};

hmn__dl *hmn__dl_open(const char *path, char *err, size_t errcap)
{
    hmn__dl *dl;
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *e = dlerror();
        if (err && errcap)
            snprintf(err, errcap, "%s", e ? e : "dlopen failed");
        return NULL;
    }
    dl = malloc(sizeof(*dl));
    if (!dl) {
        dlclose(h);
        if (err && errcap)
            snprintf(err, errcap, "out of memory");
        return NULL;
    }
    dl->handle = h;
    return dl;
}

void *hmn__dl_sym(hmn__dl *dl, const char *name)
{
    return dl ? dlsym(dl->handle, name) : NULL;
}

void hmn__dl_close(hmn__dl *dl)
{
    if (!dl)
        return;
    dlclose(dl->handle);
    free(dl);
}

int hmn__list_dir_ino(const char *path, hmn__dir_ino_fn fn, void *arg)
{
    struct dirent *de;
    DIR *d = opendir(path);
    if (!d)
        return errno_code(errno);
    while ((de = readdir(d)) != NULL) {
        int rc;
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        rc = fn(arg, de->d_name, (uint64_t)de->d_ino);
        if (rc != 0) {
            closedir(d);
            return rc < 0 ? rc : HMN_OK;
        }
    }
    closedir(d);
    return HMN_OK;
}

int hmn__is_procfs(const char *path)
{
#if defined(__linux__)
    struct statfs f;
    return statfs(path, &f) == 0 && f.f_type == 0x9fa0; /* PROC_SUPER_MAGIC */
#else
    (void)path;
    return 0;
#endif
}

/* hmn__list_dir is hmn__list_dir_ino without the inode numbers. */
struct names_only {
    hmn__dir_fn fn;
    void *arg;
};

static int drop_ino(void *arg, const char *name, uint64_t ino)
{
    struct names_only *n = arg;
    (void)ino;
    return n->fn(n->arg, name);
}

int hmn__list_dir(const char *path, hmn__dir_fn fn, void *arg)
{
    struct names_only n = {fn, arg};
    return hmn__list_dir_ino(path, drop_ino, &n);
}

/* One entry of hmn__list_links: skip "." and "..", read the link, call fn. */
static int link_entry(int dfd, const char *n, hmn__link_fn fn, void *arg)
{
    char target[512];
    ssize_t r;
    if (n[0] == '.' && (!n[1] || (n[1] == '.' && !n[2])))
        return 0;
    r = readlinkat(dfd, n, target, sizeof(target) - 1);
    target[r < 0 ? 0 : r] = '\0';
    return fn(arg, n, target, r < 0 ? errno_code(errno) : HMN_OK);
}

#if defined(__linux__)
/* getdents64 straight into a stack buffer: no DIR allocation and no fstat,
 * which opendir() adds to every one of the thousands of fd directories. */
struct hmn__dirent64 {
    uint64_t ino;
    int64_t off;
    unsigned short reclen;
    unsigned char type;
    char name[];
};

int hmn__list_links(const char *path, hmn__link_fn fn, void *arg)
{
    char buf[8192];
    long n;
    int rc = 0, fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return errno_code(errno);
    while (rc == 0 && (n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
        long off = 0;
        while (rc == 0 && off < n) {
            const struct hmn__dirent64 *e = (const struct hmn__dirent64 *)(void *)(buf + off);
            rc = link_entry(fd, e->name, fn, arg);
            off += e->reclen;
        }
    }
    if (rc == 0 && n < 0)
        rc = errno_code(errno);
    close(fd);
    return rc > 0 ? HMN_OK : rc;
}
#else
int hmn__list_links(const char *path, hmn__link_fn fn, void *arg)
{
    struct dirent *de;
    int rc = 0;
    DIR *d = opendir(path);
    if (!d)
        return errno_code(errno);
    while (rc == 0 && (de = readdir(d)) != NULL)
        rc = link_entry(dirfd(d), de->d_name, fn, arg);
    closedir(d);
    return rc > 0 ? HMN_OK : rc;
}
#endif

int hmn__readlink(const char *path, char *buf, size_t cap)
{
    ssize_t r;
    if (cap == 0)
        return HMN_EINVAL;
    r = readlink(path, buf, cap - 1);
    if (r < 0) {
        buf[0] = '\0';
        return errno_code(errno);
    }
    buf[r] = '\0';
    return HMN_OK;
}

int hmn__char_dev(const char *path, unsigned *maj, unsigned *min)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return errno_code(errno);
    if (!S_ISCHR(st.st_mode))
        return HMN_ENOENT;
    *maj = major(st.st_rdev);
    *min = minor(st.st_rdev);
    return HMN_OK;
}

/* ---------------------------------------------------------------- programs */

const char hmn__exe_suffix[] = "";
const char hmn__path_sep = ':';

int hmn__path_entry_ok(const char *p, size_t len)
{
    return len > 0 && p[0] == '/';
}

int hmn__is_program(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && access(path, X_OK) == 0;
}
