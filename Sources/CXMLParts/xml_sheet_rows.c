#include "xml_sheet_rows.h"
#include "sax_common.h"
#include <limits.h>
#include <stdio.h>

// The rules are SpreadsheetMLTable's (read, row, RowNames.indexAndMerge), which read the same rows
// from libxml2's reader and each row's tree; tests compare the two on every sheet they know.

#define SPREADSHEET_NS "urn:schemas-microsoft-com:office:spreadsheet"
#define MAX_COLUMNS 16384L

typedef struct {
    impact_sheet_result *result;
    xmlParserCtxtPtr context;
    impact_sheet_output output;
    void *output_context;
    impact_sheet_wanted wanted;
    const int *refusals;
    int failed;           // out of memory
    int depth;
    int skip_depth;       // inside a worksheet not asked for: its subtree is passed over
    int in_sheet, sheet_depth;
    impact_buffer sheet;
    long row_number;
    // The row being read.
    int in_row, row_depth;
    long row_line, column;
    int row_error;        // a cell outside the columns: the row ends in an error
    char row_message[200];
    impact_buffer bytes;
    size_t *ends;
    long *columns;
    size_t count, capacity;
    int cell_open, cell_depth, data_open, data_depth, data_found;
    size_t data_start;
    long merge;
    int has_merge;
    // Names from the parser's dictionary, compared by pointer.
    const xmlChar *ns, *worksheet_name, *row, *cell, *data, *index, *merge_across, *name, *refusal;
} sheet;

static void append(sheet *s, impact_buffer *b, const unsigned char *bytes, size_t n) {
    if (impact_buffer_append(b, bytes, n) != 0) s->failed = 1;
}

static void append_value(sheet *s, impact_buffer *b, const xmlChar *value, const xmlChar *end) {
    if (impact_buffer_set_attribute(b, value, end) != 0) s->failed = 1;
}

/// `SpreadsheetMLTable.integer`: an optional sign and ASCII digits, nothing else, within 64 bits.
static int integer(const xmlChar *p, const xmlChar *end, long *value) {
    int negative = 0;
    if (p < end && (*p == '+' || *p == '-')) { negative = *p == '-'; p++; }
    if (p == end) return 0;
    long v = 0;
    for (; p < end; p++) {
        if (*p < '0' || *p > '9') return 0;
        long digit = *p - '0';
        if (__builtin_mul_overflow(v, 10L, &v)) return 0;
        if (negative ? __builtin_sub_overflow(v, digit, &v) : __builtin_add_overflow(v, digit, &v)) return 0;
    }
    *value = v;
    return 1;
}

static long current_line(sheet *s) { return s->context->input ? s->context->input->line : 0; }

static void stop(sheet *s) { xmlStopParser(s->context); }

static void row_fails(sheet *s, const char *message) {
    if (s->row_error) return;
    s->row_error = 1;
    snprintf(s->row_message, sizeof s->row_message, "%s", message);
}

static void start_cell(sheet *s, int nb, const xmlChar **attributes) {
    long index = 0, merge = 0;
    int has_index = 0, has_merge = 0, seen_index = 0, seen_merge = 0;
    for (int a = 0; a < nb; a++) {
        const xmlChar **at = attributes + 5 * a;
        if (at[2] != s->ns) continue;
        int is_index = !seen_index && at[0] == s->index, is_merge = !seen_merge && at[0] == s->merge_across;
        if (!is_index && !is_merge) continue;
        long v;
        int ok = !memchr(at[3], '&', (size_t)(at[4] - at[3])) && integer(at[3], at[4], &v);
        if (is_index) { seen_index = 1; has_index = ok; index = ok ? v : 0; }
        else { seen_merge = 1; has_merge = ok; merge = ok ? v : 0; }
    }
    s->cell_open = 1;
    s->data_found = 0;
    s->data_open = 0;
    s->has_merge = has_merge;
    s->merge = merge;
    if (s->row_error) return;
    if (has_index) {
        if (index < 1 || index > MAX_COLUMNS) {
            char message[200];
            snprintf(message, sizeof message, "cell index %ld outside 1\xE2\x80\xA6%ld; refused", index, MAX_COLUMNS);
            row_fails(s, message);
            return;
        }
        if (index - 1 > s->column) s->column = index - 1;
    }
    if (s->column >= MAX_COLUMNS) row_fails(s, "cells beyond column 16384; refused");
}

