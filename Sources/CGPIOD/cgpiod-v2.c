// libgpiod 2.x (Debian trixie, Raspberry Pi OS trixie: libgpiod.so.3), called through pointers
// that cgpiod_v2_bind() looks up; types and prototypes from the vendored 2.x header.
#include "cgpiod-backend.h"
#include "libgpiod-2/gpiod.h"
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>

#define CALLS(X)                                                                                   \
    X(gpiod_api_version) X(gpiod_chip_open) X(gpiod_chip_close) X(gpiod_chip_get_info)             \
    X(gpiod_chip_info_free) X(gpiod_chip_info_get_name) X(gpiod_chip_info_get_label)               \
    X(gpiod_chip_info_get_num_lines) X(gpiod_chip_get_line_info) X(gpiod_line_info_free)           \
    X(gpiod_line_info_get_name) X(gpiod_line_info_get_consumer) X(gpiod_line_info_get_direction)   \
    X(gpiod_line_info_is_used) X(gpiod_line_info_is_active_low) X(gpiod_line_config_new)           \
    X(gpiod_line_config_free) X(gpiod_line_config_add_line_settings) X(gpiod_request_config_new)   \
    X(gpiod_request_config_free) X(gpiod_request_config_set_consumer) X(gpiod_chip_request_lines)  \
    X(gpiod_line_request_release) X(gpiod_line_request_set_value) X(gpiod_line_request_get_value)  \
    X(gpiod_line_request_wait_edge_events) X(gpiod_line_request_read_edge_events)                  \
    X(gpiod_edge_event_buffer_new) X(gpiod_edge_event_buffer_free)                                 \
    X(gpiod_edge_event_buffer_get_event) X(gpiod_edge_event_get_event_type)                        \
    X(gpiod_edge_event_get_timestamp_ns) X(gpiod_line_settings_new) X(gpiod_line_settings_free)    \
    X(gpiod_line_settings_set_direction) X(gpiod_line_settings_set_edge_detection)                 \
    X(gpiod_line_settings_set_active_low) X(gpiod_line_settings_set_event_clock)                   \
    X(gpiod_line_settings_set_bias) X(gpiod_line_settings_set_debounce_period_us)                  \
    X(gpiod_line_settings_set_output_value)
static struct { CALLS(CGPIOD_FIELD) } f;

struct v2_request {
    struct gpiod_line_request *req;
    struct gpiod_edge_event_buffer *events;
    unsigned int offset;
};
#define REQ(r) ((struct v2_request *)(void *)(r))

static const char *version(void) { return f.gpiod_api_version(); }

static int chip_open(cgpiod_chip *c, const char *path) {
    struct gpiod_chip *g = f.gpiod_chip_open(path);
    if (!g) return -errno;
    struct gpiod_chip_info *info = f.gpiod_chip_get_info(g);
    if (!info) { int e = errno; f.gpiod_chip_close(g); return -e; }
    c->chip = g;
    cgpiod_copy_name(c->name, f.gpiod_chip_info_get_name(info));
    cgpiod_copy_name(c->label, f.gpiod_chip_info_get_label(info));
    c->num_lines = (unsigned int)f.gpiod_chip_info_get_num_lines(info);
    f.gpiod_chip_info_free(info);
    return 0;
}

static void chip_close(cgpiod_chip *c) { f.gpiod_chip_close(c->chip); }

static int line_info(cgpiod_chip *c, unsigned int offset, cgpiod_line_info *out) {
    struct gpiod_line_info *li = f.gpiod_chip_get_line_info(c->chip, offset);
    if (!li) return -errno;
    cgpiod_copy_name(out->name, f.gpiod_line_info_get_name(li));
    cgpiod_copy_name(out->consumer, f.gpiod_line_info_get_consumer(li));
    out->is_output = f.gpiod_line_info_get_direction(li) == GPIOD_LINE_DIRECTION_OUTPUT;
    out->is_used = f.gpiod_line_info_is_used(li);
    out->active_low = f.gpiod_line_info_is_active_low(li);
    f.gpiod_line_info_free(li);
    return 0;
}

static cgpiod_request *request(cgpiod_chip *c, unsigned int offset, const char *consumer,
                               struct gpiod_line_settings *s, int *err) {
    struct v2_request *r = NULL;
    struct gpiod_line_config *lc = f.gpiod_line_config_new();
    struct gpiod_request_config *rc = f.gpiod_request_config_new();
    if (!lc || !rc) { *err = ENOMEM; goto out; }
    if (f.gpiod_line_config_add_line_settings(lc, &offset, 1, s) < 0) { *err = errno; goto out; }
    f.gpiod_request_config_set_consumer(rc, consumer);
    r = calloc(1, sizeof *r);
    if (!r) { *err = ENOMEM; goto out; }
    r->offset = offset;
    // The 2.x request owns its own fd: it is independent of the chip handle.
    r->req = f.gpiod_chip_request_lines(c->chip, rc, lc);
    if (!r->req) { *err = errno; free(r); r = NULL; goto out; }
    r->events = f.gpiod_edge_event_buffer_new(16);
    if (!r->events) { *err = ENOMEM; f.gpiod_line_request_release(r->req); free(r); r = NULL; }
out:
    if (lc) f.gpiod_line_config_free(lc);
    if (rc) f.gpiod_request_config_free(rc);
    return (cgpiod_request *)(void *)r;
}

