#ifndef IMPACT_BYTE_MASK_H
#define IMPACT_BYTE_MASK_H

#include <stdint.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/// Bit i set when byte i of the 64 at `p` is `a`, `b`, `c` or `d`. Inline in the header, so Swift
/// inlines it (the CSV scan calls it per 64 bytes); SSE2 (every x86-64), else a loop.
static inline uint64_t impact_byte_mask64(const uint8_t *p, uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
#if defined(__SSE2__)
    const __m128i va = _mm_set1_epi8((char)a), vb = _mm_set1_epi8((char)b);
    const __m128i vc = _mm_set1_epi8((char)c), vd = _mm_set1_epi8((char)d);
    uint64_t mask = 0;
    for (int i = 0; i < 4; i++) {
        const __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i));
        const __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, va), _mm_cmpeq_epi8(x, vb)),
                                         _mm_or_si128(_mm_cmpeq_epi8(x, vc), _mm_cmpeq_epi8(x, vd)));
        mask |= (uint64_t)(uint16_t)_mm_movemask_epi8(hit) << (16 * i);
    }
    return mask;
#else
    uint64_t mask = 0;
    for (int i = 0; i < 64; i++) {
        const uint8_t x = p[i];
        mask |= (uint64_t)(x == a || x == b || x == c || x == d) << i;
    }
    return mask;
#endif
}

#endif
