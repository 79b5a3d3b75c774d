/*
 * cli/line.c - lines of free text (messages, summaries, breadcrumbs):
 * built piece by piece, then written through safe_text() in one go with
 * the newline, so no name, device string or error text that a line quotes
 * reaches the terminal raw, and a name cannot end the line early.  Pure
 * (writes only to the FILE handed in): part of the CLI core library.
 */
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void line_init(struct line *l)
{
    l->p = l->small;
    l->len = 0;
    l->cap = sizeof(l->small);
    l->small[0] = '\0';
}

void line_vadd(struct line *l, const char *fmt, va_list ap)
{
    va_list cp;
    int n;
    va_copy(cp, ap);
    n = vsnprintf(l->p + l->len, l->cap - l->len, fmt, cp);
    va_end(cp);
    if (n < 0)
        return;
    if (l->len + (size_t)n >= l->cap) {
        size_t cap = l->cap;
        char *p;
        while (cap <= l->len + (size_t)n)
            cap *= 2;
        p = l->p == l->small ? malloc(cap) : realloc(l->p, cap);
        if (!p) { /* out of memory: the line keeps what fitted */
            l->len = strlen(l->p);
            return;
        }
        if (l->p == l->small)
            memcpy(p, l->small, l->len + 1);
        l->p = p;
        l->cap = cap;
        vsnprintf(l->p + l->len, l->cap - l->len, fmt, ap);
    }
    l->len += (size_t)n;
}

void line_add(struct line *l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    line_vadd(l, fmt, ap);
    va_end(ap);
}

void line_end(struct line *l, FILE *f)
{
    put_safe(f, l->p);
    fputc('\n', f);
    if (l->p != l->small)
        free(l->p);
    line_init(l);
}

void vlinef(FILE *f, const char *fmt, va_list ap)
{
    struct line l;
    line_init(&l);
    line_vadd(&l, fmt, ap);
    line_end(&l, f);
}

void linef(FILE *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlinef(f, fmt, ap);
    va_end(ap);
}
