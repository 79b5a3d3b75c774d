/*
 * common/grow.h - room for one more item in a heap array, overflow-checked.
 *
 * Header-only and libc-only (src/common/ is shared by the library, the CLI
 * and the tests, which cannot link the library's hidden symbols).
 */
#ifndef HMN_COMMON_GROW_H
#define HMN_COMMON_GROW_H

#include <stdint.h>
#include <stdlib.h>

/*
 * Make room for `need` items of `elem` bytes: the capacity doubles from
 * `first` until it fits.  Returns the (possibly moved) array and updates
 * *cap, or NULL when the size would overflow or realloc fails; the old
 * array is then untouched and still the caller's.
 */
static inline void *hmn__grow(void *items, size_t *cap, size_t need, size_t elem, size_t first)
{
    size_t ncap = *cap ? *cap : (first ? first : 1);
    void *p;
    if (need <= *cap)
        return items;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2)
            return NULL;
        ncap *= 2;
    }
    if (elem == 0 || ncap > SIZE_MAX / elem)
        return NULL;
    p = realloc(items, ncap * elem);
    if (p)
        *cap = ncap;
    return p;
}

#endif /* HMN_COMMON_GROW_H */
