/* Kernel tier: the CGPIOD shim (Sources/CGPIOD) against a real gpio-sim chip. The shim loads
 * libgpiod at run time; the tier runs this program once with the system's libgpiod 1.6 and, where
 * available, once with libgpiod 2.x (SENSORSTATION_LIBGPIOD), so both backends (cgpiod-v1.c,
 * cgpiod-v2.c) are exercised on the same kernel objects.
 * usage: cgpiod-test CHIP-PATH SIM-SYSFS-DIR   (the chip's line 6 must be named GPIO19)
 * Prints PASS:/FAIL: lines; exit status = number of failures. */
#include "cgpiod.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int fails;
static const char *tag;
static void check(int ok, const char *what) {
    printf("%s: cgpiod %s: %s\n", ok ? "PASS" : "FAIL", tag, what);
    if (!ok) fails++;
}
static const char *sim;
static void sim_write(int line, const char *file, const char *v) {
    char p[512]; snprintf(p, sizeof p, "%s/sim_gpio%d/%s", sim, line, file);
    FILE *f = fopen(p, "w"); if (!f) { perror(p); exit(100); }
    fputs(v, f); fclose(f);
}
static int sim_value(int line) {
    char p[512], b[16] = ""; snprintf(p, sizeof p, "%s/sim_gpio%d/value", sim, line);
    FILE *f = fopen(p, "r"); if (!f) { perror(p); exit(100); }
    if (!fgets(b, sizeof b, f)) b[0] = 0;
    fclose(f);
    return atoi(b);
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: cgpiod-test CHIP SIMDIR\n"); return 100; }
    sim = argv[2];
    tag = cgpiod_is_v2() ? "v2" : "v1";
    if (!cgpiod_available()) { printf("FAIL: cgpiod: no libgpiod loaded: %s\n", cgpiod_load_error()); return 1; }
    printf("cgpiod %s: libgpiod %s\n", tag, cgpiod_version());
    int err = 0;

    cgpiod_chip *c = cgpiod_chip_open("/dev/gpiochip-none", &err);
    check(!c && err == ENOENT, "opening a missing chip: NULL, ENOENT");
    c = cgpiod_chip_open(argv[1], &err);
    if (!c) { printf("FAIL: cgpiod %s: open %s: errno %d\n", tag, argv[1], err); return 1; }
    check(cgpiod_chip_num_lines(c) == 8, "chip has 8 lines");
    check(strncmp(cgpiod_chip_name(c), "gpiochip", 8) == 0, "chip name gpiochipN");
    check(strncmp(cgpiod_chip_label(c), "gpio-sim", 8) == 0, "chip label gpio-sim...");
    char paths[1024];
    check(cgpiod_list_chip_paths(paths, sizeof paths) >= 1 && strstr(paths, argv[1]) != NULL, "chip listed under /dev");
    check(cgpiod_chip_find_line(c, "GPIO19") == 6, "find_line GPIO19 = 6");
    check(cgpiod_chip_find_line(c, "GPIO99") == -ENOENT, "find_line of a missing name: -ENOENT");
    cgpiod_line_info info;
    check(cgpiod_chip_line_info(c, 8, &info) == -EINVAL, "line_info out of range: -EINVAL");

    /* output */
    cgpiod_request *out = cgpiod_request_output(c, 6, "cgpiod-test", 0, 1, &err);
    check(out != NULL, "request_output line 6 (initial 1)");
    if (out) {
        check(sim_value(6) == 1, "sim sees 1 after the request");
        check(cgpiod_request_set_value(out, 0) == 0 && sim_value(6) == 0, "set 0: sim sees 0");
        check(cgpiod_chip_line_info(c, 6, &info) == 0 && info.is_used && info.is_output
              && strcmp(info.consumer, "cgpiod-test") == 0 && strcmp(info.name, "GPIO19") == 0,
              "line_info: used, output, consumer cgpiod-test, name GPIO19");
        cgpiod_request *again = cgpiod_request_output(c, 6, "other", 0, 0, &err);
        check(again == NULL && err == EBUSY, "second request of a held line: EBUSY");
        cgpiod_request_release(out);
        check(cgpiod_chip_line_info(c, 6, &info) == 0 && !info.is_used, "released: line unused");
    }
    /* active-low output: logical 1 drives the line low */
    out = cgpiod_request_output(c, 7, "cgpiod-test", 1, 1, &err);
    check(out && sim_value(7) == 0, "active-low output, logical 1: sim sees 0");
    if (out) cgpiod_request_release(out);

    /* input with bias */
    int deb = -1;
    cgpiod_request *in = cgpiod_request_input(c, 5, "cgpiod-test", 0, CGPIOD_BIAS_PULL_UP, CGPIOD_EDGES_BOTH, 0, &deb, &err);
    check(in && cgpiod_request_get_value(in) == 1, "input with bias pull-up reads 1");
    if (in) cgpiod_request_release(in);
    sim_write(4, "pull", "pull-up");
    in = cgpiod_request_input(c, 4, "cgpiod-test", 1, CGPIOD_BIAS_AS_IS, CGPIOD_EDGES_BOTH, 0, &deb, &err);
    check(in && cgpiod_request_get_value(in) == 0, "active-low input, line high: reads 0");
    if (in) cgpiod_request_release(in);

    /* edge events (with a debounce request: applied on v2, ignored on v1) */
    sim_write(3, "pull", "pull-down");
    in = cgpiod_request_input(c, 3, "cgpiod-test", 0, CGPIOD_BIAS_DISABLED, CGPIOD_EDGES_BOTH, 1000, &deb, &err);
    check(in != NULL, "input with both-edge events, bias disabled, debounce 1 ms");
    if (in) {
        check(deb == cgpiod_is_v2(), cgpiod_is_v2() ? "debounce applied (v2)" : "debounce reported as not applied (v1)");
        check(cgpiod_request_wait(in, 200000000) == 0, "no edge: wait times out (0)");
        cgpiod_event ev[16];
        sim_write(3, "pull", "pull-up");
        int w = cgpiod_request_wait(in, 2000000000);
        int n = w == 1 ? cgpiod_request_read_events(in, ev, 16) : -1;
        check(n == 1 && ev[0].rising == 1 && ev[0].timestamp_ns > 0, "pull-up: one rising edge with a timestamp");
        uint64_t t1 = n == 1 ? ev[0].timestamp_ns : 0;
        usleep(20000);
        sim_write(3, "pull", "pull-down");
        w = cgpiod_request_wait(in, 2000000000);
        n = w == 1 ? cgpiod_request_read_events(in, ev, 16) : -1;
        check(n == 1 && ev[0].rising == 0 && ev[0].timestamp_ns > t1, "pull-down: one falling edge, later timestamp");
        struct timespec now; clock_gettime(CLOCK_MONOTONIC, &now);
        uint64_t mono = (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
        check(n == 1 && ev[0].timestamp_ns <= mono && mono - ev[0].timestamp_ns < 5000000000ull,
              "timestamps are CLOCK_MONOTONIC");
        cgpiod_request_release(in);
    }
    /* A bouncing contact: eleven pull writes within a few ms (up, down, ... up: ten bounces,
     * then the line stays high). v2 asks the kernel for a 50 ms debounce; gpio-sim has no
     * hardware debounce (its set_config knows only bias), so gpiolib-cdev debounces in software
     * and reports ONE rising edge once the line has been stable for the period. v1 has no
     * debounce in its uAPI: the bounces arrive as several edges (the Swift side debounces them). */
    sim_write(2, "pull", "pull-down");
    in = cgpiod_request_input(c, 2, "cgpiod-test", 0, CGPIOD_BIAS_AS_IS, CGPIOD_EDGES_BOTH, 50000, &deb, &err);
    check(in != NULL && deb == cgpiod_is_v2(), "input with a 50 ms debounce request");
    if (in) {
        for (int i = 0; i < 11; i++) sim_write(2, "pull", i % 2 == 0 ? "pull-up" : "pull-down");
        cgpiod_event ev[64];
        int total = 0, rising = 0, last_rising = 0;
        /* collect until 500 ms pass without an event (TCG: generous) */
        while (cgpiod_request_wait(in, 500000000) == 1) {
            int n = cgpiod_request_read_events(in, ev, 64);
            if (n <= 0) break;
            for (int i = 0; i < n; i++) { total++; rising += ev[i].rising; last_rising = ev[i].rising; }
        }
        printf("cgpiod %s: bounce: %d edge event(s), %d rising\n", tag, total, rising);
        if (cgpiod_is_v2())
            check(total == 1 && rising == 1, "ten bounces within the 50 ms debounce: one rising edge (kernel debounce)");
        else
            check(total > 1 && last_rising == 1, "ten bounces without kernel debounce: several edges, the last rising");
        check(cgpiod_request_get_value(in) == 1, "after the bounce the line reads 1");
        cgpiod_request_release(in);
    }
    /* An interrupt line: active-low (a chip with INT_INVERT pulls it low to assert), asking for
     * the logical rising edge only. Asserting (pull-down) gives one rising event; releasing
     * (pull-up) gives none, so the sampler is not woken by the chip's release. */
    sim_write(1, "pull", "pull-up");
    in = cgpiod_request_input(c, 1, "cgpiod-test", 1, CGPIOD_BIAS_AS_IS, CGPIOD_EDGES_RISING, 0, &deb, &err);
    check(in != NULL && cgpiod_request_get_value(in) == 0, "active-low input, rising edges only: idle high reads 0");
    if (in) {
        cgpiod_event ev[16];
        for (int round = 0; round < 2; round++) {
            sim_write(1, "pull", "pull-down");
            int w = cgpiod_request_wait(in, 2000000000);
            int n = w == 1 ? cgpiod_request_read_events(in, ev, 16) : -1;
            check(n == 1 && ev[0].rising == 1, round == 0 ? "asserted (pulled low): one rising event"
                                                           : "asserted again: one rising event");
            sim_write(1, "pull", "pull-up");
            check(cgpiod_request_wait(in, 200000000) == 0, "released (pulled high): no event");
        }
        cgpiod_request_release(in);
    }
    cgpiod_chip_close(c);
    printf("cgpiod %s: %d failure(s)\n", tag, fails);
    return fails;
}
