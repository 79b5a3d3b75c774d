// The public header is usable from C++ (extern "C", no C-only constructs).
#include <hypomnesis.h>

#include <cstring>

int main()
{
    hmn_rss r;
    std::memset(&r, 0, sizeof(r));
    r.size = sizeof(r);
    uint64_t rss = 0;
    if (hmn_process_rss(nullptr, &rss) != HMN_OK || rss == 0)
        return 1;
    return std::strcmp(hmn_err_name(HMN_EINVAL), "HMN_EINVAL") == 0 ? 0 : 1;
}
