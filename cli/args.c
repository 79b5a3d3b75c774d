/*
 * cli/args.c - a small clap-like argument parser and the --filter matcher.
 * Pure functions (no I/O, no allocation) so the fuzzer can drive them; the
 * error texts follow clap 4, which upstream's users and scripts know.  What
 * prints (help, usage errors) is cli/diag.c.
 */
#include "cli.h"

#include <ctype.h>
#include <string.h>

/* Bounded appender: writes what fits, always NUL-terminates. */
struct sink {
    char *buf;
    size_t cap, len;
};

static void put(struct sink *s, const char *text)
{
    size_t n = strlen(text);
    if (!s->buf || s->cap == 0)
        return;
    if (s->len + 1 >= s->cap)
        return;
    if (n > s->cap - 1 - s->len)
        n = s->cap - 1 - s->len;
    memcpy(s->buf + s->len, text, n);
    s->len += n;
    s->buf[s->len] = '\0';
}

static void put_opt(struct sink *s, const struct cli_opt *o)
{
    put(s, o->name);
    if (o->value_name) {
        put(s, " <");
        put(s, o->value_name);
        put(s, ">");
    }
}

static void put_tail(struct sink *s, const struct cli_cmd *cmd, int with_usage)
{
    if (with_usage) {
        put(s, "\n\nUsage: ");
        put(s, cmd->usage);
    }
    put(s, "\n\nFor more information, try '--help'.\n");
}

static int fail_unexpected(struct sink *s, const struct cli_cmd *cmd, const char *arg)
{
    put(s, "error: unexpected argument '");
    put(s, arg);
    put(s, "' found");
    put_tail(s, cmd, 1);
    return ARGS_USAGE;
}

/* Find a long option by the text before '=' (len bytes). */
static int find_long(const struct cli_cmd *cmd, const char *arg, size_t len)
{
    size_t i;
    for (i = 0; i < cmd->nopts; i++)
        if (strlen(cmd->opts[i].name) == len && strncmp(cmd->opts[i].name, arg, len) == 0)
            return (int)i;
    return -1;
}

static int find_short(const struct cli_cmd *cmd, char c)
{
    size_t i;
    for (i = 0; i < cmd->nopts; i++)
        if (cmd->opts[i].short_name && cmd->opts[i].short_name == c)
            return (int)i;
    return -1;
}

static void add(struct cli_args *out, int opt, const char *value)
{
    out->items[out->count].opt = opt;
    out->items[out->count].value = value;
    out->count++;
}

size_t cli_args_count(const struct cli_args *a, int opt, const char **last)
{
    size_t i, n = 0;
    for (i = 0; i < a->count; i++) {
        if (a->items[i].opt != opt)
            continue;
        n++;
        if (last)
            *last = a->items[i].value;
    }
    return n;
}

const char *cli_args_value(const struct cli_args *a, int opt, size_t n)
{
    size_t i;
    for (i = 0; i < a->count; i++)
        if (a->items[i].opt == opt && n-- == 0)
            return a->items[i].value;
    return NULL;
}

/* One option occurrence; *i may advance past a separate value. */
static int take_option(const struct cli_cmd *cmd, int o, const char *inline_val, int argc,
                       char *const *argv, int *i, struct cli_args *out, struct sink *s)
{
    const struct cli_opt *opt = &cmd->opts[o];
    if (!(opt->flags & OPT_MULTI) && cli_args_count(out, o, NULL) > 0) {
        put(s, "error: the argument '");
        put_opt(s, opt);
        put(s, "' cannot be used multiple times");
        put_tail(s, cmd, 1);
        return ARGS_USAGE;
    }
    if (!opt->value_name) {
        if (inline_val) {
            put(s, "error: unexpected value '");
            put(s, inline_val);
            put(s, "' for '");
            put(s, opt->name);
            put(s, "' found; no more were expected");
            put_tail(s, cmd, 1);
            return ARGS_USAGE;
        }
        add(out, o, NULL);
        return ARGS_OK;
    }
    if (!inline_val) {
        if (*i + 1 >= argc || (argv[*i + 1][0] == '-' && argv[*i + 1][1] != '\0')) {
            put(s, "error: a value is required for '");
            put_opt(s, opt);
            put(s, "' but none was supplied");
            put_tail(s, cmd, 0);
            return ARGS_USAGE;
        }
        inline_val = argv[++*i];
    }
    add(out, o, inline_val);
    return ARGS_OK;
}

static int take_positional(const struct cli_cmd *cmd, const char *arg, struct cli_args *out,
                           struct sink *s)
{
    if (!cmd->pos_name || (!cmd->pos_multi && cli_args_count(out, -1, NULL) > 0))
        return fail_unexpected(s, cmd, arg);
    add(out, -1, arg);
    return ARGS_OK;
}

static int take_dash(const struct cli_cmd *cmd, int argc, char *const *argv, int *i,
                     struct cli_args *out, struct sink *s)
{
    const char *arg = argv[*i];
    int o;
    if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
        out->help = 1;
        return ARGS_HELP;
    }
    if (arg[1] == '-') {
        const char *eq = strchr(arg, '=');
        size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
        o = find_long(cmd, arg, len);
        if (o >= 0)
            return take_option(cmd, o, eq ? eq + 1 : NULL, argc, argv, i, out, s);
    } else if (arg[2] == '\0') {
        o = find_short(cmd, arg[1]);
        if (o >= 0)
            return take_option(cmd, o, NULL, argc, argv, i, out, s);
    }
    return fail_unexpected(s, cmd, arg);
}

static int check_required(const struct cli_cmd *cmd, const struct cli_args *out, struct sink *s)
{
    if (!cmd->pos_required || cli_args_count(out, -1, NULL) > 0)
        return ARGS_OK;
    put(s, "error: the following required arguments were not provided:\n  ");
    put(s, cmd->pos_name);
    put_tail(s, cmd, 1);
    return ARGS_USAGE;
}

int cli_args_parse(const struct cli_cmd *cmd, int argc, char *const *argv, struct cli_args *out,
                   char *err, size_t errcap)
{
    struct sink s = {err, errcap, 0};
    int i, rc, rest = 0;
    if (err && errcap)
        err[0] = '\0';
    out->count = 0;
    out->help = 0;
    for (i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!rest && strcmp(arg, "--") == 0) {
            rest = 1;
            continue;
        }
        if (!rest && arg[0] == '-' && arg[1] != '\0')
            rc = take_dash(cmd, argc, argv, &i, out, &s);
        else {
            rc = take_positional(cmd, arg, out, &s);
            if (cmd->trailing)
                rest = 1;
        }
        if (rc != ARGS_OK)
            return rc;
    }
    return check_required(cmd, out, &s);
}

/* Case-insensitive (ASCII) substring. */
static int contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle), i;
    for (; *hay; hay++) {
        for (i = 0; i < n && hay[i]; i++)
            if (tolower((unsigned char)hay[i]) != tolower((unsigned char)needle[i]))
                break;
        if (i == n)
            return 1;
    }
    return n == 0;
}

int matches_any_filter(const struct cli_args *a, int opt, const char *name)
{
    const char *v;
    size_t i;
    for (i = 0; (v = cli_args_value(a, opt, i)) != NULL; i++)
        if (contains_ci(name, v))
            return 1;
    return 0;
}
