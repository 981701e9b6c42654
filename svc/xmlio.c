/* libxml2 helpers: quiet parsing with file:line errors, strict attributes, serialisation. */
#include "svc/xmlio.h"

#include "svc/settings.h"

#include <errno.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libxml2 reports through a callback; the library must never print, so the parse context's
 * structured handler just keeps the first error. */
struct parse_errors {
    int line;
    char message[512];
    bool have;
};

static void on_structured_error(void *user, xmlErrorPtr e)
{
    struct parse_errors *pe = user;
    if (pe->have || !e || e->level < XML_ERR_ERROR)
        return;
    pe->have = true;
    pe->line = e->line;
    snprintf(pe->message, sizeof(pe->message), "%s", e->message ? e->message : "parse error");
    size_t n = strlen(pe->message);
    while (n && (pe->message[n - 1] == '\n' || pe->message[n - 1] == ' '))
        pe->message[--n] = '\0';
}

xmlDoc *svc_xml_parse(const char *file, const char *data, size_t len, svc_error **errp)
{
    if (len > INT_MAX) {
        svc_error_set(errp, -EFBIG, SVC_E_XML_ERROR, "%s: file too large", file);
        return NULL;
    }
    if (len == 0) {
        svc_error_set(errp, -EINVAL, SVC_E_XML_ERROR, "%s:1: file is empty", file);
        return NULL;
    }
    xmlParserCtxt *ctxt = xmlNewParserCtxt();
    if (!ctxt) {
        svc_error_set(errp, -ENOMEM, SVC_E_OUT_OF_MEMORY, "out of memory");
        return NULL;
    }
    struct parse_errors pe = {0};
    xmlSetStructuredErrorFunc(&pe, on_structured_error);
    xmlDoc *doc = xmlCtxtReadMemory(ctxt, data, (int)len, file, "UTF-8",
                                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    xmlSetStructuredErrorFunc(NULL, NULL);
    if (!doc || !ctxt->wellFormed || pe.have) {
        if (!pe.have) {
            const xmlError *last = xmlCtxtGetLastError(ctxt);
            pe.line = last ? last->line : 0;
            snprintf(pe.message, sizeof(pe.message), "%s",
                     last && last->message ? last->message : "not well-formed XML");
        }
        svc_error_set(errp, -EINVAL, SVC_E_XML_ERROR, "%s:%d: %s", file, pe.line, pe.message);
        xmlFreeDoc(doc);
        doc = NULL;
    }
    xmlFreeParserCtxt(ctxt);
    return doc;
}

int svc_xml_fail(svc_error **errp, const char *file, const xmlNode *node, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return svc_error_set(errp, -EINVAL, SVC_E_XML_ERROR, "%s:%ld: %s", file,
                         node ? xmlGetLineNo(node) : 0L, msg);
}

int svc_xml_wrap(svc_error **errp, const char *file, const xmlNode *node, int r)
{
    if (errp && *errp) {
        svc_error_prefix(errp, "%s:%ld", file, node ? xmlGetLineNo(node) : 0L);
        (*errp)->code = SVC_E_XML_ERROR;
    }
    return r;
}

int svc_xml_check_attrs(const char *file, const xmlNode *node, const char *const *allowed,
                        svc_error **errp)
{
    for (const xmlAttr *a = node->properties; a; a = a->next) {
        bool ok = false;
        for (const char *const *p = allowed; *p && !ok; p++)
            ok = strcmp((const char *)a->name, *p) == 0;
        if (!ok)
            return svc_xml_fail(errp, file, node, "unknown attribute '%s' on <%s>",
                                (const char *)a->name, (const char *)node->name);
    }
    return 0;
}

int svc_xml_unknown_element(const char *file, const xmlNode *node, svc_error **errp)
{
    return svc_xml_fail(errp, file, node, "unknown element <%s> in <%s> (see docs/settings.md)",
                        (const char *)node->name,
                        node->parent ? (const char *)node->parent->name : "document");
}

const char *svc_xml_attr(const xmlNode *node, const char *name)
{
    xmlAttr *a = xmlHasProp((xmlNode *)node, (const xmlChar *)name);
    if (!a)
        return NULL;
    if (!a->children || !a->children->content)
        return "";
    return (const char *)a->children->content;
}

static int parse_number(const char *s, unsigned long long *ret)
{
    int base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (!*s || *s == '-' || *s == '+' || *s == ' ')
        return -EINVAL;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, base);
    if (errno || *end)
        return -EINVAL;
    *ret = v;
    return 0;
}

