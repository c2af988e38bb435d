#ifndef IMPACT_XML_PART_RECORDS_H
#define IMPACT_XML_PART_RECORDS_H
#include <stddef.h>

/// How a field is found from its record element (`FieldPath`'s simple shapes).
enum {
    IMPACT_FIELD_ITSELF = 0,            // the record's text content
    IMPACT_FIELD_CHILD = 1,             // the first child element of that name (and namespace)
    IMPACT_FIELD_ATTRIBUTE = 2,         // an attribute of the record
    IMPACT_FIELD_PARENT_ATTRIBUTE = 3,  // an attribute of the record's parent
};

typedef struct {
    int kind;
    const char *name;       // local name (unused for IMPACT_FIELD_ITSELF)
    const char *ns;         // namespace URI; NULL: in no namespace
} impact_part_field;

/// The records of one part of a partner-XML file, read through libxml2's SAX2 callbacks: what
/// `PartWalk` finds in the part's tree, without building it.
typedef struct {
    // What to find: the record path's local names, the last step's namespace (NULL: any), the fields.
    const char *const *steps;
    int step_count;
    const char *last_ns;
    const impact_part_field *fields;
    int field_count;
    int look_for_refusals;  // records may be the guard's stand-ins (`impact-refused-record`)
    long line_offset;       // lines of the document before the part

    // What was found, in `impact_part_records_free`'s care.
    unsigned char *bytes;   // every value, and every refusal, back to back
    size_t byte_count;
    size_t *bounds;         // per record, start and end in `bytes` of each field's value
    long *lines;            // per record, its line in the document
    long *refusals;         // per record, start and end in `bytes` of its refusal; -1, -1 when none
    size_t count;           // records
    size_t capacity;        // records' room (internal)
    size_t byte_capacity;   // (internal)
} impact_part_records;

/// Parses `length` bytes (a whole part) with libxml2 `options` and collects its records into
/// `records`. Returns 0, or -1 when the part does not parse, a record's line cannot be told as
/// `recordLine` tells it, or memory ran out: the caller
/// then reads the part as a tree.
int impact_part_records_parse(const char *bytes, int length, int options, impact_part_records *records);

/// Frees what `impact_part_records_parse` collected.
void impact_part_records_free(impact_part_records *records);
#endif
