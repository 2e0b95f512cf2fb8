/* Values crossing the C/JS boundary (see wasyncio.h): one allocation each,
 * the payload of strings and bytes right after the header. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

wa_value_t *wa__value_alloc(int32_t type, size_t payload) {
    if (payload > UINT32_MAX - 1) return NULL;
    wa_value_t *v = malloc(sizeof *v + payload);
    if (!v) return NULL;
    v->type = type;
    v->len = 0;
    v->u.number = 0;
    if (payload) v->u.bytes = (uint8_t *)(v + 1);
    return v;
}

wa_value_t *wa_value_null(void) { return wa__value_alloc(WA_VALUE_NULL, 0); }

wa_value_t *wa_value_bool(bool b) {
    wa_value_t *v = wa__value_alloc(WA_VALUE_BOOL, 0);
    if (v) v->u.boolean = b ? 1 : 0;
    return v;
}

wa_value_t *wa_value_number(double d) {
    wa_value_t *v = wa__value_alloc(WA_VALUE_NUMBER, 0);
    if (v) v->u.number = d;
    return v;
}

wa_value_t *wa_value_string_n(const char *s, size_t len) {
    if (!s) return NULL;
    wa_value_t *v = wa__value_alloc(WA_VALUE_STRING, len + 1);
    if (!v) return NULL;
    memcpy(v->u.string, s, len);
    v->u.string[len] = 0;
    v->len = (uint32_t)len;
    return v;
}

wa_value_t *wa_value_string(const char *s) { return s ? wa_value_string_n(s, strlen(s)) : NULL; }

wa_value_t *wa_value_bytes(const void *data, size_t len) {
    if (!data && len) return NULL;
    /* at least one byte so u.bytes is a valid pointer for empty arrays */
    wa_value_t *v = wa__value_alloc(WA_VALUE_BYTES, len ? len : 1);
    if (!v) return NULL;
    if (len) memcpy(v->u.bytes, data, len);
    v->len = (uint32_t)len;
    return v;
}

wa_value_t *wa_value_future(wa_future_t *f) {
    if (!f) return NULL;
    wa_value_t *v = wa__value_alloc(WA_VALUE_FUTURE, 0);
    if (v) v->u.future = wa_ref(f);
    return v;
}

wa_future_t *wa_value_get_future(const wa_value_t *v) {
    return v && v->type == WA_VALUE_FUTURE ? v->u.future : NULL;
}

void wa_value_free(void *p) {
    wa_value_t *v = p;
    if (!v) return;
    if (v->type == WA_VALUE_JS) wa_host_value_release(v->u.handle);
    if (v->type == WA_VALUE_FUTURE) wa_release(v->u.future);
    free(v);
}

const wa_value_t *wa_future_value(const wa_future_t *f) {
    return f && f->state == FUT_OK && f->dtor == wa_value_free ? f->result : NULL;
}

int wa_future_set_value(wa_future_t *f, wa_value_t *value) {
    return wa_future_set_result(f, value, value ? wa_value_free : NULL);
}

int wa_return_value(wa_value_t *value) { return wa_return(value, value ? wa_value_free : NULL); }

int wa_return_number(double d) {
    wa_value_t *v = wa_value_number(d);
    return v ? wa_return_value(v) : WA_ENOMEM;
}

int wa_return_string(const char *s) {
    if (!s) return WA_EINVAL;
    wa_value_t *v = wa_value_string(s);
    return v ? wa_return_value(v) : WA_ENOMEM;
}

int wa_return_bytes(const void *data, size_t len) {
    if (!data && len) return WA_EINVAL;
    wa_value_t *v = wa_value_bytes(data, len);
    return v ? wa_return_value(v) : WA_ENOMEM;
}
