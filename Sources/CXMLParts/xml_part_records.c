#include "xml_part_records.h"
#include "sax_common.h"

// The rules are PartWalk's and FieldPath's (XMLPartReader.swift, PartnerXMLTable.swift), which read
// the same part as a tree; tests compare the two on every shape of record they know.

#define MAX_FIELDS 64
#define MAX_STEPS 256
#define TEXT_DEPTH 64  // firstTextLine looks no deeper under the record
#define BIG_LINE 65535 // libxml2 keeps larger element lines as 65,535 (USHRT_MAX)

typedef struct {
    impact_part_records *out;
    xmlParserCtxtPtr context;
    int failed;
    int depth;          // open elements
    int matched;        // leading steps matched by the open elements
    int record_depth;   // the record elements' depth (the root's is 0)
    int in_record;
    int refused;        // the record is a stand-in
    long line;          // the record's line; -1 until its first text when its own is too large
    impact_buffer values[MAX_FIELDS];
    int found[MAX_FIELDS];        // a child field's element was met (only the first counts)
    int open_depth[MAX_FIELDS];   // depth of the child field's element while it is open, else -1
    impact_buffer parent[MAX_FIELDS];    // the parent's attributes (parent-attribute fields)
    int parent_found[MAX_FIELDS];
    impact_buffer refusal;
    // The names compared, interned in the parser's dictionary as the names it hands over are:
    // compared by pointer (strcmp per element was 6 % of the parsing threads).
    const xmlChar *steps[MAX_STEPS];
    const xmlChar *last_ns;
    const xmlChar *names[MAX_FIELDS];
    const xmlChar *namespaces[MAX_FIELDS];
    const xmlChar *refusal_name;
} walk;

static void append(walk *w, impact_buffer *b, const unsigned char *bytes, size_t n) {
    if (impact_buffer_append(b, bytes, n) != 0) w->failed = 1;
}

static void append_attribute(walk *w, impact_buffer *b, const xmlChar *value, const xmlChar *end) {
    if (impact_buffer_set_attribute(b, value, end) != 0) w->failed = 1;
}

/// Whether a name libxml2 handed over is `interned` (both from the parser's dictionary).
static int same(const xmlChar *a, const xmlChar *interned) { return a != NULL && a == interned; }

/// xmlHasNsProp's match: the local name, and the namespace (none when `ns` is NULL).
static int attribute_matches(const xmlChar **attribute, const xmlChar *name, const xmlChar *ns) {
    if (!same(impact_sax_name(attribute[0], attribute[1], attribute[2]), name)) return 0;
    return ns ? same(attribute[2], ns) : attribute[2] == NULL;
}

static long current_line(walk *w) { return w->context->input ? w->context->input->line : -1; }

