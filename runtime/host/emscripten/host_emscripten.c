/* Emscripten host, C side. The clock, wake-ups and reporting are JS
 * (library_wasyncio.js); the loop never blocks here: the host's own event
 * loop calls wa__host_turn when we asked to be woken. */
#include "../../src/internal.h"

void wa_host_wait(double timeout_ms) { (void)timeout_ms; }

bool wa_host_blocks(void) { return false; }
