// C-only boundary for libgpiod: a small, version-neutral API over libgpiod 1.6 (Debian 12,
// Raspberry Pi OS bookworm) and 2.x (trixie), whose APIs are incompatible. The library is not
// linked: the first call loads whichever is installed (2.x first), see cgpiod.c. Swift sees only
// the types and functions here, never <gpiod.h>.
//
// Conventions: functions returning int give a non-negative result or -errno; functions returning
// a pointer give NULL and store a positive errno in *err.
#ifndef CGPIOD_H
#define CGPIOD_H
#include <stdint.h>

#define CGPIOD_NAME_MAX 64

typedef struct cgpiod_chip cgpiod_chip;
typedef struct cgpiod_request cgpiod_request;

typedef enum {
    CGPIOD_BIAS_AS_IS = 0,
    CGPIOD_BIAS_DISABLED = 1,
    CGPIOD_BIAS_PULL_UP = 2,
    CGPIOD_BIAS_PULL_DOWN = 3,
} cgpiod_bias;

/// Which edges an input line reports, in logical terms (active-low already applied): an
/// interrupt line asks for its asserting edge only, so the chip's release wakes nobody.
typedef enum {
    CGPIOD_EDGES_BOTH = 0,
    CGPIOD_EDGES_RISING = 1,
    CGPIOD_EDGES_FALLING = 2,
} cgpiod_edges;

typedef struct {
    unsigned int offset;
    char name[CGPIOD_NAME_MAX];      // "" when the line has no name
    char consumer[CGPIOD_NAME_MAX];  // "" when unused or the holder gave none
    int is_output;
    int is_used;
    int active_low;
} cgpiod_line_info;

typedef struct {
    int rising;             // 1 rising, 0 falling (logical: active-low already applied)
    uint64_t timestamp_ns;  // kernel timestamp, CLOCK_MONOTONIC
} cgpiod_event;

/// 1 when a libgpiod loaded (on the first call: $SENSORSTATION_LIBGPIOD if set, else
/// libgpiod.so.3, else libgpiod.so.2), 0 when none did. Until one loads, cgpiod_chip_open fails
/// with ELIBACC.
int cgpiod_available(void);
/// Why no libgpiod loaded (names the library and the loader's reason); "" when one did.
const char *cgpiod_load_error(void);
/// 1 when the loaded library is libgpiod 2.x (kernel debounce available), 0 for 1.x or none.
int cgpiod_is_v2(void);
/// The loaded library's version string ("none" when none loaded).
const char *cgpiod_version(void);

/// Writes the /dev/gpiochipN paths, in numeric order and without opening them, into `buf` as
/// newline-separated text (NUL-terminated). Returns the count, or -errno if /dev cannot be read.
int cgpiod_list_chip_paths(char *buf, unsigned long buflen);

cgpiod_chip *cgpiod_chip_open(const char *path, int *err);
void cgpiod_chip_close(cgpiod_chip *chip);
const char *cgpiod_chip_name(const cgpiod_chip *chip);
const char *cgpiod_chip_label(const cgpiod_chip *chip);
const char *cgpiod_chip_path(const cgpiod_chip *chip);
unsigned int cgpiod_chip_num_lines(const cgpiod_chip *chip);

/// Returns 0 and fills `out`, or -errno (-EINVAL for an offset out of range).
int cgpiod_chip_line_info(cgpiod_chip *chip, unsigned int offset, cgpiod_line_info *out);
/// Returns the offset of the first line named `name`, -ENOENT if none, or -errno.
int cgpiod_chip_find_line(cgpiod_chip *chip, const char *name);

/// Requests one line as output. The request is independent of `chip` (it holds its own chip fd),
/// so it may outlive the chip handle.
cgpiod_request *cgpiod_request_output(cgpiod_chip *chip, unsigned int offset, const char *consumer,
                                      int active_low, int value, int *err);
/// Requests one line as input with edge events on `edges`. `debounce_us` is applied where the
/// library supports it (2.x); *debounced is set to 1 when it was.
cgpiod_request *cgpiod_request_input(cgpiod_chip *chip, unsigned int offset, const char *consumer,
                                     int active_low, cgpiod_bias bias, cgpiod_edges edges,
                                     unsigned long debounce_us, int *debounced, int *err);
/// Returns 0, or -errno.
int cgpiod_request_set_value(cgpiod_request *req, int value);
/// Returns 0 or 1 (logical), or -errno.
int cgpiod_request_get_value(cgpiod_request *req);
/// Waits up to timeout_ns for edge events: 1 when some are pending, 0 on timeout, or -errno.
int cgpiod_request_wait(cgpiod_request *req, int64_t timeout_ns);
/// Reads up to `max` pending events (blocks if none are pending). Returns the count, or -errno.
int cgpiod_request_read_events(cgpiod_request *req, cgpiod_event *events, int max);
/// Releases the line and frees the request.
void cgpiod_request_release(cgpiod_request *req);
#endif