static void start(void *ctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri, int namespaceCount,
                  const xmlChar **namespaces, int attributeCount, int defaulted, const xmlChar **attributes) {
    (void)namespaceCount; (void)namespaces; (void)defaulted;
    xmlParserCtxtPtr context = ctx;
    walk *w = context->_private;
    int d = w->depth++;
    if (w->failed) { xmlStopParser(context); return; }
    local = impact_sax_name(local, prefix, uri);
    const impact_part_records *in = w->out;
    if (w->in_record) {
        if (d != w->record_depth + 1) return;
        for (int k = 0; k < in->field_count; k++) {
            const impact_part_field *f = &in->fields[k];
            if (f->kind != IMPACT_FIELD_CHILD || w->found[k] || !same(local, w->names[k])) continue;
            if (f->ns ? !same(uri, w->namespaces[k]) : uri != NULL) continue;
            w->found[k] = 1;
            w->open_depth[k] = d;
        }
        return;
    }
    if (w->matched != d || d >= in->step_count || !same(local, w->steps[d])) return;
    if (d < w->record_depth) {
        w->matched = d + 1;
        if (d == w->record_depth - 1) {
            for (int k = 0; k < in->field_count; k++) {
                if (in->fields[k].kind != IMPACT_FIELD_PARENT_ATTRIBUTE) continue;
                w->parent_found[k] = 0;
                w->parent[k].count = 0;
                for (int a = 0; a < attributeCount; a++) {
                    const xmlChar **attribute = attributes + 5 * a;
                    if (!attribute_matches(attribute, w->names[k], w->namespaces[k])) continue;
                    append_attribute(w, &w->parent[k], attribute[3], attribute[4]);
                    w->parent_found[k] = 1;
                    break;
                }
            }
        }
        return;
    }
    if (in->last_ns && !same(uri, w->last_ns)) return;
    // A record.
    w->in_record = 1;
    w->refused = 0;
    long own = current_line(w);
    w->line = (own >= 0 && own < BIG_LINE && own + in->line_offset < BIG_LINE) ? own + in->line_offset : -1;
    for (int k = 0; k < in->field_count; k++) {
        w->values[k].count = 0;
        w->found[k] = 0;
        w->open_depth[k] = -1;
    }
    for (int a = 0; a < attributeCount; a++) {
        const xmlChar **attribute = attributes + 5 * a;
        if (in->look_for_refusals && !w->refused && same(impact_sax_name(attribute[0], attribute[1], attribute[2]), w->refusal_name)) {
            append_attribute(w, &w->refusal, attribute[3], attribute[4]);
            w->refused = 1;
        }
        for (int k = 0; k < in->field_count; k++) {
            const impact_part_field *f = &in->fields[k];
            if (f->kind != IMPACT_FIELD_ATTRIBUTE || w->found[k] || !attribute_matches(attribute, w->names[k], w->namespaces[k])) continue;
            append_attribute(w, &w->values[k], attribute[3], attribute[4]);
            w->found[k] = 1;
        }
    }
}

static int grow_records(walk *w) {
    impact_part_records *out = w->out;
    if (out->count < out->capacity) return 0;
    size_t capacity = out->capacity ? out->capacity * 2 : 256;
    size_t *bounds = realloc(out->bounds, capacity * 2 * (size_t)(out->field_count > 0 ? out->field_count : 1) * sizeof *bounds);
    if (bounds) out->bounds = bounds;
    long *lines = realloc(out->lines, capacity * sizeof *lines);
    if (lines) out->lines = lines;
    long *refusals = realloc(out->refusals, capacity * 2 * sizeof *refusals);
    if (refusals) out->refusals = refusals;
    if (!bounds || !lines || !refusals) return -1;
    out->capacity = capacity;
    return 0;
}

static void out_append(walk *w, const unsigned char *bytes, size_t n) {
    impact_buffer b = { w->out->bytes, w->out->byte_count, w->out->byte_capacity };
    append(w, &b, bytes, n);
    w->out->bytes = b.bytes;
    w->out->byte_count = b.count;
    w->out->byte_capacity = b.capacity;
}

static void finish_record(walk *w) {
    impact_part_records *out = w->out;
    w->in_record = 0;
    if (w->line < 0 || grow_records(w) != 0) { w->failed = 1; return; }
    size_t i = out->count;
    size_t *bounds = out->bounds + i * 2 * (size_t)out->field_count;
    for (int k = 0; k < out->field_count; k++) {
        bounds[2 * k] = out->byte_count;
        if (!w->refused) {
            const impact_buffer *value = out->fields[k].kind == IMPACT_FIELD_PARENT_ATTRIBUTE ? &w->parent[k] : &w->values[k];
            int present = out->fields[k].kind == IMPACT_FIELD_PARENT_ATTRIBUTE ? (w->record_depth > 0 && w->parent_found[k]) : 1;
            if (present) out_append(w, value->bytes, value->count);
        }
        bounds[2 * k + 1] = out->byte_count;
    }
    if (w->refused) {
        out->refusals[2 * i] = (long)out->byte_count;
        out_append(w, w->refusal.bytes, w->refusal.count);
        out->refusals[2 * i + 1] = (long)out->byte_count;
    } else {
        out->refusals[2 * i] = out->refusals[2 * i + 1] = -1;
    }
    out->lines[i] = w->line;
    out->count = i + 1;
}

