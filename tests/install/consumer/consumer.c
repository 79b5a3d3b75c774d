/* Consumer of the installed library: prints its version and our RSS. */
#include <hypomnesis.h>

#include <stdio.h>
#include <string.h>

int main(void)
{
    uint64_t rss = 0;
    if (strcmp(hmn_version(), HMN_VERSION_STRING) != 0)
        return 2;
    if (hmn_process_rss(NULL, &rss) != HMN_OK || rss == 0)
        return 3;
    printf("hypomnesis %s rss %llu\n", hmn_version(), (unsigned long long)rss);
    return 0;
}
