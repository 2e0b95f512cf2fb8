/* Intrusive doubly linked lists with a head and a tail (FIFO order): the
 * waiter lists of the sync objects, a TaskGroup's children, as_completed's
 * waiting next-futures and the executor pool's job lists. A node is any
 * struct with `prev` and `next` pointers to its own type; the list is a
 * pair of head/tail lvalues of that pointer type. Macros, so one definition
 * serves every node type; each argument is evaluated more than once, so
 * pass plain lvalues (no side effects). Internal. */
#ifndef WASYNCIO_DLIST_H
#define WASYNCIO_DLIST_H

/* Append node n at the tail. */
#define WA_DLIST_APPEND(head, tail, n) do {  \
        (n)->next = NULL;                    \
        (n)->prev = (tail);                  \
        if (tail) (tail)->next = (n);        \
        else (head) = (n);                   \
        (tail) = (n);                        \
    } while (0)

/* Unlink node n (which must be in the list) and clear its links. */
#define WA_DLIST_UNLINK(head, tail, n) do {          \
        if ((n)->prev) (n)->prev->next = (n)->next;  \
        else (head) = (n)->next;                     \
        if ((n)->next) (n)->next->prev = (n)->prev;  \
        else (tail) = (n)->prev;                     \
        (n)->prev = (n)->next = NULL;                \
    } while (0)

#endif
