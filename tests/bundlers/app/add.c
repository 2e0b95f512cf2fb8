/* The fixtures' custom C module: bash node_modules/wasyncio/build.sh cc add.c -o c/add */
#include "wasyncio.h"

static int add_one(void *arg) {
    const wa_value_t *v = arg;
    int rc = wa_sleep(5);
    if (rc) return rc;
    return wa_return_number(v->u.number + 1);
}
WA_EXPORT_CORO(add_one)
