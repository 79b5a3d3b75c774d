/*
 * tests/windows/hmn_run_helper.c - a child for test_win_spawn:
 *   args A B ...   print each argument as [arg] on its own line
 *   exit N         exit with status N
 *   sleep MS       sleep, then print "woke"
 *   flood N        write N bytes of 'x' to stdout
 *   stderr         write to stderr only (the parent must discard it)
 *   tree           start "sleep 20000" as a grandchild sharing stdout,
 *                  print "gc <pid>", then sleep 20 s
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
    if (strcmp(argv[1], "tree") == 0) {
        STARTUPINFOA si;
        PROCESS_INFORMATION pi;
        char cmd[MAX_PATH + 32], self[MAX_PATH];
        GetModuleFileNameA(NULL, self, sizeof(self));
        snprintf(cmd, sizeof(cmd), "\"%s\" sleep 20000", self);
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
