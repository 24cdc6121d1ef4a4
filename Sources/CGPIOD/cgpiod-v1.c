// libgpiod 1.6 (Debian 12, Raspberry Pi OS bookworm: libgpiod.so.2), called through pointers that
// cgpiod_v1_bind() looks up; types and prototypes from the vendored 1.6 header.
#include "cgpiod-backend.h"
#include "libgpiod-1.6/gpiod.h"
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#define CALLS(X)                                                                                   \
    X(gpiod_version_string) X(gpiod_chip_open) X(gpiod_chip_close) X(gpiod_chip_name)             \
    X(gpiod_chip_label) X(gpiod_chip_num_lines) X(gpiod_chip_get_line) X(gpiod_line_update)        \
    X(gpiod_line_name) X(gpiod_line_consumer) X(gpiod_line_direction) X(gpiod_line_is_used)        \
    X(gpiod_line_active_state) X(gpiod_line_request) X(gpiod_line_set_value)                       \
    X(gpiod_line_get_value) X(gpiod_line_event_wait) X(gpiod_line_event_read_multiple)             \
    X(gpiod_line_release)
static struct { CALLS(CGPIOD_FIELD) } f;

struct v1_request {
    // v1 ties a request to a line object owned by a chip, and gpiod_chip_close() releases every
    // requested line of that chip. Each request therefore opens its own chip handle, so a line
    // outlives (and is independent of) the handle used for lookups.
    struct gpiod_chip *chip;
    struct gpiod_line *line;
};
#define REQ(r) ((struct v1_request *)(void *)(r))

static const char *version(void) { return f.gpiod_version_string(); }

static int chip_open(cgpiod_chip *c, const char *path) {
    // gpiod_chip_open checks that path is a GPIO character device (ENODEV otherwise).
    struct gpiod_chip *g = f.gpiod_chip_open(path);
    if (!g) return -errno;
    c->chip = g;
    cgpiod_copy_name(c->name, f.gpiod_chip_name(g));
    cgpiod_copy_name(c->label, f.gpiod_chip_label(g));
    c->num_lines = f.gpiod_chip_num_lines(g);
    return 0;
}

static void chip_close(cgpiod_chip *c) { f.gpiod_chip_close(c->chip); }

static int line_info(cgpiod_chip *c, unsigned int offset, cgpiod_line_info *out) {
    struct gpiod_line *l = f.gpiod_chip_get_line(c->chip, offset);
    if (!l) return -errno;
    // get_line caches the line object: refresh so consumer/direction are current.
    if (f.gpiod_line_update(l) < 0) return -errno;
    cgpiod_copy_name(out->name, f.gpiod_line_name(l));
    cgpiod_copy_name(out->consumer, f.gpiod_line_consumer(l));
    out->is_output = f.gpiod_line_direction(l) == GPIOD_LINE_DIRECTION_OUTPUT;
    out->is_used = f.gpiod_line_is_used(l);
    out->active_low = f.gpiod_line_active_state(l) == GPIOD_LINE_ACTIVE_STATE_LOW;
    return 0;
}

static cgpiod_request *request(cgpiod_chip *c, unsigned int offset, const char *consumer,
                               int type, int flags, int value, int *err) {
    struct v1_request *r = calloc(1, sizeof *r);
    if (!r) { *err = ENOMEM; return NULL; }
    r->chip = f.gpiod_chip_open(c->path);
    if (!r->chip) { *err = errno; free(r); return NULL; }
    r->line = f.gpiod_chip_get_line(r->chip, offset);
    struct gpiod_line_request_config cfg = { .consumer = consumer, .request_type = type, .flags = flags };
    // EBUSY: another consumer holds the line. EINVAL with bias flags: kernel < 5.5.
    if (!r->line || f.gpiod_line_request(r->line, &cfg, value) < 0) {
        *err = errno;
        f.gpiod_chip_close(r->chip);
        free(r);
        return NULL;
    }
    return (cgpiod_request *)(void *)r;
}

