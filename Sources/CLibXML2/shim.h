#ifndef IMPACT_CLIBXML2_SHIM_H
#define IMPACT_CLIBXML2_SHIM_H
// xmlversion.h first, then drop ICU: Debian's libxml2 pulls system unicode/*.h, which clash with
// Foundation's own ICU in clean debug builds ("'UErrorCode' has different definitions").
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <libxml/xmlerror.h>

// xmlFree is a mutable global function pointer; Swift 6 refuses to call it directly.
static inline void impact_xmlFree(void *p) { xmlFree(p); }

// libxml2 prints what it has no handler for (XPath compilation and evaluation errors among them)
// to stderr; the handlers are per thread. Swift cannot make the variadic generic handler itself.
static void impact_ignoreGenericError(void *context, const char *message, ...) { (void)context; (void)message; }
static void impact_ignoreStructuredError(void *context, xmlErrorPtr error) { (void)context; (void)error; }
static inline void impact_silenceErrors(void) {
    xmlSetGenericErrorFunc(NULL, impact_ignoreGenericError);
    xmlSetStructuredErrorFunc(NULL, impact_ignoreStructuredError);
}
#endif