static const char *missing_or(const char *file, const xmlNode *node, const char *name,
                              bool required, int *r, svc_error **errp)
{
    const char *v = svc_xml_attr(node, name);
    *r = 0;
    if (!v && required)
        *r = svc_xml_fail(errp, file, node, "<%s> lacks the required attribute '%s'",
                          (const char *)node->name, name);
    return v;
}

int svc_xml_get_u32(const char *file, const xmlNode *node, const char *name, bool required,
                    uint32_t min, uint32_t max, uint32_t *ret, svc_error **errp)
{
    int r;
    const char *v = missing_or(file, node, name, required, &r, errp);
    if (!v)
        return r;
    unsigned long long n;
    if (parse_number(v, &n) < 0)
        return svc_xml_fail(errp, file, node, "<%s %s=\"%.32s\">: not a number",
                            (const char *)node->name, name, v);
    if (n < min || n > max)
        return svc_xml_fail(errp, file, node, "<%s %s=\"%.32s\">: out of range; allowed %u..%u",
                            (const char *)node->name, name, v, min, max);
    *ret = (uint32_t)n;
    return 0;
}

int svc_xml_get_bool(const char *file, const xmlNode *node, const char *name, bool required,
                     bool *ret, svc_error **errp)
{
    int r;
    const char *v = missing_or(file, node, name, required, &r, errp);
    if (!v)
        return r;
    if (strcmp(v, "true") == 0)
        *ret = true;
    else if (strcmp(v, "false") == 0)
        *ret = false;
    else
        return svc_xml_fail(errp, file, node, "<%s %s=\"%.32s\">: allowed true, false",
                            (const char *)node->name, name, v);
    return 0;
}

int svc_xml_get_str(const char *file, const xmlNode *node, const char *name, bool required,
                    char **ret, svc_error **errp)
{
    int r;
    const char *v = missing_or(file, node, name, required, &r, errp);
    if (!v)
        return r;
    if (svc_str_replace(ret, v) < 0)
        return svc_error_set(errp, -ENOMEM, SVC_E_OUT_OF_MEMORY, "out of memory");
    return 0;
}

int svc_xml_get_enum(const char *file, const xmlNode *node, const char *name, bool required,
                     const struct svc_enum_table *t, int *ret, svc_error **errp)
{
    int r;
    const char *v = missing_or(file, node, name, required, &r, errp);
    if (!v)
        return r;
    int e = svc_enum_value(t, v);
    if (e < 0) {
        char list[160];
        return svc_xml_fail(errp, file, node, "<%s %s=\"%.32s\">: unknown value; allowed %s",
                            (const char *)node->name, name, v,
                            svc_enum_list(t, list, sizeof(list)));
    }
    *ret = e;
    return 0;
}

int svc_xml_get_i64(const char *file, const xmlNode *node, const char *name, bool required,
                    int64_t *ret, svc_error **errp)
{
    int r;
    const char *v = missing_or(file, node, name, required, &r, errp);
    if (!v)
        return r;
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (errno || !*v || *end || *v == ' ' || *v == '+')
        return svc_xml_fail(errp, file, node, "<%s %s=\"%.32s\">: not a number",
                            (const char *)node->name, name, v);
    *ret = n;
    return 0;
}

int svc_xml_get_text(const xmlNode *node, char **ret)
{
    xmlChar *t = xmlNodeGetContent(node);
    if (!t)
        return -ENOMEM;
    int r = svc_str_replace(ret, (const char *)t);
    xmlFree(t);
    return r;
}