static void end_cell(sheet *s) {
    s->cell_open = 0;
    s->data_open = 0;
    if (s->row_error) return;
    if (s->data_found && s->bytes.count > s->data_start) {
        if (s->count == s->capacity) {
            size_t capacity = s->capacity ? s->capacity * 2 : 64;
            size_t *ends = realloc(s->ends, capacity * sizeof *ends);
            if (ends) s->ends = ends;
            long *columns = realloc(s->columns, capacity * sizeof *columns);
            if (columns) s->columns = columns;
            if (!ends || !columns) { s->failed = 1; return; }
            s->capacity = capacity;
        }
        s->ends[s->count] = s->bytes.count;
        s->columns[s->count] = s->column;
        s->count++;
    }
    s->column += 1;
    if (s->has_merge && s->merge > 0) {
        if (s->merge > MAX_COLUMNS - s->column) { row_fails(s, "merged cells beyond column 16384; refused"); return; }
        s->column += s->merge;
    }
}

static void give(sheet *s, impact_sheet_row *row) {
    row->sheet = s->sheet.bytes;
    row->sheet_length = s->sheet.count;
    if (s->output(s->output_context, row) != 0) {
        s->result->stopped = 1;
        stop(s);
    }
}

static void start(void *ctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri, int nb_namespaces,
                  const xmlChar **namespaces, int nb_attributes, int nb_defaulted, const xmlChar **attributes) {
    (void)nb_namespaces; (void)namespaces; (void)nb_defaulted;
    sheet *s = ((xmlParserCtxtPtr)ctx)->_private;
    int d = s->depth++;
    if (s->failed) { stop(s); return; }
    if (s->skip_depth >= 0) return;
    local = impact_sax_name(local, prefix, uri);
    if (s->in_row) {
        if (d == s->row_depth + 1 && local == s->cell) start_cell(s, nb_attributes, attributes);
        else if (d == s->row_depth + 2 && s->cell_open && !s->data_found && local == s->data) {
            s->data_found = 1;
            s->data_open = 1;
            s->data_depth = d;
            s->data_start = s->bytes.count;
        }
        return;
    }
    if (uri != s->ns) return;  // other namespaces' elements are looked through
    if (!s->in_sheet && local == s->worksheet_name) {
        impact_buffer name = {0};
        for (int a = 0; a < nb_attributes; a++) {
            const xmlChar **at = attributes + 5 * a;
            if (at[0] == s->name && at[2] == s->ns) { append_value(s, &name, at[3], at[4]); break; }
        }
        int wanted = s->wanted(s->output_context, name.bytes ? name.bytes : (const unsigned char *)"", name.count);
        if (wanted) {
            s->in_sheet = 1;
            s->sheet_depth = d;
            s->sheet = name;
            s->result->found_sheet = 1;
        } else {
            free(name.bytes);
            s->skip_depth = d;
        }
        return;
    }
    if (!s->in_sheet || local != s->row) return;
    long index = 0;
    int has_index = 0;
    const xmlChar *refusal = NULL, *refusal_end = NULL;
    for (int a = 0; a < nb_attributes; a++) {
        const xmlChar **at = attributes + 5 * a;
        if (!has_index && at[0] == s->index && at[2] == s->ns) {
            has_index = !memchr(at[3], '&', (size_t)(at[4] - at[3])) && integer(at[3], at[4], &index);
        }
        if (!refusal && *s->refusals && at[0] == s->refusal && at[1] == NULL) { refusal = at[3]; refusal_end = at[4]; }
    }
    s->row_number = (has_index && index > s->row_number) ? index : s->row_number < LONG_MAX ? s->row_number + 1 : LONG_MAX;
    long line = current_line(s);
    if (refusal) {
        impact_buffer value = {0};
        append_value(s, &value, refusal, refusal_end);
        impact_sheet_row row = { .line = line, .number = s->row_number, .refusal = value.bytes ? value.bytes : (const unsigned char *)"",
                                 .refusal_length = value.count };
        if (!s->failed) give(s, &row);
        free(value.bytes);
        s->skip_depth = d;
        return;
    }
    s->in_row = 1;
    s->row_depth = d;
    s->row_line = line;
    s->column = 0;
    s->row_error = 0;
    s->bytes.count = 0;
    s->count = 0;
    s->cell_open = s->data_open = 0;
}