static cgpiod_request *request_output(cgpiod_chip *c, unsigned int offset, const char *consumer,
                                      int active_low, int value, int *err) {
    int flags = active_low ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0;
    return request(c, offset, consumer, GPIOD_LINE_REQUEST_DIRECTION_OUTPUT, flags, value, err);
}

static cgpiod_request *request_input(cgpiod_chip *c, unsigned int offset, const char *consumer,
                                     int active_low, cgpiod_bias bias, cgpiod_edges edges,
                                     unsigned long debounce_us, int *debounced, int *err) {
    (void)debounce_us;  // the v1 uAPI has no debounce: the caller debounces in software
    *debounced = 0;
    int flags = active_low ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0;
    switch (bias) {
    case CGPIOD_BIAS_AS_IS: break;
    case CGPIOD_BIAS_DISABLED: flags |= GPIOD_LINE_REQUEST_FLAG_BIAS_DISABLE; break;
    case CGPIOD_BIAS_PULL_UP: flags |= GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP; break;
    case CGPIOD_BIAS_PULL_DOWN: flags |= GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN; break;
    }
    // Since kernel 5.x the v1 uAPI applies active-low to the edge it triggers on (a rising request
    // on an active-low line fires on the physical falling edge), as v2 does.
    int type = edges == CGPIOD_EDGES_RISING    ? GPIOD_LINE_REQUEST_EVENT_RISING_EDGE
               : edges == CGPIOD_EDGES_FALLING ? GPIOD_LINE_REQUEST_EVENT_FALLING_EDGE
                                               : GPIOD_LINE_REQUEST_EVENT_BOTH_EDGES;
    return request(c, offset, consumer, type, flags, 0, err);
}

static int set_value(cgpiod_request *r, int value) {
    return f.gpiod_line_set_value(REQ(r)->line, value) < 0 ? -errno : 0;
}

static int get_value(cgpiod_request *r) {
    int v = f.gpiod_line_get_value(REQ(r)->line);
    return v < 0 ? -errno : v;
}

static int wait_events(cgpiod_request *r, int64_t timeout_ns) {
    struct timespec ts = { .tv_sec = timeout_ns / 1000000000, .tv_nsec = timeout_ns % 1000000000 };
    int rc = f.gpiod_line_event_wait(REQ(r)->line, &ts);
    return rc < 0 ? -errno : rc;
}

static int read_events(cgpiod_request *r, cgpiod_event *events, int max) {
    struct gpiod_line_event buf[16];
    int n = f.gpiod_line_event_read_multiple(REQ(r)->line, buf, (unsigned int)max);
    if (n < 0) return -errno;
    for (int i = 0; i < n; i++) {
        // Since kernel 5.7 the v1 event timestamp is CLOCK_MONOTONIC (ktime_get_ns), and the edge
        // kind is the logical value after the edge, so active-low is already applied.
        events[i].rising = buf[i].event_type == GPIOD_LINE_EVENT_RISING_EDGE;
        events[i].timestamp_ns = (uint64_t)buf[i].ts.tv_sec * 1000000000ull + (uint64_t)buf[i].ts.tv_nsec;
    }
    return n;
}

static void release(cgpiod_request *r) {
    f.gpiod_line_release(REQ(r)->line);
    f.gpiod_chip_close(REQ(r)->chip);
    free(r);
}

static const struct cgpiod_backend v1 = {
    .is_v2 = 0, .version = version, .chip_open = chip_open, .chip_close = chip_close,
    .line_info = line_info, .request_output = request_output, .request_input = request_input,
    .set_value = set_value, .get_value = get_value, .wait = wait_events, .read_events = read_events,
    .release = release,
};

const struct cgpiod_backend *cgpiod_v1_bind(void *lib, const char **missing) {
    CALLS(CGPIOD_BIND)
    return &v1;
}
