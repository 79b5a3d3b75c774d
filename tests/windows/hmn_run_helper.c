/*
 * tests/windows/hmn_run_helper.c - a child for test_win_spawn:
 *   args A B ...   print each argument as [arg] on its own line
 *   exit N         exit with status N
 *   sleep MS       sleep, then print "woke"
 *   flood N        write N bytes of 'x' to stdout
 *   stderr         write to stderr only (the parent must discard it)
 *   tree           start "sleep 20000" as a grandchild sharing stdout,
 *                  print "gc <pid>", then sleep 20 s
 *   alloc MB       commit and touch MB MiB, print "ready", sleep 20 s
 *   tree-alloc MB  as tree, with "alloc MB" as the grandchild (test_win_sampler)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

int main(int argc, char **argv)
{
    int i;
    if (argc < 2)
        return 100;
    if (strcmp(argv[1], "args") == 0) {
        for (i = 2; i < argc; i++)
            printf("[%s]\n", argv[i]);
        return 0;
    }
    if (strcmp(argv[1], "exit") == 0 && argc > 2)
        return atoi(argv[2]);
    if (strcmp(argv[1], "sleep") == 0 && argc > 2) {
        Sleep((DWORD)atoi(argv[2]));
        printf("woke\n");
        return 0;
    }
    if (strcmp(argv[1], "flood") == 0 && argc > 2) {
        long n = atol(argv[2]);
        for (; n > 0; n--)
            putchar('x');
        return 0;
    }
    if (strcmp(argv[1], "alloc") == 0 && argc > 2) {
        SIZE_T n = (SIZE_T)atol(argv[2]) << 20, k;
        volatile unsigned char *p = VirtualAlloc(NULL, n, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
        if (!p)
            return 103;
        for (k = 0; k < n; k += 4096)
            p[k] = 1;
        printf("ready\n");
        fflush(stdout);
        Sleep(20000);
        return 0;
    }
    if (strcmp(argv[1], "tree") == 0 || (strcmp(argv[1], "tree-alloc") == 0 && argc > 2)) {
        STARTUPINFOA si;
        PROCESS_INFORMATION pi;
        char cmd[MAX_PATH + 32], self[MAX_PATH];
        GetModuleFileNameA(NULL, self, sizeof(self));
        if (strcmp(argv[1], "tree") == 0)
            snprintf(cmd, sizeof(cmd), "\"%s\" sleep 20000", self);
        else
            snprintf(cmd, sizeof(cmd), "\"%s\" alloc %d", self, atoi(argv[2]));
        memset(&si, 0, sizeof(si));
        si.cb = sizeof(si);
        si.dwFlags = STARTF_USESTDHANDLES;
        si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
        si.hStdOutput = GetStdHandle(STD_OUTPUT_HANDLE);
        si.hStdError = GetStdHandle(STD_ERROR_HANDLE);
        if (!CreateProcessA(self, cmd, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi))
            return 102;
        printf("gc %lu\n", (unsigned long)pi.dwProcessId);
        fflush(stdout);
        Sleep(20000);
        return 0;
    }
    if (strcmp(argv[1], "stderr") == 0) {
        fprintf(stderr, "only on stderr\n");
        return 0;
    }
    return 101;
}
