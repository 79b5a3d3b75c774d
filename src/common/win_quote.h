/*
 * common/win_quote.h - one argument of a Windows command line, quoted so
 * that the child's C runtime (MSVCRT / UCRT argv parsing, and
 * CommandLineToArgvW) gives back exactly the original string.
 *
 * Rules: an argument that is non-empty and holds no space, tab, newline,
 * vertical tab or double quote is copied as is.  Anything else is wrapped
 * in double quotes; inside, a run of n backslashes followed by a quote
 * becomes 2n+1 backslashes and the quote, a run at the very end becomes 2n
 * backslashes (so the closing quote stays a quote), and any other run is
 * copied unchanged.  The text is bytes (UTF-8): every character the rules
 * look at is ASCII, so quoting before or after widening to UTF-16 is the
 * same.  Header-only and libc-only: the library's spawn_win.c and the CLI's
 * sys_win.c share it, and tests/portable checks it on every platform.
 */
#ifndef HMN_COMMON_WIN_QUOTE_H
#define HMN_COMMON_WIN_QUOTE_H

#include <stddef.h>
#include <string.h>

/* Quote arg into out (NUL-terminated); with out NULL only measure.  Returns
 * the length without the NUL (at most 2 * strlen(arg) + 2). */
static inline size_t hmn__win_quote_arg(char *out, const char *arg)
{
    size_t n = 0, bs;
    if (arg[0] != '\0' && strpbrk(arg, " \t\n\v\"") == NULL) {
        n = strlen(arg);
        if (out)
            memcpy(out, arg, n + 1);
        return n;
    }
#define HMN__QPUT(c)        \
    do {                    \
        if (out)            \
            out[n] = (c);   \
        n++;                \
    } while (0)
    HMN__QPUT('"');
    for (; *arg; arg++) {
        for (bs = 0; *arg == '\\'; arg++)
            bs++;
        if (*arg == '\0') { /* backslashes before the closing quote double */
            for (bs *= 2; bs; bs--)
                HMN__QPUT('\\');
            break;
        }
        if (*arg == '"')
            bs = bs * 2 + 1;
        for (; bs; bs--)
            HMN__QPUT('\\');
        HMN__QPUT(*arg);
    }
    HMN__QPUT('"');
#undef HMN__QPUT
    if (out)
        out[n] = '\0';
    return n;
}

#endif /* HMN_COMMON_WIN_QUOTE_H */