static void end(void *ctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri) {
    (void)local; (void)prefix; (void)uri;
    xmlParserCtxtPtr context = ctx;
    walk *w = context->_private;
    int d = --w->depth;
    if (w->failed) return;
    if (w->in_record) {
        if (d == w->record_depth) { finish_record(w); return; }
        for (int k = 0; k < w->out->field_count; k++) if (w->open_depth[k] == d) w->open_depth[k] = -1;
        return;
    }
    if (w->matched > d) w->matched = d;
}

static void characters(void *ctx, const xmlChar *text, int length) {
    xmlParserCtxtPtr context = ctx;
    walk *w = context->_private;
    if (w->failed || !w->in_record) return;
    // The record's line, when its own is too large: its first text node's (firstTextLine), which
    // libxml2 dates when the node is made, at its first characters.
    if (w->line < 0 && w->depth - 1 - w->record_depth < TEXT_DEPTH) {
        long line = current_line(w);
        if (line >= 0) w->line = line + w->out->line_offset;
    }
    for (int k = 0; k < w->out->field_count; k++) {
        int kind = w->out->fields[k].kind;
        if (kind == IMPACT_FIELD_ITSELF || (kind == IMPACT_FIELD_CHILD && w->open_depth[k] >= 0))
            append(w, &w->values[k], text, (size_t)length);
    }
}

int impact_part_records_parse(const char *bytes, int length, int options, impact_part_records *records) {
    records->bytes = NULL; records->byte_count = 0; records->byte_capacity = 0;
    records->bounds = NULL; records->lines = NULL; records->refusals = NULL;
    records->count = 0; records->capacity = 0;
    if (records->field_count > MAX_FIELDS || records->step_count < 1 || records->step_count > MAX_STEPS) return -1;
    walk *w = calloc(1, sizeof *w);
    if (!w) return -1;
    w->out = records;
    w->record_depth = records->step_count - 1;
    xmlParserCtxtPtr context = xmlCreateMemoryParserCtxt(bytes, length);
    int result = -1;
    if (context && context->sax && context->dict) {
        xmlCtxtUseOptions(context, options);
        xmlDictPtr dict = context->dict;
        for (int d = 0; d < records->step_count; d++) w->steps[d] = xmlDictLookup(dict, BAD_CAST records->steps[d], -1);
        w->last_ns = records->last_ns ? xmlDictLookup(dict, BAD_CAST records->last_ns, -1) : NULL;
        for (int k = 0; k < records->field_count; k++) {
            const impact_part_field *f = &records->fields[k];
            w->names[k] = f->name ? xmlDictLookup(dict, BAD_CAST f->name, -1) : NULL;
            w->namespaces[k] = f->ns ? xmlDictLookup(dict, BAD_CAST f->ns, -1) : NULL;
        }
        w->refusal_name = xmlDictLookup(dict, BAD_CAST "impact-refused-record", -1);
        impact_sax_take_elements(context->sax, start, end, characters);
        context->_private = w;
        w->context = context;
        xmlParseDocument(context);
        // A part with a DTD is left to the tree (defaults, entities): the splitter makes none.
        int dtd = context->myDoc && context->myDoc->intSubset;
        if (context->wellFormed && !w->failed && w->depth == 0 && !dtd) result = 0;
        if (context->myDoc) xmlFreeDoc(context->myDoc);
        context->myDoc = NULL;
    }
    if (context) xmlFreeParserCtxt(context);
    for (int k = 0; k < MAX_FIELDS; k++) { free(w->values[k].bytes); free(w->parent[k].bytes); }
    free(w->refusal.bytes);
    free(w);
    if (result != 0) impact_part_records_free(records);
    return result;
}

void impact_part_records_free(impact_part_records *records) {
    free(records->bytes); free(records->bounds); free(records->lines); free(records->refusals);
    records->bytes = NULL; records->bounds = NULL; records->lines = NULL; records->refusals = NULL;
    records->count = records->capacity = records->byte_count = records->byte_capacity = 0;
}
