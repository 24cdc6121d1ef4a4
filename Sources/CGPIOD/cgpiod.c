// libgpiod shim. v1 (1.6) is used when <gpiod.h> defines GPIOD_LINE_BULK_MAX_LINES (1.x only);
// otherwise the 2.x API. Everything above the #ifdef is shared.
#include "cgpiod.h"
#include <gpiod.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void copy_name(char *dst, const char *src) {
    if (!src) { dst[0] = 0; return; }
    snprintf(dst, CGPIOD_NAME_MAX, "%s", src);
}

static int chip_number(const char *d_name) {
    // "gpiochip12" -> 12; anything else -> -1
    if (strncmp(d_name, "gpiochip", 8) != 0 || !d_name[8]) return -1;
    char *end;
    long n = strtol(d_name + 8, &end, 10);
    return *end ? -1 : (int)n;
}

static int cmp_paths(const void *a, const void *b) {
    const char *pa = a, *pb = b;
    return chip_number(pa + 5) - chip_number(pb + 5);  // skip "/dev/"
}

int cgpiod_list_chip_paths(char *buf, unsigned long buflen) {
    enum { MAX = 64 };
    char paths[MAX][CGPIOD_NAME_MAX];
    DIR *d = opendir("/dev");
    if (!d) return -errno;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < MAX) {
        if (chip_number(e->d_name) < 0) continue;
        // chip_number() accepted only "gpiochip<digits>", so the name is short; the precision
        // just bounds it for the compiler.
        snprintf(paths[n++], CGPIOD_NAME_MAX, "/dev/%.58s", e->d_name);
    }
    closedir(d);
    qsort(paths, n, CGPIOD_NAME_MAX, cmp_paths);
    if (buflen) buf[0] = 0;
    unsigned long used = 0;
    for (int i = 0; i < n; i++) {
        int w = snprintf(buf + used, buflen - used, "%s\n", paths[i]);
        if (w < 0 || (unsigned long)w >= buflen - used) return i;  // buffer full: what fitted
        used += (unsigned long)w;
    }
    return n;
}

struct cgpiod_chip {
    struct gpiod_chip *chip;
    char path[256];
    char name[CGPIOD_NAME_MAX];
    char label[CGPIOD_NAME_MAX];
    unsigned int num_lines;
};

const char *cgpiod_chip_name(const cgpiod_chip *c) { return c->name; }
const char *cgpiod_chip_label(const cgpiod_chip *c) { return c->label; }
const char *cgpiod_chip_path(const cgpiod_chip *c) { return c->path; }
unsigned int cgpiod_chip_num_lines(const cgpiod_chip *c) { return c->num_lines; }

int cgpiod_chip_find_line(cgpiod_chip *c, const char *name) {
    // A scan of line info rather than the library's finder: same result on both versions, and
    // names are unique enough on one chip (the Pi's header chip names each line once).
    for (unsigned int i = 0; i < c->num_lines; i++) {
        cgpiod_line_info info;
        int r = cgpiod_chip_line_info(c, i, &info);
        if (r < 0) return r;
        if (strcmp(info.name, name) == 0) return (int)i;
    }
    return -ENOENT;
}

#ifdef GPIOD_LINE_BULK_MAX_LINES
/* ======================================================================= libgpiod 1.x */

struct cgpiod_request {
    // v1 ties a request to a line object owned by a chip, and gpiod_chip_close() releases every
    // requested line of that chip. Each request therefore opens its own chip handle, so a line
    // outlives (and is independent of) the handle used for lookups.
    struct gpiod_chip *chip;
    struct gpiod_line *line;
};

int cgpiod_is_v2(void) { return 0; }
const char *cgpiod_version(void) { return gpiod_version_string(); }

cgpiod_chip *cgpiod_chip_open(const char *path, int *err) {
    // gpiod_chip_open checks that path is a GPIO character device (ENODEV otherwise).
    struct gpiod_chip *g = gpiod_chip_open(path);
    if (!g) { *err = errno; return NULL; }
    cgpiod_chip *c = calloc(1, sizeof *c);
    if (!c) { gpiod_chip_close(g); *err = ENOMEM; return NULL; }
    c->chip = g;
    snprintf(c->path, sizeof c->path, "%s", path);
    copy_name(c->name, gpiod_chip_name(g));
    copy_name(c->label, gpiod_chip_label(g));
    c->num_lines = gpiod_chip_num_lines(g);
    return c;
}

