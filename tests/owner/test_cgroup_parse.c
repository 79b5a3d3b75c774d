/*
 * tests/owner/test_cgroup_parse.c - the /proc/<pid>/cgroup parser on the real
 * samples of tests/data/cgroup (expected.txt says what each must give), and
 * on hostile and malformed input.
 */
#include "harness.h"
#include "util/util.h"
#include "parse/cgroup.h"

#include <stdio.h>
#include <string.h>

static int parse_str(const char *text, struct hmn__cgroup_info *cg)
{
    return hmn__parse_cgroup(text, strlen(text), cg);
}

static const char *runtime_or_dash(const struct hmn__cgroup_info *cg)
{
    const char *n;
    if (!(cg->valid & HMN_OWNER_HAS_CONTAINER))
        return "-";
    n = hmn_runtime_name((int)cg->runtime);
    return n ? n : "-";
}

static const char *field(const struct hmn__cgroup_info *cg, uint64_t bit, const char *value)
{
    return (cg->valid & bit) ? value : "-";
}

/* Split one expected.txt line into its 8 fields (in place). */
static int split_fields(char *line, char **f, int max)
{
    int n = 0;
    char *p = line;
    while (n < max) {
        char *bar = strchr(p, '|');
        f[n++] = p;
        if (!bar)
            break;
        *bar = '\0';
        p = bar + 1;
    }
    return n;
}

/* Every real sample parses to exactly what expected.txt says. */
static void every_sample_gives_its_owner(void)
{
    char path[1024], line[2048], buf[16384];
    FILE *ex;
    int samples = 0;
    snprintf(path, sizeof(path), "%s/expected.txt", HMN_CGROUP_DATA);
    ex = fopen(path, "r");
    CHECK(ex != NULL);
    while (fgets(line, sizeof(line), ex)) {
        char *f[8], ver[8];
        struct hmn__cgroup_info cg;
        size_t len;
        FILE *in;
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        if (split_fields(line, f, 8) != 8) {
            fclose(ex);
            CHECK(!"expected.txt: a line without 8 fields");
        }
        snprintf(path, sizeof(path), "%s/%s", HMN_CGROUP_DATA, f[0]);
        in = fopen(path, "rb");
        if (!in)
            fprintf(stderr, "missing sample %s\n", path);
        CHECK(in != NULL);
        len = fread(buf, 1, sizeof(buf), in);
        fclose(in);
        if (hmn__parse_cgroup(buf, len, &cg) != HMN_OK)
            fprintf(stderr, "%s: parse failed\n", f[0]);
        CHECK(hmn__parse_cgroup(buf, len, &cg) == HMN_OK);
        snprintf(ver, sizeof(ver), "%u", cg.version);
        fprintf(stderr, "%s: %s|%s|%s|%s|%s|%s|%s\n", f[0], ver, runtime_or_dash(&cg),
                field(&cg, HMN_OWNER_HAS_CONTAINER, cg.container_id),
                field(&cg, HMN_OWNER_HAS_POD, cg.pod_uid),
                (cg.valid & HMN_OWNER_HAS_QOS) ? hmn_pod_qos_name((int)cg.qos) : "-",
                field(&cg, HMN_OWNER_HAS_UNIT, cg.unit), field(&cg, HMN_OWNER_HAS_SLICE, cg.slice));
        CHECK(cg.valid & HMN_OWNER_HAS_CGROUP);
        CHECK_STR(ver, f[1]);
        CHECK_STR(runtime_or_dash(&cg), f[2]);
        CHECK_STR(field(&cg, HMN_OWNER_HAS_CONTAINER, cg.container_id), f[3]);
        CHECK_STR(field(&cg, HMN_OWNER_HAS_POD, cg.pod_uid), f[4]);
        CHECK_STR((cg.valid & HMN_OWNER_HAS_QOS) ? hmn_pod_qos_name((int)cg.qos) : "-", f[5]);
        CHECK_STR(field(&cg, HMN_OWNER_HAS_UNIT, cg.unit), f[6]);
        CHECK_STR(field(&cg, HMN_OWNER_HAS_SLICE, cg.slice), f[7]);
        samples++;
    }
    fclose(ex);
    CHECK(samples >= 20);
}

/* A container id is exactly 64 hex digits: 63 or 65 are not one. */
static void container_ids_are_exactly_64_hex(void)
{
    struct hmn__cgroup_info cg;
    CHECK(parse_str("0::/system.slice/docker-"
                    "9b98bb265ea4c149d9a786380dd07716d341c3e925f2616040c6cd9ac8c4b75.scope\n",
                    &cg) == HMN_OK);
    CHECK(!(cg.valid & HMN_OWNER_HAS_CONTAINER));
    CHECK(cg.valid & HMN_OWNER_HAS_UNIT); /* still a systemd scope */
    CHECK(parse_str("1:name=systemd:/docker/"
                    "9b98bb265ea4c149d9a786380dd07716d341c3e925f2616040c6cd9ac8c4b75cc\n",
                    &cg) == HMN_OK);
    CHECK(!(cg.valid & HMN_OWNER_HAS_CONTAINER));
    CHECK(parse_str("1:name=systemd:/docker/"
                    "9b98bb265ea4c149d9a786380dd07716d341c3e925f2616040c6cd9ac8c4b7zz\n",
                    &cg) == HMN_OK);
    CHECK(!(cg.valid & HMN_OWNER_HAS_CONTAINER));
}

