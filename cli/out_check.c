/*
 * cli/out_check.c - the one write-checking path for stdout.  stdio keeps a
 * sticky error flag on a stream that any failed write sets, whichever
 * output call made it: checking that flag after each record, flushing
 * through out_flush() (which keeps the reason at once) and flushing and
 * closing stdout at exit sees every failed write.  hmn then says once "hmn: write error: <reason>" and exits 1,
 * instead of exiting 0 with nothing written (`hmn --json > /dev/full`,
 * `hmn ps >&-`, a reader that went away while SIGPIPE is ignored, as under
 * systemd), and `hmn watch` stops instead of sampling for ever.
 *
 * A failure to write stderr cannot be reported and does not change the
 * exit status: the answer is in stdout and the exit code.
 */
#include "cli.h"

#include <errno.h>
#include <string.h>

static int g_failed; /* stdout refused a write; g_errno says why */
static int g_errno;

static int failed_with(int e)
{
    if (!g_failed) {
        g_failed = 1;
        g_errno = e ? e : EIO;
    }
    return -1;
}

int out_check(void)
{
    int e = errno; /* right after the output call that failed, its reason */
    if (g_failed)
        return -1;
    if (!ferror(stdout))
        return 0;
    /*
     * Bytes a full buffer could not write are still buffered, and writing
     * them again gives the reason again; bytes an fflush could not write
     * may be gone, so the flag alone already means "lost".
     */
    clearerr(stdout);
    errno = 0;
    if (fflush(stdout) == EOF && errno)
        e = errno;
    return failed_with(e);
}

int out_flush(void)
{
    if (g_failed)
        return -1;
    errno = 0;
    if (fflush(stdout) == EOF)
        return failed_with(errno);
    return out_check();
}

int out_finish(int rc)
{
    if (out_flush() == 0) {
        errno = 0;
        if (fclose(stdout) == EOF) /* close(2) itself can report a lost write (NFS) */
            failed_with(errno);
    }
    if (!g_failed)
        return rc;
    errf("write error: %s", strerror(g_errno));
    return rc == EXIT_OK ? EXIT_FAIL : rc;
}