void cgpiod_chip_close(cgpiod_chip *c) {
    if (!c) return;
    gpiod_chip_close(c->chip);
    free(c);
}

int cgpiod_chip_line_info(cgpiod_chip *c, unsigned int offset, cgpiod_line_info *out) {
    if (offset >= c->num_lines) return -EINVAL;
    struct gpiod_line *l = gpiod_chip_get_line(c->chip, offset);
    if (!l) return -errno;
    // get_line caches the line object: refresh so consumer/direction are current.
    if (gpiod_line_update(l) < 0) return -errno;
    memset(out, 0, sizeof *out);
    out->offset = offset;
    copy_name(out->name, gpiod_line_name(l));
    copy_name(out->consumer, gpiod_line_consumer(l));
    out->is_output = gpiod_line_direction(l) == GPIOD_LINE_DIRECTION_OUTPUT;
    out->is_used = gpiod_line_is_used(l);
    out->active_low = gpiod_line_active_state(l) == GPIOD_LINE_ACTIVE_STATE_LOW;
    return 0;
}

static cgpiod_request *request(cgpiod_chip *c, unsigned int offset, const char *consumer,
                               int type, int flags, int value, int *err) {
    if (offset >= c->num_lines) { *err = EINVAL; return NULL; }
    cgpiod_request *r = calloc(1, sizeof *r);
    if (!r) { *err = ENOMEM; return NULL; }
    r->chip = gpiod_chip_open(c->path);
    if (!r->chip) { *err = errno; free(r); return NULL; }
    r->line = gpiod_chip_get_line(r->chip, offset);
    struct gpiod_line_request_config cfg = { .consumer = consumer, .request_type = type, .flags = flags };
    // EBUSY: another consumer holds the line. EINVAL with bias flags: kernel < 5.5.
    if (!r->line || gpiod_line_request(r->line, &cfg, value) < 0) {
        *err = errno;
        gpiod_chip_close(r->chip);
        free(r);
        return NULL;
    }
    return r;
}

cgpiod_request *cgpiod_request_output(cgpiod_chip *c, unsigned int offset, const char *consumer,
                                      int active_low, int value, int *err) {
    int flags = active_low ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0;
    return request(c, offset, consumer, GPIOD_LINE_REQUEST_DIRECTION_OUTPUT, flags, value, err);
}

cgpiod_request *cgpiod_request_input(cgpiod_chip *c, unsigned int offset, const char *consumer,
                                     int active_low, cgpiod_bias bias, unsigned long debounce_us,
                                     int *debounced, int *err) {
    (void)debounce_us;  // the v1 uAPI has no debounce: the caller debounces in software
    *debounced = 0;
    int flags = active_low ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0;
    switch (bias) {
    case CGPIOD_BIAS_AS_IS: break;
    case CGPIOD_BIAS_DISABLED: flags |= GPIOD_LINE_REQUEST_FLAG_BIAS_DISABLE; break;
    case CGPIOD_BIAS_PULL_UP: flags |= GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP; break;
    case CGPIOD_BIAS_PULL_DOWN: flags |= GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN; break;
    }
    return request(c, offset, consumer, GPIOD_LINE_REQUEST_EVENT_BOTH_EDGES, flags, 0, err);
}

int cgpiod_request_set_value(cgpiod_request *r, int value) {
    return gpiod_line_set_value(r->line, value) < 0 ? -errno : 0;
}

int cgpiod_request_get_value(cgpiod_request *r) {
    int v = gpiod_line_get_value(r->line);
    return v < 0 ? -errno : v;
}

int cgpiod_request_wait(cgpiod_request *r, int64_t timeout_ns) {
    if (timeout_ns < 0) timeout_ns = 0;
    struct timespec ts = { .tv_sec = timeout_ns / 1000000000, .tv_nsec = timeout_ns % 1000000000 };
    int rc = gpiod_line_event_wait(r->line, &ts);
    return rc < 0 ? -errno : rc;
}

