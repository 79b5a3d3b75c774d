/*
 * os/os.h - thin portability seams.  Everything that differs between POSIX
 * and Windows (files, locks, dynamic loading, subprocesses, clocks) goes
 * through here, so backends and the core stay free of #ifdefs.
 *
 * Implementations: os_posix.c (+ spawn_posix.c), os_win.c (+ spawn_win.c).
 */
#ifndef HMN_OS_H
#define HMN_OS_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
typedef struct {
    void *opaque[8]; /* CRITICAL_SECTION fits in 40 bytes on x64 */
} hmn__mutex;
typedef intptr_t hmn__fd;
typedef struct {
    void *opaque[1]; /* CONDITION_VARIABLE: one pointer */
} hmn__cond;
typedef void *hmn__thread; /* HANDLE */
#else
#  include <pthread.h>
typedef pthread_mutex_t hmn__mutex;
typedef int hmn__fd;
typedef pthread_cond_t hmn__cond;
typedef pthread_t hmn__thread;
#endif
#define HMN__FD_NONE ((hmn__fd)-1)

int hmn__mutex_init(hmn__mutex *m);
void hmn__mutex_lock(hmn__mutex *m);
void hmn__mutex_unlock(hmn__mutex *m);
void hmn__mutex_destroy(hmn__mutex *m);

/*
 * Condition variables paired with hmn__mutex (the sampler's prompt stop).
 * timedwait: wait at most ms milliseconds (monotonic clock on POSIX), with m
 * locked.  A wake-up, a time-out and a spurious return look alike: callers
 * re-check their predicate.
 */
int hmn__cond_init(hmn__cond *c);
void hmn__cond_signal(hmn__cond *c);
void hmn__cond_timedwait_ms(hmn__cond *c, hmn__mutex *m, uint64_t ms);
void hmn__cond_destroy(hmn__cond *c);

/* One thread running fn(arg); joined once with hmn__thread_join. */
typedef void (*hmn__thread_fn)(void *arg);
int hmn__thread_start(hmn__thread *t, hmn__thread_fn fn, void *arg);
void hmn__thread_join(hmn__thread t);

/* Wall clock: milliseconds since 1970 (UTC). */
uint64_t hmn__epoch_ms(void);

/* Monotonic milliseconds / nanoseconds. */
uint64_t hmn__now_ms(void);
uint64_t hmn__now_ns(void);
/* Sleep for ms milliseconds. */
void hmn__sleep_ms(uint64_t ms);

/*
 * Read at most cap-1 bytes of a file and NUL-terminate.  Returns HMN_OK,
 * HMN_ENOENT (missing / vanished), HMN_EACCES, or HMN_EBACKEND; *len gets the
 * byte count.  Bounded: a file larger than cap is truncated (*truncated = 1).
 */
int hmn__read_file(const char *path, char *buf, size_t cap, size_t *len, int *truncated);
/* Open a file read-only and keep it (for pread of /proc/self/statm). */
int hmn__fd_open(const char *path, hmn__fd *fd);
/* pread from offset 0, NUL-terminated. */
int hmn__fd_pread0(hmn__fd fd, char *buf, size_t cap, size_t *len);
void hmn__fd_close(hmn__fd fd);

/* Environment variable or NULL (empty counts as unset). */
const char *hmn__getenv(const char *name);

/* Windows: the System32 folder from GetSystemDirectoryW (not from the
 * environment, which a parent process controls).  POSIX: HMN_EUNSUPPORTED. */
int hmn__system_dir(char *buf, size_t cap);

/* Suffix of a program's file name: ".exe" on Windows, "" elsewhere. */
extern const char hmn__exe_suffix[];
/* The separator of PATH's entries: ':' POSIX, ';' Windows. */
extern const char hmn__path_sep;
/* 1 when PATH entry p[0..len) may be searched.  POSIX: absolute entries only
 * (an empty or relative one means the current folder, where a program could
 * be planted).  Windows: any non-empty entry. */
int hmn__path_entry_ok(const char *p, size_t len);
/* 1 when path is a file we may run (a directory of that name is not one). */
int hmn__is_program(const char *path);
/*
 * The first searchable PATH entry holding program `name`: its path into
 * out.  A name without an extension is also tried with hmn__exe_suffix.
 * HMN_ENOENT when none holds it (out is then "").  (os/find_program.c)
 */
int hmn__find_program(const char *name, char *out, size_t cap);

/* System page size in bytes. */
long hmn__page_size(void);
/* Our own PID. */
uint32_t hmn__getpid(void);

/* Dynamic libraries. */
typedef struct hmn__dl hmn__dl;
/* Open a library; on failure writes the loader's message to err. */
hmn__dl *hmn__dl_open(const char *path, char *err, size_t errcap);
void *hmn__dl_sym(hmn__dl *dl, const char *name);
void hmn__dl_close(hmn__dl *dl);

/*
 * Run a program without a shell and capture its stdout.
 *  argv[0] is the program: an absolute/relative path is used as is, a bare
 *  name is searched in PATH.  stdin is /dev/null, stderr is discarded.
 *  Output beyond cap-1 bytes is read and dropped (*truncated = 1) so a
 *  chatty child cannot block.  After timeout_ms the child is killed.
 * Result in *res.  Returns HMN_OK when the child ran to an exit or signal,
 * HMN_ENOENT when the program could not be found/started, HMN_ETIMEDOUT when
 * it was killed for the timeout, or another negative code.
 */
struct hmn__run_result {
    int exited;      /* 1: normal exit with exit_code */
    int exit_code;
    int signaled;    /* 1: killed by signal term_signal */
    int term_signal;
    int truncated;
    size_t len;      /* bytes of stdout kept in the buffer */
};
int hmn__run(const char *const argv[], uint64_t timeout_ms, char *buf, size_t cap,
             struct hmn__run_result *res, char *err, size_t errcap);

/* Directory listing: calls fn for every entry name except "." and "..". */
typedef int (*hmn__dir_fn)(void *arg, const char *name);
int hmn__list_dir(const char *path, hmn__dir_fn fn, void *arg);
/* The same with each entry's inode number (d_ino).  POSIX only. */
typedef int (*hmn__dir_ino_fn)(void *arg, const char *name, uint64_t ino);
int hmn__list_dir_ino(const char *path, hmn__dir_ino_fn fn, void *arg);
/* 1 when path is the root of a mounted procfs (Linux statfs), else 0. */
int hmn__is_procfs(const char *path);
/*
 * A directory of symbolic links (/proc/<pid>/fd): fn(arg, name, target, rc)
 * for every entry but "." and "..", the target read with readlinkat()
 * relative to the open directory, so the path is walked once per directory
 * rather than once per entry.  rc is HMN_OK or the readlink error (target is
 * then "").  fn returns 0 to go on, >0 to stop (HMN_OK), <0 to fail with it.
 * POSIX only (the DRM backend's /proc sweep).
 */
typedef int (*hmn__link_fn)(void *arg, const char *name, const char *target, int rc);
int hmn__list_links(const char *path, hmn__link_fn fn, void *arg);
/* readlink into buf (NUL-terminated); HMN_ENOENT / HMN_EACCES / HMN_EBACKEND. */
int hmn__readlink(const char *path, char *buf, size_t cap);
/* stat following links: char device major/minor (0 = ok, <0 not a char dev / error). */
int hmn__char_dev(const char *path, unsigned *major, unsigned *minor);

#endif /* HMN_OS_H */
