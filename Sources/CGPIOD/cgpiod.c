// libgpiod shim: the version-neutral API of cgpiod.h over libgpiod 1.6 (cgpiod-v1.c) and 2.x
// (cgpiod-v2.c), whose APIs are incompatible. Neither is linked: the first use loads whichever
// library is installed (libgpiod.so.3, i.e. 2.x, first; then libgpiod.so.2, 1.6), so one binary
// runs on Raspberry Pi OS bookworm (1.6) and trixie (2.x), and the simulated station runs where
// neither is installed. SENSORSTATION_LIBGPIOD names a library file to load instead.
#include "cgpiod-backend.h"
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cgpiod_copy_name(char *dst, const char *src) {
    if (!src) { dst[0] = 0; return; }
    snprintf(dst, CGPIOD_NAME_MAX, "%s", src);
}

/* ----------------------------------------------------------------------- loading the library */

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static const struct cgpiod_backend *backend;
static char load_error[768];

// Loads `file` and binds the backend its API calls for: 2.x exports gpiod_api_version, 1.x
// gpiod_version_string (and neither has the other's). 1 when bound; 0 with load_error set.
static int try_load(const char *file) {
    void *lib = dlopen(file, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        snprintf(load_error, sizeof load_error, "%s", dlerror());
        return 0;
    }
    const char *missing = "gpiod_api_version or gpiod_version_string";
    if (dlsym(lib, "gpiod_api_version")) backend = cgpiod_v2_bind(lib, &missing);
    else if (dlsym(lib, "gpiod_version_string")) backend = cgpiod_v1_bind(lib, &missing);
    if (backend) return 1;
    snprintf(load_error, sizeof load_error, "%s is not a usable libgpiod 1.6 or 2.x: it lacks %s", file, missing);
    dlclose(lib);
    return 0;
}

static void load(void) {
    const char *forced = getenv("SENSORSTATION_LIBGPIOD");
    if (forced && *forced) {
        if (!try_load(forced)) {
            char why[sizeof load_error];
            snprintf(why, sizeof why, "%s", load_error);
            // (the loader's message names the file)
            snprintf(load_error, sizeof load_error, "cannot use SENSORSTATION_LIBGPIOD: %.700s", why);
        }
        return;
    }
    if (try_load("libgpiod.so.3") || try_load("libgpiod.so.2")) return;
    snprintf(load_error, sizeof load_error,
             "libgpiod is not installed: neither libgpiod.so.3 (libgpiod 2.x, Debian package libgpiod3) "
             "nor libgpiod.so.2 (libgpiod 1.6, package libgpiod2) could be loaded");
}

static const struct cgpiod_backend *loaded(void) {
    pthread_once(&load_once, load);
    return backend;
}

int cgpiod_available(void) { return loaded() != NULL; }
const char *cgpiod_load_error(void) { return loaded() ? "" : load_error; }
int cgpiod_is_v2(void) { return loaded() ? backend->is_v2 : 0; }
const char *cgpiod_version(void) { return loaded() ? backend->version() : "none"; }

/* ----------------------------------------------------------------------- shared by both versions */

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

cgpiod_chip *cgpiod_chip_open(const char *path, int *err) {
    if (!loaded()) { *err = ELIBACC; return NULL; }
    cgpiod_chip *c = calloc(1, sizeof *c);
    if (!c) { *err = ENOMEM; return NULL; }
    snprintf(c->path, sizeof c->path, "%s", path);
    int r = backend->chip_open(c, path);
    if (r < 0) { *err = -r; free(c); return NULL; }
    return c;
}

void cgpiod_chip_close(cgpiod_chip *c) {
    if (!c) return;
    backend->chip_close(c);
    free(c);
}

const char *cgpiod_chip_name(const cgpiod_chip *c) { return c->name; }
const char *cgpiod_chip_label(const cgpiod_chip *c) { return c->label; }
const char *cgpiod_chip_path(const cgpiod_chip *c) { return c->path; }
unsigned int cgpiod_chip_num_lines(const cgpiod_chip *c) { return c->num_lines; }

int cgpiod_chip_line_info(cgpiod_chip *c, unsigned int offset, cgpiod_line_info *out) {
    if (offset >= c->num_lines) return -EINVAL;
    memset(out, 0, sizeof *out);
    out->offset = offset;
    return backend->line_info(c, offset, out);
}

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

// A chip exists only once the library loaded, so every request has a backend.
cgpiod_request *cgpiod_request_output(cgpiod_chip *c, unsigned int offset, const char *consumer,
                                      int active_low, int value, int *err) {
    if (offset >= c->num_lines) { *err = EINVAL; return NULL; }
    return backend->request_output(c, offset, consumer, active_low, value, err);
}

cgpiod_request *cgpiod_request_input(cgpiod_chip *c, unsigned int offset, const char *consumer,
                                     int active_low, cgpiod_bias bias, cgpiod_edges edges,
                                     unsigned long debounce_us, int *debounced, int *err) {
    if (offset >= c->num_lines) { *err = EINVAL; return NULL; }
    *debounced = 0;
    return backend->request_input(c, offset, consumer, active_low, bias, edges, debounce_us, debounced, err);
}

int cgpiod_request_set_value(cgpiod_request *r, int value) { return backend->set_value(r, value); }
int cgpiod_request_get_value(cgpiod_request *r) { return backend->get_value(r); }

int cgpiod_request_wait(cgpiod_request *r, int64_t timeout_ns) {
    return backend->wait(r, timeout_ns < 0 ? 0 : timeout_ns);
}

int cgpiod_request_read_events(cgpiod_request *r, cgpiod_event *events, int max) {
    if (max > 16) max = 16;
    if (max <= 0) return 0;
    return backend->read_events(r, events, max);
}

void cgpiod_request_release(cgpiod_request *r) {
    if (r) backend->release(r);
}
