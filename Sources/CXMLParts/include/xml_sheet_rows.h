#ifndef IMPACT_XML_SHEET_ROWS_H
#define IMPACT_XML_SHEET_ROWS_H
#include <stddef.h>

/// One row of the chosen worksheet, as `SpreadsheetMLTable.row` makes it from the row's tree.
typedef struct {
    long line;                       // where the row's start tag ends
    long number;                     // its row number (`ss:Index`, else the previous one's + 1)
    const unsigned char *bytes;      // the non-empty cells' values back to back
    const size_t *ends;              // where value i ends in `bytes`
    const long *columns;             // the 0-based column of value i
    size_t count;                    // values
    long width;                      // columns the row spans
    const unsigned char *refusal;    // a stand-in's `impact-refused-record` value (NULL: a row read)
    size_t refusal_length;
    const unsigned char *sheet;      // the worksheet's `ss:Name`
    size_t sheet_length;
} impact_sheet_row;

/// libxml2's read callback: up to `length` bytes into `buffer`; 0 at the end, -1 on an error.
typedef int (*impact_sheet_input)(void *context, char *buffer, int length);
/// Takes one row; nonzero stops the parse.
typedef int (*impact_sheet_output)(void *context, const impact_sheet_row *row);
/// Whether the worksheet of this `ss:Name` is the one to read (the output's context is passed).
typedef int (*impact_sheet_wanted)(void *context, const unsigned char *name, size_t length);

/// What a parse found besides its rows.
typedef struct {
    int found_sheet;       // the worksheet asked for (or the first) was met
    int finished_sheet;    // its end was met (the parse stopped there)
    int stopped;           // the row callback stopped the parse
    int doctype;           // a DOCTYPE was met: no row was given; read the file with the reader instead
    int well_formed;       // libxml2 found no error up to where it stopped
    int out_of_memory;     // the parse stopped for want of memory
    long end_line;         // the parser's line where it stopped
    int cell_error;        // a cell outside the sheet's columns: the row was not given
    long cell_error_line;
    char cell_error_message[200];
    int error;             // libxml2's first error
    long error_line;
    int error_column;
    char *error_message;   // malloc'd; `impact_sheet_result_free`
} impact_sheet_result;

/// Reads the rows of a SpreadsheetML worksheet (the first that `wanted` takes) through
/// libxml2's SAX2 callbacks: no tree built. `refusals` is nonzero once the guard in front of the
/// input has refused a row (only then is a row's `impact-refused-record` a stand-in's). 0 when the
/// parse ran; -1 when it could not start.
int impact_sheet_rows_parse(impact_sheet_input input, void *input_context, const int *refusals, int options, impact_sheet_wanted wanted,
                            impact_sheet_output output, void *output_context, impact_sheet_result *result);
/// Frees what a result holds.
void impact_sheet_result_free(impact_sheet_result *result);
#endif