xmlNode *svc_xml_first_element(const xmlNode *parent)
{
    for (xmlNode *n = parent->children; n; n = n->next)
        if (n->type == XML_ELEMENT_NODE)
            return n;
    return NULL;
}

xmlNode *svc_xml_next_element(const xmlNode *node)
{
    for (xmlNode *n = node->next; n; n = n->next)
        if (n->type == XML_ELEMENT_NODE)
            return n;
    return NULL;
}

bool svc_xml_is(const xmlNode *node, const char *name)
{
    return strcmp((const char *)node->name, name) == 0;
}

void svc_xml_set_str(xmlNode *node, const char *name, const char *value)
{
    if (value && *value)
        xmlNewProp(node, (const xmlChar *)name, (const xmlChar *)value);
}

void svc_xml_set_u32(xmlNode *node, const char *name, uint32_t value)
{
    char buf[16];
    snprintf(buf, sizeof(buf), "%u", value);
    xmlNewProp(node, (const xmlChar *)name, (const xmlChar *)buf);
}

void svc_xml_set_hex(xmlNode *node, const char *name, uint32_t value)
{
    char buf[16];
    snprintf(buf, sizeof(buf), "0x%x", value);
    xmlNewProp(node, (const xmlChar *)name, (const xmlChar *)buf);
}

void svc_xml_set_i64(xmlNode *node, const char *name, int64_t value)
{
    char buf[24];
    snprintf(buf, sizeof(buf), "%lld", (long long)value);
    xmlNewProp(node, (const xmlChar *)name, (const xmlChar *)buf);
}

void svc_xml_set_bool(xmlNode *node, const char *name, bool value)
{
    xmlNewProp(node, (const xmlChar *)name, (const xmlChar *)(value ? "true" : "false"));
}

int svc_xml_dump(xmlDoc *doc, char **ret_data, size_t *ret_len)
{
    xmlChar *mem = NULL;
    int size = 0;
    xmlDocDumpFormatMemoryEnc(doc, &mem, &size, "UTF-8", 1);
    if (!mem)
        return -ENOMEM;
    char *copy = malloc((size_t)size + 1);
    if (!copy) {
        xmlFree(mem);
        return -ENOMEM;
    }
    memcpy(copy, mem, (size_t)size);
    copy[size] = '\0';
    xmlFree(mem);
    *ret_data = copy;
    *ret_len = (size_t)size;
    return 0;
}

/* Drop whitespace-only text between elements: the indentation added by the writer must not
 * accumulate in a verbatim element across save/load cycles. */
static void strip_blanks(xmlNode *node)
{
    xmlNode *n = node->children;
    while (n) {
        xmlNode *next = n->next;
        if (n->type == XML_TEXT_NODE && xmlIsBlankNode(n) && node->children != node->last) {
            xmlUnlinkNode(n);
            xmlFreeNode(n);
        } else if (n->type == XML_ELEMENT_NODE) {
            strip_blanks(n);
        }
        n = next;
    }
}

char *svc_xml_node_to_string(xmlNode *node)
{
    xmlNode *copy = xmlCopyNode(node, 1);
    xmlBuffer *buf = xmlBufferCreate();
    char *s = NULL;
    if (copy && buf) {
        strip_blanks(copy);
        if (xmlNodeDump(buf, node->doc, copy, 0, 0) >= 0)
            s = strdup((const char *)xmlBufferContent(buf));
    }
    if (buf)
        xmlBufferFree(buf);
    xmlFreeNode(copy);
    return s;
}

xmlNode *svc_xml_node_from_string(xmlDoc *doc, const char *text)
{
    xmlDoc *frag = xmlReadMemory(text, (int)strlen(text), "verbatim.xml", "UTF-8",
                                 XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!frag)
        return NULL;
    xmlNode *copy = xmlDocCopyNode(xmlDocGetRootElement(frag), doc, 1);
    xmlFreeDoc(frag);
    return copy;
}
