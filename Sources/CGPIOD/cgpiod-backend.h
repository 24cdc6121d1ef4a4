// Internal to CGPIOD: what each libgpiod major version implements (cgpiod-v1.c for 1.6,
// cgpiod-v2.c for 2.x). cgpiod.c loads whichever library is installed and dispatches to it.
#ifndef CGPIOD_BACKEND_H
#define CGPIOD_BACKEND_H
#include "cgpiod.h"

struct cgpiod_chip {
    void *chip;  // the loaded version's struct gpiod_chip *
    char path[256];
    char name[CGPIOD_NAME_MAX];
    char label[CGPIOD_NAME_MAX];
    unsigned int num_lines;
};

struct cgpiod_backend {
    int is_v2;
    const char *(*version)(void);
    /// Opens `path` into c->chip and fills name, label and num_lines. 0 or -errno.
    int (*chip_open)(cgpiod_chip *c, const char *path);
    void (*chip_close)(cgpiod_chip *c);
    int (*line_info)(cgpiod_chip *c, unsigned int offset, cgpiod_line_info *out);
    cgpiod_request *(*request_output)(cgpiod_chip *c, unsigned int offset, const char *consumer,
                                      int active_low, int value, int *err);
    cgpiod_request *(*request_input)(cgpiod_chip *c, unsigned int offset, const char *consumer,
                                     int active_low, cgpiod_bias bias, cgpiod_edges edges,
                                     unsigned long debounce_us, int *debounced, int *err);
    int (*set_value)(cgpiod_request *r, int value);
    int (*get_value)(cgpiod_request *r);
    int (*wait)(cgpiod_request *r, int64_t timeout_ns);
    int (*read_events)(cgpiod_request *r, cgpiod_event *events, int max);
    void (*release)(cgpiod_request *r);
};

/// Resolves every libgpiod function the backend calls in `lib` (a dlopen handle). NULL, with the
/// first missing function's name in *missing, when the library lacks one.
const struct cgpiod_backend *cgpiod_v1_bind(void *lib, const char **missing);
const struct cgpiod_backend *cgpiod_v2_bind(void *lib, const char **missing);

/// Copies a library string (NULL for none) into a CGPIOD_NAME_MAX buffer.
void cgpiod_copy_name(char *dst, const char *src);

// Each backend lists the functions it calls once, as X(name); these declare the table of pointers
// (typed from the version's own header) and fill it from the library.
#define CGPIOD_FIELD(fn) __typeof__(&fn) fn;
#define CGPIOD_BIND(fn) \
    if (!(f.fn = (__typeof__(&fn))dlsym(lib, #fn))) { *missing = #fn; return NULL; }
#endif