int cgpiod_request_read_events(cgpiod_request *r, cgpiod_event *events, int max) {
    struct gpiod_line_event buf[16];
    if (max > 16) max = 16;
    if (max <= 0) return 0;
    int n = gpiod_line_event_read_multiple(r->line, buf, (unsigned int)max);
    if (n < 0) return -errno;
    for (int i = 0; i < n; i++) {
        // Since kernel 5.7 the v1 event timestamp is CLOCK_MONOTONIC (ktime_get_ns), and the edge
        // kind is the logical value after the edge, so active-low is already applied.
        events[i].rising = buf[i].event_type == GPIOD_LINE_EVENT_RISING_EDGE;
        events[i].timestamp_ns = (uint64_t)buf[i].ts.tv_sec * 1000000000ull + (uint64_t)buf[i].ts.tv_nsec;
    }
    return n;
}

void cgpiod_request_release(cgpiod_request *r) {
    if (!r) return;
    gpiod_line_release(r->line);
    gpiod_chip_close(r->chip);
    free(r);
}

#else
/* ======================================================================= libgpiod 2.x
 * Debian 12 ships only 1.6, so Swift builds here take the branch above. This one is compiled and
 * run by the kernel tier (scripts/kernel-tests: Tests/Kernel/cgpiod-test.c, statically linked
 * against libgpiod 2.x sources) on a gpio-sim chip, next to the v1 build of the same test. */

struct cgpiod_request {
    struct gpiod_line_request *req;
    struct gpiod_edge_event_buffer *events;
    unsigned int offset;
};

int cgpiod_is_v2(void) { return 1; }
const char *cgpiod_version(void) { return gpiod_api_version(); }

cgpiod_chip *cgpiod_chip_open(const char *path, int *err) {
    struct gpiod_chip *g = gpiod_chip_open(path);
    if (!g) { *err = errno; return NULL; }
    struct gpiod_chip_info *info = gpiod_chip_get_info(g);
    if (!info) { *err = errno; gpiod_chip_close(g); return NULL; }
    cgpiod_chip *c = calloc(1, sizeof *c);
    if (!c) { gpiod_chip_info_free(info); gpiod_chip_close(g); *err = ENOMEM; return NULL; }
    c->chip = g;
    snprintf(c->path, sizeof c->path, "%s", path);
    copy_name(c->name, gpiod_chip_info_get_name(info));
    copy_name(c->label, gpiod_chip_info_get_label(info));
    c->num_lines = (unsigned int)gpiod_chip_info_get_num_lines(info);
    gpiod_chip_info_free(info);
    return c;
}

void cgpiod_chip_close(cgpiod_chip *c) {
    if (!c) return;
    gpiod_chip_close(c->chip);
    free(c);
}

int cgpiod_chip_line_info(cgpiod_chip *c, unsigned int offset, cgpiod_line_info *out) {
    if (offset >= c->num_lines) return -EINVAL;
    struct gpiod_line_info *li = gpiod_chip_get_line_info(c->chip, offset);
    if (!li) return -errno;
    memset(out, 0, sizeof *out);
    out->offset = offset;
    copy_name(out->name, gpiod_line_info_get_name(li));
    copy_name(out->consumer, gpiod_line_info_get_consumer(li));
    out->is_output = gpiod_line_info_get_direction(li) == GPIOD_LINE_DIRECTION_OUTPUT;
    out->is_used = gpiod_line_info_is_used(li);
    out->active_low = gpiod_line_info_is_active_low(li);
    gpiod_line_info_free(li);
    return 0;
}

static cgpiod_request *request(cgpiod_chip *c, unsigned int offset, const char *consumer,
                               struct gpiod_line_settings *s, int *err) {
    cgpiod_request *r = NULL;
    struct gpiod_line_config *lc = gpiod_line_config_new();
    struct gpiod_request_config *rc = gpiod_request_config_new();
    if (!lc || !rc) { *err = ENOMEM; goto out; }
    if (gpiod_line_config_add_line_settings(lc, &offset, 1, s) < 0) { *err = errno; goto out; }
    gpiod_request_config_set_consumer(rc, consumer);
    r = calloc(1, sizeof *r);
    if (!r) { *err = ENOMEM; goto out; }
    r->offset = offset;
    // The 2.x request owns its own fd: it is independent of the chip handle.
    r->req = gpiod_chip_request_lines(c->chip, rc, lc);
    if (!r->req) { *err = errno; free(r); r = NULL; goto out; }
    r->events = gpiod_edge_event_buffer_new(16);
    if (!r->events) { *err = ENOMEM; gpiod_line_request_release(r->req); free(r); r = NULL; }
out:
    if (lc) gpiod_line_config_free(lc);
    if (rc) gpiod_request_config_free(rc);
    return r;
}

