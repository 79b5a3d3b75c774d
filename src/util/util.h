/*
 * util/util.h - string, number and UTF-8 helpers: the bottom layer.
 *
 * No context, no operating system, no allocation: every function here is
 * pure, so the parsers (src/parse/) may use them and nothing else.  Error
 * codes are the public HMN_E* values.
 */
#ifndef HMN_UTIL_H
#define HMN_UTIL_H

#include "hypomnesis.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#  define HMN__PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#  define HMN__PRINTF(f, a)
#endif

#define HMN__ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define HMN__MIN(a, b) ((a) < (b) ? (a) : (b))
#define HMN__MAX(a, b) ((a) > (b) ? (a) : (b))
#define HMN__MIB 1048576ull
#define HMN__GIB 1073741824ull

/* snprintf that returns the needed length and never a negative on truncation;
 * HMN_EINVAL for a NULL buf with cap > 0 (NULL with cap 0 is a length query). */
int hmn__snprintf(char *buf, size_t cap, const char *fmt, ...) HMN__PRINTF(3, 4);
/* Build "root/rest" into buf; returns 0 or HMN_ENOBUFS. */
int hmn__path(char *buf, size_t cap, const char *root, const char *fmt, ...) HMN__PRINTF(4, 5);
/* Copy at most cap-1 bytes and NUL-terminate; returns strlen(src). */
size_t hmn__strlcpy(char *dst, const char *src, size_t cap);
/* Trim ASCII whitespace in place: returns the start; writes the new length. */
const char *hmn__trim(const char *s, size_t len, size_t *out_len);
/* Parse exactly `len` bytes as an unsigned decimal (no sign, <= 20 digits). */
int hmn__parse_u64(const char *s, size_t len, uint64_t *out);
/* Length of the well-formed UTF-8 sequence at s (n bytes left), 0 when invalid. */
size_t hmn__utf8_seq(const unsigned char *s, size_t n);
/* 1 when s[0..n) is well-formed UTF-8. */
int hmn__utf8_valid(const char *s, size_t n);
/* The one way names are cut: the longest prefix of s[0..len) of at most max
 * bytes that does not end inside a UTF-8 character. */
size_t hmn__utf8_cut(const char *s, size_t len, size_t max);
/* len without a trailing character that a byte-wise cut left incomplete
 * (the kernel's 15-byte comm); other invalid bytes are kept. */
size_t hmn__utf8_drop_partial(const char *s, size_t len);
/* Copy s[0..len) into dst, cut by hmn__utf8_cut to fit cap-1, NUL-terminated;
 * returns the bytes copied. */
size_t hmn__copy_text(char *dst, size_t cap, const char *src, size_t len);
/* Value of a hex digit, or -1. */
int hmn__hex_digit(char c);
/* Saturating helpers. */
uint64_t hmn__sat_add(uint64_t a, uint64_t b);
uint64_t hmn__sat_mul(uint64_t a, uint64_t b);

#endif /* HMN_UTIL_H */
