/*
 * tests/owner/test_owner.c - hmn_process_owner_info() on the fixture /proc
 * trees of tests/data/owner: user, container, pod and unit of a process as
 * the real cgroup samples there say, and honest gaps when a file is
 * missing or unreadable.
 */
#include "harness.h"
#include "test_support.h"
#include "hypomnesis.h"

#include <stdlib.h>
#include <string.h>

static hmn_ctx *ctx_on(const char *tree)
{
    char path[1024];
    hmn_ctx *ctx = NULL;
    snprintf(path, sizeof(path), "%s/%s", HMN_OWNER_DATA, tree);
    t_setenv("HMN_PROCFS", path);
    if (hmn_ctx_open(&ctx) != HMN_OK)
        return NULL;
    return ctx;
}

/* A Kubernetes pod container: runtime, 64-hex id, pod UID with dashes, QoS, scope. */
static void pod_container_is_named(void)
{
    hmn_process_owner o = HMN_PROCESS_OWNER_INIT;
    hmn_ctx *ctx = ctx_on("proc");
    CHECK(ctx);
    CHECK(hmn_process_owner_info(ctx, 11327, &o) == HMN_OK);
    hmn_ctx_close(ctx);
    CHECK_EQ_U64(o.pid, 11327);
    CHECK(o.valid & HMN_OWNER_HAS_UID);
    CHECK_EQ_U64(o.uid, 0);
    CHECK(o.valid & HMN_OWNER_HAS_USER);
    CHECK_STR(o.user, "root");
    CHECK(o.valid & HMN_OWNER_HAS_CONTAINER);
    CHECK_STR(hmn_runtime_name((int)o.runtime), "containerd");
    CHECK_STR(o.container_id, "a09bc17f5aa29b0dbdec9ede5f46cf1396d2405917ab02e6f1eb1019f388396e");
    CHECK(o.valid & HMN_OWNER_HAS_POD);
    CHECK_STR(o.pod_uid, "1e597579-417e-482f-bf65-5fe170c3aebd");
    CHECK(o.valid & HMN_OWNER_HAS_QOS);
    CHECK_STR(hmn_pod_qos_name((int)o.qos), "besteffort");
    CHECK_STR(o.unit, "cri-containerd-a09bc17f5aa29b0dbdec9ede5f46cf1396d2405917ab02e6f1eb1019f388396e.scope");
    CHECK_EQ_U64(o.cgroup_version, 2);
}

/* A uid nobody has: the number is there, the name is not. */
static void unnamed_uid_keeps_the_number(void)
{
    hmn_process_owner o = HMN_PROCESS_OWNER_INIT;
    hmn_ctx *ctx = ctx_on("proc");
    CHECK(ctx);
    CHECK(hmn_process_owner_info(ctx, 11328, &o) == HMN_OK);
    hmn_ctx_close(ctx);
    CHECK(o.valid & HMN_OWNER_HAS_UID);
    CHECK_EQ_U64(o.uid, 4242);
    CHECK(!(o.valid & HMN_OWNER_HAS_USER));
    CHECK_STR(o.user, "");
    CHECK_STR(hmn_runtime_name((int)o.runtime), "podman");
    CHECK(!(o.valid & HMN_OWNER_HAS_POD));
    CHECK(!(o.valid & HMN_OWNER_HAS_QOS));
    CHECK_STR(o.slice, "machine.slice");
}

/* A file hmn does not understand is no owner; a missing status is no user. */
static void missing_parts_stay_unknown(void)
{
    hmn_process_owner o = HMN_PROCESS_OWNER_INIT;
    hmn_ctx *ctx = ctx_on("proc");
    CHECK(ctx);
    CHECK(hmn_process_owner_info(ctx, 30001, &o) == HMN_OK);
    CHECK(o.valid & HMN_OWNER_HAS_UID);
    CHECK(!(o.valid & (HMN_OWNER_HAS_CGROUP | HMN_OWNER_HAS_CONTAINER | HMN_OWNER_HAS_UNIT)));
    memset(&o, 0xA5, sizeof(o));
    o.size = sizeof(o);
    CHECK(hmn_process_owner_info(ctx, 30002, &o) == HMN_OK);
    CHECK(!(o.valid & (HMN_OWNER_HAS_UID | HMN_OWNER_HAS_USER)));
    CHECK(o.valid & HMN_OWNER_HAS_UNIT);
    CHECK_STR(o.unit, "docker.service");
    CHECK_STR(o.user, ""); /* cleared, not left as the caller's bytes */
    /* A process that is not there at all. */
    CHECK(hmn_process_owner_info(ctx, 4242, &o) == HMN_ENOENT);
    CHECK(strstr(hmn_errmsg(ctx), "4242") != NULL);
    hmn_ctx_close(ctx);
}

/* Across PID namespaces, owners come from the /proc the context reads (the host's). */
static void owner_of_another_namespace(void)
{
    hmn_process_owner o = HMN_PROCESS_OWNER_INIT;
    hmn_ctx *ctx = ctx_on("proc-ns");
    CHECK(ctx);
    CHECK(hmn_process_owner_info(ctx, 11328, &o) == HMN_OK);
    CHECK_STR(hmn_runtime_name((int)o.runtime), "docker");
    CHECK_STR(o.pod_uid, "7d4424e6-bb13-42f4-a47a-45a4828bf54d");
    CHECK_STR(hmn_pod_qos_name((int)o.qos), "burstable");
    CHECK(hmn_process_owner_info(ctx, 11345, &o) == HMN_ENOENT);
    hmn_ctx_close(ctx);
}

static void arguments_are_checked(void)
{
    hmn_process_owner o = HMN_PROCESS_OWNER_INIT;
    hmn_ctx *ctx = ctx_on("proc");
    CHECK(ctx);
    CHECK(hmn_process_owner_info(ctx, 11327, NULL) == HMN_EINVAL);
    o.size = 8;
    CHECK(hmn_process_owner_info(ctx, 11327, &o) == HMN_EVERSION);
    hmn_ctx_close(ctx);
    /* A NULL context works as every other call (a temporary context). */
    o.size = sizeof(o);
    CHECK(hmn_process_owner_info(NULL, 11345, &o) == HMN_OK);
    CHECK_STR(hmn_runtime_name((int)o.runtime), "docker");
    CHECK(hmn_runtime_name(HMN_RUNTIME_UNKNOWN) == NULL);
    CHECK(hmn_runtime_name(99) == NULL);
    CHECK(hmn_pod_qos_name(HMN_QOS_UNKNOWN) == NULL);
    CHECK_STR(hmn_pod_qos_name(HMN_QOS_GUARANTEED), "guaranteed");
}

int main(int argc, char **argv)
{
    static const struct hmn_test tests[] = {
        TEST_ENTRY(pod_container_is_named),
        TEST_ENTRY(unnamed_uid_keeps_the_number),
        TEST_ENTRY(missing_parts_stay_unknown),
        TEST_ENTRY(owner_of_another_namespace),
        TEST_ENTRY(arguments_are_checked),
    };
    return hmn_run_tests(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