cgpiod_request *cgpiod_request_output(cgpiod_chip *c, unsigned int offset, const char *consumer,
                                      int active_low, int value, int *err) {
    if (offset >= c->num_lines) { *err = EINVAL; return NULL; }
    struct gpiod_line_settings *s = gpiod_line_settings_new();
    if (!s) { *err = ENOMEM; return NULL; }
    gpiod_line_settings_set_direction(s, GPIOD_LINE_DIRECTION_OUTPUT);
    gpiod_line_settings_set_active_low(s, active_low != 0);
    gpiod_line_settings_set_output_value(s, value ? GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE);
    cgpiod_request *r = request(c, offset, consumer, s, err);
    gpiod_line_settings_free(s);
    return r;
}

cgpiod_request *cgpiod_request_input(cgpiod_chip *c, unsigned int offset, const char *consumer,
                                     int active_low, cgpiod_bias bias, unsigned long debounce_us,
                                     int *debounced, int *err) {
    if (offset >= c->num_lines) { *err = EINVAL; return NULL; }
    struct gpiod_line_settings *s = gpiod_line_settings_new();
    if (!s) { *err = ENOMEM; return NULL; }
    gpiod_line_settings_set_direction(s, GPIOD_LINE_DIRECTION_INPUT);
    gpiod_line_settings_set_edge_detection(s, GPIOD_LINE_EDGE_BOTH);
    gpiod_line_settings_set_active_low(s, active_low != 0);
    gpiod_line_settings_set_event_clock(s, GPIOD_LINE_CLOCK_MONOTONIC);
    switch (bias) {
    case CGPIOD_BIAS_AS_IS: gpiod_line_settings_set_bias(s, GPIOD_LINE_BIAS_AS_IS); break;
    case CGPIOD_BIAS_DISABLED: gpiod_line_settings_set_bias(s, GPIOD_LINE_BIAS_DISABLED); break;
    case CGPIOD_BIAS_PULL_UP: gpiod_line_settings_set_bias(s, GPIOD_LINE_BIAS_PULL_UP); break;
    case CGPIOD_BIAS_PULL_DOWN: gpiod_line_settings_set_bias(s, GPIOD_LINE_BIAS_PULL_DOWN); break;
    }
    gpiod_line_settings_set_debounce_period_us(s, debounce_us);
    *debounced = debounce_us > 0;
    cgpiod_request *r = request(c, offset, consumer, s, err);
    gpiod_line_settings_free(s);
    return r;
}

int cgpiod_request_set_value(cgpiod_request *r, int value) {
    return gpiod_line_request_set_value(r->req, r->offset,
               value ? GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE) < 0 ? -errno : 0;
}

int cgpiod_request_get_value(cgpiod_request *r) {
    enum gpiod_line_value v = gpiod_line_request_get_value(r->req, r->offset);
    if (v == GPIOD_LINE_VALUE_ERROR) return -errno;
    return v == GPIOD_LINE_VALUE_ACTIVE;
}

int cgpiod_request_wait(cgpiod_request *r, int64_t timeout_ns) {
    if (timeout_ns < 0) timeout_ns = 0;
    int rc = gpiod_line_request_wait_edge_events(r->req, timeout_ns);
    return rc < 0 ? -errno : rc;
}

int cgpiod_request_read_events(cgpiod_request *r, cgpiod_event *events, int max) {
    if (max > 16) max = 16;
    if (max <= 0) return 0;
    int n = gpiod_line_request_read_edge_events(r->req, r->events, (size_t)max);
    if (n < 0) return -errno;
    for (int i = 0; i < n; i++) {
        struct gpiod_edge_event *e = gpiod_edge_event_buffer_get_event(r->events, (unsigned long)i);
        events[i].rising = gpiod_edge_event_get_event_type(e) == GPIOD_EDGE_EVENT_RISING_EDGE;
        events[i].timestamp_ns = gpiod_edge_event_get_timestamp_ns(e);
    }
    return n;
}

void cgpiod_request_release(cgpiod_request *r) {
    if (!r) return;
    gpiod_edge_event_buffer_free(r->events);
    gpiod_line_request_release(r->req);
    free(r);
}
#endif
