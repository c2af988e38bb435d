#include "xml_arena.h"
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/mman.h>

#define SLOTS 16
#define SLOT_SIZE ((size_t)256 << 20)
#define HEADER 16

static char *region;  // SLOTS × SLOT_SIZE of address space, pages touched only as used
static unsigned taken;  // slots in use (bits)

static __thread char *base;
static __thread size_t used;
static __thread size_t peak;
static __thread int active;
static __thread int overflowed;
static __thread int slot = -1;

static inline int inRegion(const void *p) {
    return region != NULL && (const char *)p >= region && (const char *)p < region + (size_t)SLOTS * SLOT_SIZE;
}

int impact_arena_setup(void) {
    char *expected = NULL;
    if (__atomic_load_n(&region, __ATOMIC_ACQUIRE) != NULL) return 0;
    void *p = mmap(NULL, (size_t)SLOTS * SLOT_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) return -1;
    if (!__atomic_compare_exchange_n(&region, &expected, (char *)p, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        munmap(p, (size_t)SLOTS * SLOT_SIZE);
    }
    return 0;
}

int impact_arena_begin(void) {
    if (region == NULL) return -1;
    if (slot < 0) {
        for (int i = 0; i < SLOTS; i++) {
            unsigned bit = 1u << i;
            unsigned old = __atomic_fetch_or(&taken, bit, __ATOMIC_ACQ_REL);
            if ((old & bit) == 0) { slot = i; break; }
        }
        if (slot < 0) return -1;
        base = region + (size_t)slot * SLOT_SIZE;
    }
    if (used > peak) peak = used;
    used = 0;
    overflowed = 0;
    active = 1;
    return 0;
}

int impact_arena_end(void) {
    active = 0;
    return overflowed;
}

void impact_arena_release(void) {
    if (slot < 0) return;
    if (used > peak) peak = used;
    madvise(base, (peak + 4095) & ~(size_t)4095, MADV_DONTNEED);
    __atomic_fetch_and(&taken, ~(1u << slot), __ATOMIC_ACQ_REL);
    slot = -1;
    base = NULL;
    used = peak = 0;
    active = 0;
}

void *impact_arena_malloc(size_t size) {
    if (active) {
        size_t n = (size + HEADER + 15) & ~(size_t)15;
        if (n <= SLOT_SIZE - used) {
            char *p = base + used;
            *(size_t *)p = size;
            used += n;
            return p + HEADER;
        }
        overflowed = 1;
    }
    return malloc(size);
}

void impact_arena_free(void *pointer) {
    if (pointer == NULL || inRegion(pointer)) return;  // arena memory goes with its arena
    free(pointer);
}

void *impact_arena_realloc(void *pointer, size_t size) {
    if (pointer == NULL) return impact_arena_malloc(size);
    if (!inRegion(pointer)) return realloc(pointer, size);
    size_t old = *(size_t *)((char *)pointer - HEADER);
    if (active && (char *)pointer - HEADER + ((old + HEADER + 15) & ~(size_t)15) == base + used) {
        // The last allocation grows in place when there is room.
        size_t n = (size + HEADER + 15) & ~(size_t)15;
        size_t start = (size_t)((char *)pointer - HEADER - base);
        if (n <= SLOT_SIZE - start) {
            used = start + n;
            *(size_t *)((char *)pointer - HEADER) = size;
            return pointer;
        }
    }
    void *fresh = impact_arena_malloc(size);
    if (fresh != NULL) memcpy(fresh, pointer, old < size ? old : size);
    return fresh;
}

char *impact_arena_strdup(const char *text) {
    if (text == NULL) return NULL;
    size_t n = strlen(text) + 1;
    char *copy = impact_arena_malloc(n);
    if (copy != NULL) memcpy(copy, text, n);
    return copy;
}
