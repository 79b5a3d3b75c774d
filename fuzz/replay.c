/*
 * fuzz/replay.c - run a harness over every file of a corpus folder, without
 * libFuzzer, so the corpus is an ordinary regression test (built with the
 * sanitizers of the build it is in).  Prints "N passed, 0 failed"; a crash
 * fails the test by itself.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    long n;
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc(n > 0 ? (size_t)n : 1);
    if (!buf || (n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n)) {
        free(buf);
        fclose(f);
        return -1;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(buf, (size_t)(n > 0 ? n : 0));
    free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    int count = 0, bad = 0, i;
    for (i = 1; i < argc; i++) {
        DIR *d = opendir(argv[i]);
        struct dirent *de;
        if (!d) {
            bad += run_file(argv[i]) != 0;
            count++;
            continue;
        }
        while ((de = readdir(d)) != NULL) {
            char path[4096];
            if (de->d_name[0] == '.')
                continue;
            snprintf(path, sizeof(path), "%s/%s", argv[i], de->d_name);
            if (run_file(path) != 0)
                bad++;
            count++;
        }
        closedir(d);
    }
    printf("%d passed, %d failed\n", count - bad, bad);
    return (bad || count == 0) ? 1 : 0;
}
