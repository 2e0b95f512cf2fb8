/* Generation-checked handles of the sync objects (Lock, Event, Condition,
 * Semaphore, Barrier, Queue).
 *
 * The wa_lock_t * (etc.) an application holds is not the object's address
 * but a slot number and the slot's generation packed into a pointer-sized
 * value. Every public call looks the handle up here: a handle that was
 * destroyed, never issued, or names another kind of object gives NULL (the
 * call returns WA_EINVAL) without reading the object's memory, which may
 * already be freed. Destroying bumps the slot's generation, so a stale
 * handle never reaches the next object that gets the slot. A slot whose
 * generation would wrap is retired instead of reused; free slots are reused
 * oldest first. The table belongs to the loop and never shrinks (8-16 bytes
 * per object alive at the peak). */
#include "sync_internal.h"

#include <stdint.h>

static inline void *encode(uint32_t index, uint32_t gen) {
    return (void *)(((uintptr_t)gen << WA_SOBJ_SLOT_BITS) | ((uintptr_t)index + 1u));
}

int wa__sobj_register(wa_sobj_t *o) {
    wa_loop_t *L = &wa__loop;
    uint32_t i;
    if (L->sobj_free_head) {
        i = L->sobj_free_head - 1u;
        L->sobj_free_head = L->sobj_slots[i].next;
        if (!L->sobj_free_head) L->sobj_free_tail = 0;
    } else {
        if (L->sobj_nslots >= WA_SOBJ_MAX_SLOTS) return WA_ENOMEM;
        if (L->sobj_nslots == L->sobj_cap) {
            uint32_t cap = L->sobj_cap ? L->sobj_cap * 2u : 64u;
            if (cap > WA_SOBJ_MAX_SLOTS) cap = WA_SOBJ_MAX_SLOTS;
            struct wa_sobj_slot *s = realloc(L->sobj_slots, (size_t)cap * sizeof *s);
            if (!s) return WA_ENOMEM;
            L->sobj_slots = s;
            L->sobj_cap = cap;
        }
        i = L->sobj_nslots++;
        L->sobj_slots[i].gen = 1;
    }
    struct wa_sobj_slot *s = &L->sobj_slots[i];
    s->obj = o;
    s->next = 0;
    o->handle = encode(i, s->gen);
    return 0;
}

void wa__sobj_unregister(wa_sobj_t *o) {
    wa_loop_t *L = &wa__loop;
    uint32_t i = (uint32_t)(((uintptr_t)o->handle & WA_SOBJ_SLOT_MASK) - 1u);
    struct wa_sobj_slot *s = &L->sobj_slots[i];
    s->obj = NULL;
    if (s->gen == WA_SOBJ_GEN_MAX) return; /* retired: a reuse would repeat a handle */
    s->gen++;
    if (L->sobj_free_tail) L->sobj_slots[L->sobj_free_tail - 1u].next = i + 1u;
    else L->sobj_free_head = i + 1u;
    L->sobj_free_tail = i + 1u;
}
