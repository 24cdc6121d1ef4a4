#ifndef SENSORSTATION_FUZZER_ENTRY_H
#define SENSORSTATION_FUZZER_ENTRY_H
#include <stddef.h>
#include <stdint.h>

// libFuzzer's driver, for programs that provide their own main (llvm.org/docs/LibFuzzer.html,
// "Using libFuzzer as a library"). Why the fuzz targets need it: SwiftPM links every executable
// target with `--defsym main=<Module>_main` (so tests can link executables), and with
// -parse-as-library there is no <Module>_main unless we write one. Each target's
// `<Module>_main` therefore calls this, which parses libFuzzer's flags exactly as its own main does.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
