#ifndef IMPACT_SAX_COMMON_H
#define IMPACT_SAX_COMMON_H
// What the two SAX2 readers of this target share (private: not in include/).
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    unsigned char *bytes;
    size_t count, capacity;
} impact_buffer;

/// Appends `n` bytes; -1 when memory ran out.
static inline int impact_buffer_append(impact_buffer *b, const unsigned char *bytes, size_t n) {
    if (n == 0) return 0;
    if (b->count + n > b->capacity) {
        size_t capacity = b->capacity ? b->capacity : 64;
        while (capacity < b->count + n) capacity *= 2;
        unsigned char *grown = realloc(b->bytes, capacity);
        if (!grown) return -1;
        b->bytes = grown;
        b->capacity = capacity;
    }
    memcpy(b->bytes + b->count, bytes, n);
    b->count += n;
    return 0;
}

/// An attribute's value as the tree has it, in place of `b`'s content: with entities not replaced,
/// SAX2 hands an '&' of the value over as "&#38;" (xmlParseAttValueComplex), which the tree builder
/// turns back into '&'. -1 when memory ran out.
static inline int impact_buffer_set_attribute(impact_buffer *b, const xmlChar *value, const xmlChar *end) {
    b->count = 0;
    const xmlChar *p = value;
    while (p < end) {
        const xmlChar *amp = memchr(p, '&', (size_t)(end - p));
        if (!amp) return impact_buffer_append(b, p, (size_t)(end - p));
        if (impact_buffer_append(b, p, (size_t)(amp - p)) != 0 || impact_buffer_append(b, (const unsigned char *)"&", 1) != 0) return -1;
        p = (end - amp >= 5 && memcmp(amp, "&#38;", 5) == 0) ? amp + 5 : amp + 1;
    }
    return 0;
}

/// The name an element or attribute is matched by: its local name, unless its prefix is undeclared
/// (libxml2 reports that as a namespace error only, and goes on): the tree then names it
/// "prefix:local", which no local name matches, so NULL.
static inline const xmlChar *impact_sax_name(const xmlChar *local, const xmlChar *prefix, const xmlChar *uri) {
    return (prefix != NULL && uri == NULL) ? NULL : local;
}

/// Elements and text to the given callbacks, nothing built: the tree builder keeps only the document's
/// own handlers. Character data, blank or in CDATA sections (XML_PARSE_NOCDATA), reaches `text`,
/// as the tree keeps it; comments, processing instructions and references are passed over.
static inline void impact_sax_take_elements(xmlSAXHandlerPtr sax, startElementNsSAX2Func start, endElementNsSAX2Func end,
                                            charactersSAXFunc text) {
    sax->startElement = NULL;
    sax->endElement = NULL;
    sax->startElementNs = start;
    sax->endElementNs = end;
    sax->characters = text;
    sax->ignorableWhitespace = text;
    sax->cdataBlock = NULL;
    sax->comment = NULL;
    sax->processingInstruction = NULL;
    sax->reference = NULL;
}
#endif
