// Linked into the arm64 release binary only (scripts/cross-arm64 puts it in the Swift SDK).
//
// The arm64 Swift runtime comes from Debian's swiftlang package, which is built against a newer
// glibc than the Raspberry Pi OS bookworm the binary must run on (2.36). Its static libraries
// (Foundation's CoreFoundation and ICU, libswiftCore, libdispatch) reference six symbols that
// glibc added in 2.38: the C23 variants of strtol & co. that newer headers redirect to, and
// strlcpy/strlcat. Defining them here, in the static link, leaves the binary needing nothing
// above GLIBC_2.36; on a newer glibc these local copies are used just the same.
//
// The one behavioural difference: C23's strtol family also accepts a "0b" prefix for base 0 and
// 2. None of the callers (CoreFoundation's number and URL parsing, ICU's version strings,
// libdispatch's /proc parsing, the runtime's environment variables) parse binary literals.
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

long __isoc23_strtol(const char *s, char **end, int base) { return strtol(s, end, base); }
long long __isoc23_strtoll(const char *s, char **end, int base) { return strtoll(s, end, base); }
unsigned long __isoc23_strtoul(const char *s, char **end, int base) { return strtoul(s, end, base); }
unsigned long long __isoc23_strtoull(const char *s, char **end, int base) { return strtoull(s, end, base); }

int __isoc23_sscanf(const char *s, const char *format, ...) {
    va_list ap;
    va_start(ap, format);
    int n = vsscanf(s, format, ap);
    va_end(ap);
    return n;
}

// BSD semantics, as glibc 2.38 implements them: the length of what was tried to create.
size_t strlcpy(char *dst, const char *src, size_t size) {
    size_t len = strlen(src);
    if (size) {
        size_t n = len < size - 1 ? len : size - 1;
        memcpy(dst, src, n);
        dst[n] = 0;
    }
    return len;
}

size_t strlcat(char *dst, const char *src, size_t size) {
    size_t used = strnlen(dst, size);
    if (used == size) return size + strlen(src);
    return used + strlcpy(dst + used, src, size - used);
}
