/* The public header compiles alone as strict C99 (no C11 needed by users). */
#include <hypomnesis.h>

int main(void)
{
    hmn_snapshot s = HMN_SNAPSHOT_INIT;
    return (s.size == sizeof(s) && hmn_strerror(HMN_OK)[0] == 's') ? 0 : 1;
}
