/*
 * fuzz/fuzz_cgroup.c - the /proc/<pid>/cgroup parser (src/parse/cgroup.c)
 * and the status "Uid:" field (src/parse/proc.c).  The input sits in a
 * buffer of exactly its size, so ASan catches a read past len.  Beyond "no
 * crash" it checks the contract: only HMN_OK or HMN_EPARSE; on failure
 * nothing is claimed; every string is NUL-terminated inside its field; a
 * container id is 64 hex digits, a pod UID 32 hex or a dashed UUID; a unit
 * or slice holds only the characters systemd allows; the version is 1-3.
 */
#include "util/util.h"
#include "parse/cgroup.h"
#include "parse/proc.h"

#include "fuzz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int terminated(const char *s, size_t cap)
{
    return memchr(s, '\0', cap) != NULL;
}

static int hex_run(const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (hmn__hex_digit(s[i]) < 0)
            return 0;
    return 1;
}

static int unit_chars(const char *s)
{
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              strchr(":_.-@\\", *s)))
            return 0;
    return 1;
}

static void check_info(const struct hmn__cgroup_info *cg)
{
    check(terminated(cg->container_id, sizeof(cg->container_id)));
    check(terminated(cg->pod_uid, sizeof(cg->pod_uid)));
    check(terminated(cg->unit, sizeof(cg->unit)));
    check(terminated(cg->slice, sizeof(cg->slice)));
    check(cg->version >= 1 && cg->version <= 3);
    check(cg->valid & HMN_OWNER_HAS_CGROUP);
    if (cg->valid & HMN_OWNER_HAS_CONTAINER)
        check(strlen(cg->container_id) == 64 && hex_run(cg->container_id, 64));
    check(cg->runtime <= HMN_RUNTIME_PODMAN);
    if (cg->valid & HMN_OWNER_HAS_POD) {
        size_t n = strlen(cg->pod_uid);
        check(n == 32 || n == 36);
        check((cg->valid & HMN_OWNER_HAS_QOS) && cg->qos >= HMN_QOS_GUARANTEED &&
              cg->qos <= HMN_QOS_BESTEFFORT);
    }
    if (cg->valid & HMN_OWNER_HAS_UNIT)
        check(cg->unit[0] && unit_chars(cg->unit));
    if (cg->valid & HMN_OWNER_HAS_SLICE)
        check(cg->slice[0] && unit_chars(cg->slice));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct hmn__cgroup_info cg;
    uint32_t uid = 0xA5A5A5A5u;
    char *buf = fuzz_copy(data, size);
    int rc;
    if (!buf)
        return 0;
    rc = hmn__parse_cgroup(buf, size, &cg);
    check(rc == HMN_OK || rc == HMN_EPARSE);
    if (rc == HMN_OK)
        check_info(&cg);
    else
        check(cg.valid == 0);
    rc = hmn__parse_status_uid(buf, size, &uid);
    check(rc == HMN_OK || rc == HMN_ENOENT || rc == HMN_EPARSE);
    check(rc == HMN_OK || uid == 0xA5A5A5A5u);
    free(buf);
    return 0;
}