static void end(void *ctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri) {
    sheet *s = ((xmlParserCtxtPtr)ctx)->_private;
    int d = --s->depth;
    if (s->failed) { stop(s); return; }
    local = impact_sax_name(local, prefix, uri);
    if (s->skip_depth >= 0) {
        if (d == s->skip_depth) s->skip_depth = -1;
        return;
    }
    if (s->in_row) {
        if (d == s->row_depth) {
            s->in_row = 0;
            if (s->row_error) {
                impact_sheet_result *r = s->result;
                r->cell_error = 1;
                r->cell_error_line = s->row_line;
                snprintf(r->cell_error_message, sizeof r->cell_error_message, "%s", s->row_message);
                stop(s);
                return;
            }
            impact_sheet_row row = { .line = s->row_line, .number = s->row_number, .bytes = s->bytes.bytes ? s->bytes.bytes : (const unsigned char *)"",
                                     .ends = s->ends, .columns = s->columns, .count = s->count, .width = s->column };
            give(s, &row);
        } else if (s->cell_open && d == s->row_depth + 1) {
            end_cell(s);
        } else if (s->data_open && d == s->data_depth) {
            s->data_open = 0;
        }
        return;
    }
    if (s->in_sheet && d == s->sheet_depth && local == s->worksheet_name) {
        s->result->finished_sheet = 1;
        stop(s);
    }
}

static void characters(void *ctx, const xmlChar *text, int length) {
    sheet *s = ((xmlParserCtxtPtr)ctx)->_private;
    if (s->failed) { stop(s); return; }
    if (s->data_open && !s->row_error) append(s, &s->bytes, text, (size_t)length);
}

static void doctype(void *ctx, const xmlChar *name, const xmlChar *external, const xmlChar *system) {
    (void)name; (void)external; (void)system;
    sheet *s = ((xmlParserCtxtPtr)ctx)->_private;
    s->result->doctype = 1;
    stop(s);
}

static void first_error(void *ctx, xmlErrorPtr error) {
    sheet *s = ((xmlParserCtxtPtr)ctx)->_private;
    impact_sheet_result *r = s->result;
    if (r->error || !error) return;
    r->error = 1;
    r->error_line = error->line;
    r->error_column = error->int2;
    r->error_message = error->message ? strdup(error->message) : NULL;
}

int impact_sheet_rows_parse(impact_sheet_input input, void *input_context, const int *refusals, int options, impact_sheet_wanted wanted,
                            impact_sheet_output output, void *output_context, impact_sheet_result *result) {
    memset(result, 0, sizeof *result);
    xmlParserCtxtPtr context = xmlCreateIOParserCtxt(NULL, NULL, input, NULL, input_context, XML_CHAR_ENCODING_NONE);
    if (!context || !context->sax || !context->dict) {
        if (context) xmlFreeParserCtxt(context);
        return -1;
    }
    sheet *s = calloc(1, sizeof *s);
    if (!s) { xmlFreeParserCtxt(context); return -1; }
    s->result = result;
    s->context = context;
    s->output = output;
    s->output_context = output_context;
    s->wanted = wanted;
    s->refusals = refusals;
    s->skip_depth = -1;
    xmlDictPtr dict = context->dict;
    s->ns = xmlDictLookup(dict, BAD_CAST SPREADSHEET_NS, -1);
    s->worksheet_name = xmlDictLookup(dict, BAD_CAST "Worksheet", -1);
    s->row = xmlDictLookup(dict, BAD_CAST "Row", -1);
    s->cell = xmlDictLookup(dict, BAD_CAST "Cell", -1);
    s->data = xmlDictLookup(dict, BAD_CAST "Data", -1);
    s->index = xmlDictLookup(dict, BAD_CAST "Index", -1);
    s->merge_across = xmlDictLookup(dict, BAD_CAST "MergeAcross", -1);
    s->name = xmlDictLookup(dict, BAD_CAST "Name", -1);
    s->refusal = xmlDictLookup(dict, BAD_CAST "impact-refused-record", -1);
    xmlCtxtUseOptions(context, options);
    impact_sax_take_elements(context->sax, start, end, characters);
    context->sax->internalSubset = doctype;
    context->sax->serror = first_error;
    context->_private = s;
    xmlParseDocument(context);
    result->well_formed = context->wellFormed;
    result->end_line = context->input ? context->input->line : 0;
    result->out_of_memory = s->failed;
    if (context->myDoc) xmlFreeDoc(context->myDoc);
    context->myDoc = NULL;
    xmlFreeParserCtxt(context);
    free(s->sheet.bytes); free(s->bytes.bytes); free(s->ends); free(s->columns);
    free(s);
    return 0;
}

void impact_sheet_result_free(impact_sheet_result *result) {
    free(result->error_message);
    result->error_message = NULL;
}