static cgpiod_request *request_output(cgpiod_chip *c, unsigned int offset, const char *consumer,
                                      int active_low, int value, int *err) {
    struct gpiod_line_settings *s = f.gpiod_line_settings_new();
    if (!s) { *err = ENOMEM; return NULL; }
    f.gpiod_line_settings_set_direction(s, GPIOD_LINE_DIRECTION_OUTPUT);
    f.gpiod_line_settings_set_active_low(s, active_low != 0);
    f.gpiod_line_settings_set_output_value(s, value ? GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE);
    cgpiod_request *r = request(c, offset, consumer, s, err);
    f.gpiod_line_settings_free(s);
    return r;
}

static cgpiod_request *request_input(cgpiod_chip *c, unsigned int offset, const char *consumer,
                                     int active_low, cgpiod_bias bias, cgpiod_edges edges,
                                     unsigned long debounce_us, int *debounced, int *err) {
    struct gpiod_line_settings *s = f.gpiod_line_settings_new();
    if (!s) { *err = ENOMEM; return NULL; }
    f.gpiod_line_settings_set_direction(s, GPIOD_LINE_DIRECTION_INPUT);
    f.gpiod_line_settings_set_edge_detection(s, edges == CGPIOD_EDGES_RISING    ? GPIOD_LINE_EDGE_RISING
                                                : edges == CGPIOD_EDGES_FALLING ? GPIOD_LINE_EDGE_FALLING
                                                                                : GPIOD_LINE_EDGE_BOTH);
    f.gpiod_line_settings_set_active_low(s, active_low != 0);
    f.gpiod_line_settings_set_event_clock(s, GPIOD_LINE_CLOCK_MONOTONIC);
    switch (bias) {
    case CGPIOD_BIAS_AS_IS: f.gpiod_line_settings_set_bias(s, GPIOD_LINE_BIAS_AS_IS); break;
    case CGPIOD_BIAS_DISABLED: f.gpiod_line_settings_set_bias(s, GPIOD_LINE_BIAS_DISABLED); break;
    case CGPIOD_BIAS_PULL_UP: f.gpiod_line_settings_set_bias(s, GPIOD_LINE_BIAS_PULL_UP); break;
    case CGPIOD_BIAS_PULL_DOWN: f.gpiod_line_settings_set_bias(s, GPIOD_LINE_BIAS_PULL_DOWN); break;
    }
    f.gpiod_line_settings_set_debounce_period_us(s, debounce_us);
    cgpiod_request *r = request(c, offset, consumer, s, err);
    *debounced = r && debounce_us > 0;
    f.gpiod_line_settings_free(s);
    return r;
}

static int set_value(cgpiod_request *r, int value) {
    return f.gpiod_line_request_set_value(REQ(r)->req, REQ(r)->offset,
               value ? GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE) < 0 ? -errno : 0;
}

static int get_value(cgpiod_request *r) {
    enum gpiod_line_value v = f.gpiod_line_request_get_value(REQ(r)->req, REQ(r)->offset);
    if (v == GPIOD_LINE_VALUE_ERROR) return -errno;
    return v == GPIOD_LINE_VALUE_ACTIVE;
}

static int wait_events(cgpiod_request *r, int64_t timeout_ns) {
    int rc = f.gpiod_line_request_wait_edge_events(REQ(r)->req, timeout_ns);
    return rc < 0 ? -errno : rc;
}

static int read_events(cgpiod_request *r, cgpiod_event *events, int max) {
    int n = f.gpiod_line_request_read_edge_events(REQ(r)->req, REQ(r)->events, (size_t)max);
    if (n < 0) return -errno;
    for (int i = 0; i < n; i++) {
        struct gpiod_edge_event *e = f.gpiod_edge_event_buffer_get_event(REQ(r)->events, (unsigned long)i);
        events[i].rising = f.gpiod_edge_event_get_event_type(e) == GPIOD_EDGE_EVENT_RISING_EDGE;
        events[i].timestamp_ns = f.gpiod_edge_event_get_timestamp_ns(e);
    }
    return n;
}

static void release(cgpiod_request *r) {
    f.gpiod_edge_event_buffer_free(REQ(r)->events);
    f.gpiod_line_request_release(REQ(r)->req);
    free(r);
}

static const struct cgpiod_backend v2 = {
    .is_v2 = 1, .version = version, .chip_open = chip_open, .chip_close = chip_close,
    .line_info = line_info, .request_output = request_output, .request_input = request_input,
    .set_value = set_value, .get_value = get_value, .wait = wait_events, .read_events = read_events,
    .release = release,
};

const struct cgpiod_backend *cgpiod_v2_bind(void *lib, const char **missing) {
    CALLS(CGPIOD_BIND)
    return &v2;
}
