/*
 * examples/print_demo.c - two snapshots around a 50 MiB allocation and the
 * four report formatters (the C twin of upstream's print_demo example).
 */
#include <hypomnesis.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    hmn_snapshot before = HMN_SNAPSHOT_INIT, after = HMN_SNAPSHOT_INIT;
    hmn_ctx *ctx = NULL;
    char buf[512];
    size_t size = 50u * 1024 * 1024;
    char *hold;

    puts("--- hypomnesis print_demo ---");
    if (hmn_ctx_open(&ctx) != HMN_OK || hmn_snapshot_now(ctx, 0, &before) != HMN_OK) {
        fprintf(stderr, "snapshot failed: %s\n", hmn_errmsg(ctx));
        hmn_ctx_close(ctx);
        return 1;
    }
    /* Touch every page so the OS commits them and RSS moves. */
    hold = malloc(size);
    if (!hold) {
        hmn_ctx_close(ctx);
        return 1;
    }
    memset(hold, 1, size);
    if (hmn_snapshot_now(ctx, 0, &after) != HMN_OK) {
        fprintf(stderr, "snapshot failed: %s\n", hmn_errmsg(ctx));
        free(hold);
        hmn_ctx_close(ctx);
        return 1;
    }
    puts("--- print_delta ---");
    hmn_print_delta(&before, &after, "alloc 50 MiB");
    puts("--- print_before_after ---");
    hmn_print_before_after(&before, &after, "alloc 50 MiB");
    puts("--- format_delta (written to a buffer, no newline added by us) ---");
    hmn_format_delta(buf, sizeof(buf), &before, &after, "alloc 50 MiB");
    fputs(buf, stdout);
    puts("--- format_before_after (written to a buffer, no newline added by us) ---");
    hmn_format_before_after(buf, sizeof(buf), &before, &after, "alloc 50 MiB");
    fputs(buf, stdout);
    /* Keep the allocation alive until after the second snapshot. */
    printf("(held %d)\n", hold[size - 1]);
    free(hold);
    hmn_ctx_close(ctx);
    return 0;
}
