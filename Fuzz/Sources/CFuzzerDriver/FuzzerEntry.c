// Intentionally empty: the declaration in include/FuzzerEntry.h is all this target provides;
// libFuzzer itself is linked by -sanitize=fuzzer.
#include "FuzzerEntry.h"
