#ifndef IMPACT_XML_ARENA_H
#define IMPACT_XML_ARENA_H
#include <stddef.h>

// libxml2's allocator (xmlMemSetup) with a per-thread bump arena: a thread that parses a whole part
// of a document (XMLSplitReader) allocates its tree from its arena and drops it at once, instead
// of millions of malloc/free calls (which, with glibc's fastbin consolidation, cost more than the
// parse). Outside an arena, and on every other thread, these are malloc, realloc, free.

void *impact_arena_malloc(size_t size);
void *impact_arena_realloc(void *pointer, size_t size);
void impact_arena_free(void *pointer);
char *impact_arena_strdup(const char *text);

/// Reserves the arenas' address space once; 0 on success.
int impact_arena_setup(void);
/// Starts (or restarts, from empty) this thread's arena; 0 on success, -1 when none is free.
int impact_arena_begin(void);
/// Stops allocating from this thread's arena; 1 when it overflowed (some allocations went to malloc).
int impact_arena_end(void);
/// Gives this thread's arena back (its pages returned to the system).
void impact_arena_release(void);

#endif
