#ifndef IMPACT_BYTE_MASK_H
#define IMPACT_BYTE_MASK_H

#include <stdint.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/// 0x80 in each byte of `v` that is zero, and nothing elsewhere (no borrow from byte to byte, unlike
/// the usual `(v - 0x01…) & ~v` test).
static inline uint64_t impact_zero_bytes8(uint64_t v) {
    const uint64_t low7 = 0x7F7F7F7F7F7F7F7FULL;
    return ~(((v & low7) + low7) | v | low7);
}

/// `impact_byte_mask64` 8 bytes at a time, for machines without SSE2 (tested everywhere).
static inline uint64_t impact_byte_mask64_portable(const uint8_t *p, uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
    const uint64_t ones = 0x0101010101010101ULL;
    const uint64_t ma = ones * a, mb = ones * b, mc = ones * c, md = ones * d;
    uint64_t mask = 0;
    for (int i = 0; i < 8; i++) {
        uint64_t w = 0;  // byte k of the word is p[8i + k], whatever the machine's byte order
        for (int k = 7; k >= 0; k--) w = (w << 8) | p[8 * i + k];
        const uint64_t hit = impact_zero_bytes8(w ^ ma) | impact_zero_bytes8(w ^ mb) | impact_zero_bytes8(w ^ mc) |
                             impact_zero_bytes8(w ^ md);
        // Byte k's high bit to bit k: the multiplication gathers the eight flags in the top byte.
        mask |= (((hit >> 7) * 0x0102040810204080ULL) >> 56) << (8 * i);
    }
    return mask;
}

/// Bit i set when byte i of the 64 at `p` is `a`, `b`, `c` or `d`. Inline in the header, so Swift
/// inlines it (the CSV scan calls it per 64 bytes); SSE2 on every x86-64.
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
    return impact_byte_mask64_portable(p, a, b, c, d);
#endif
}

#endif