/* The unified hierarchy has one line: a second one can only be injected
 * through a cgroup name holding a newline, so the file is refused. */
static void a_second_unified_line_is_refused(void)
{
    struct hmn__cgroup_info cg;
    CHECK(parse_str("0::/user.slice/user-1000.slice/user@1000.service/app.slice/x\n"
                    "0::/kubepods.slice/kubepods-pod0b41d4e1_6e1b_4c4d_9a1c_2f3c4d5e6f70.slice\n",
                    &cg) == HMN_EPARSE);
    CHECK(cg.valid == 0);
}

static void malformed_files_are_refused(void)
{
    static const char *const bad[] = {"",        "\n",         "garbage\n", "0:/x\n",
                                      ":x:/y\n", "1x:cpu:/\n", "0::\n",     "0::relative\n",
                                      "1:cpu:/\nnot a line\n"};
    struct hmn__cgroup_info cg;
    size_t i;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (parse_str(bad[i], &cg) != HMN_EPARSE)
            fprintf(stderr, "accepted: \"%s\"\n", bad[i]);
        CHECK(parse_str(bad[i], &cg) == HMN_EPARSE);
    }
    /* No final newline is fine (a file read without its last byte is not). */
    CHECK(parse_str("0::/init.scope", &cg) == HMN_OK);
    CHECK_STR(cg.unit, "init.scope");
}

/* A unit name with characters systemd never writes is not reported. */
static void odd_unit_names_are_not_units(void)
{
    struct hmn__cgroup_info cg;
    CHECK(parse_str("0::/system.slice/evil name.service\n", &cg) == HMN_OK);
    CHECK(!(cg.valid & HMN_OWNER_HAS_UNIT));
    CHECK(cg.valid & HMN_OWNER_HAS_SLICE);
    CHECK(parse_str("0::/system.slice/\x1b[2J.service\n", &cg) == HMN_OK);
    CHECK(!(cg.valid & HMN_OWNER_HAS_UNIT));
    CHECK(parse_str("0::/system.slice/caf\xc3\xa9.service\n", &cg) == HMN_OK);
    CHECK(!(cg.valid & HMN_OWNER_HAS_UNIT));
}

/* "pod" followed by a UUID outside kubepods is not a pod; one with a bad
 * UUID inside kubepods is not either, and the QoS then stays unknown. */
static void pods_need_kubepods_and_a_uid(void)
{
    struct hmn__cgroup_info cg;
    CHECK(parse_str("0::/system.slice/pod0125ec2f-b64a-4868-8f5b-94b56cbab864\n", &cg) == HMN_OK);
    CHECK(!(cg.valid & HMN_OWNER_HAS_POD));
    CHECK(parse_str("0::/kubepods.slice/kubepods-burstable.slice/"
                    "kubepods-burstable-pod0125ec2f_b64a_4868_8f5b_94b56cbab86.slice\n",
                    &cg) == HMN_OK);
    CHECK(!(cg.valid & HMN_OWNER_HAS_POD));
    CHECK(!(cg.valid & HMN_OWNER_HAS_QOS));
    /* A static pod's UID is the 32 hex digits of its config hash. */
    CHECK(parse_str("0::/kubepods.slice/kubepods-burstable.slice/"
                    "kubepods-burstable-pod187bff14cccb94f179e943eacce55bb3.slice\n",
                    &cg) == HMN_OK);
    CHECK(cg.valid & HMN_OWNER_HAS_POD);
    CHECK_STR(cg.pod_uid, "187bff14cccb94f179e943eacce55bb3");
    CHECK_EQ_U64(cg.qos, HMN_QOS_BURSTABLE);
}

/* The colon notation with a prefix no runtime uses is not a container. */
static void unknown_colon_prefix_is_not_a_container(void)
{
    struct hmn__cgroup_info cg;
    CHECK(parse_str("1:name=systemd:/system.slice/x.slice:frob:"
                    "ee4b20e90ac7f42a10bd004d05646b13d8ab5e2c5e7cbc01abf8006bac016459\n",
                    &cg) == HMN_OK);
    CHECK(!(cg.valid & HMN_OWNER_HAS_CONTAINER));
}

/* Names stay inside their fields, whatever the input length. */
static void long_components_are_bounded(void)
{
    char buf[2048];
    struct hmn__cgroup_info cg;
    size_t n;
    memcpy(buf, "0::/system.slice/", 17);
    n = 17;
    while (n < 1000)
        buf[n++] = 'a';
    memcpy(buf + n, ".service\n", 10);
    CHECK(parse_str(buf, &cg) == HMN_OK);
    CHECK(!(cg.valid & HMN_OWNER_HAS_UNIT)); /* longer than systemd's 255 */
    CHECK(strlen(cg.slice) < sizeof(cg.slice));
}

int main(int argc, char **argv)
{
    static const struct hmn_test tests[] = {
        TEST_ENTRY(every_sample_gives_its_owner),
        TEST_ENTRY(container_ids_are_exactly_64_hex),
        TEST_ENTRY(a_second_unified_line_is_refused),
        TEST_ENTRY(malformed_files_are_refused),
        TEST_ENTRY(odd_unit_names_are_not_units),
        TEST_ENTRY(pods_need_kubepods_and_a_uid),
        TEST_ENTRY(unknown_colon_prefix_is_not_a_container),
        TEST_ENTRY(long_components_are_bounded),
    };
    return hmn_run_tests(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
