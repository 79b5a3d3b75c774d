/*
 * os/win_util.h - Windows-only helpers shared by os_win.c, spawn_win.c and
 * the Windows backends (never included on other platforms).
 */
#ifndef HMN_OS_WIN_UTIL_H
#define HMN_OS_WIN_UTIL_H

#include <stddef.h>
#include <wchar.h>

/* UTF-8 -> newly allocated UTF-16 (free()); NULL on invalid UTF-8 or ENOMEM. */
wchar_t *hmn__win_widen(const char *s);
/* UTF-16 -> UTF-8 into buf; HMN_OK, HMN_ENOBUFS (too long) or HMN_EPARSE. */
int hmn__win_narrow(const wchar_t *w, char *buf, size_t cap);
/* One-line system text for a Win32 error code ("Access is denied"). */
void hmn__win_errtext(unsigned long code, char *buf, size_t cap);
/* Win32 error code -> HMN_E* code. */
int hmn__win_code(unsigned long err);

#endif /* HMN_OS_WIN_UTIL_H */
