/* libxml2 helpers shared by the settings readers and writers: parsing with file:line errors
 * that never print, strict attribute access, and serialisation. */
#ifndef VIREO_SVC_XMLIO_H
#define VIREO_SVC_XMLIO_H

#include <libxml/tree.h>
#include <stdbool.h>
#include <stdint.h>

#include "svc/enums.h"
#include "svc/error.h"

/* Parse len bytes of `file` (a name for messages). On failure returns NULL and sets an
 * XmlError "<file>:<line>: <problem>". Entities are not substituted and the network is
 * never used. */
xmlDoc *svc_xml_parse(const char *file, const char *data, size_t len, svc_error **errp);

/* Set an XmlError "<file>:<line of node>: <message>"; returns -EINVAL. */
int svc_xml_fail(svc_error **errp, const char *file, const xmlNode *node, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Prefix an error already in *errp with "<file>:<line>: " and turn it into an XmlError. */
int svc_xml_wrap(svc_error **errp, const char *file, const xmlNode *node, int r);

/* Reject any attribute of node not in the NULL-terminated list `allowed`. */
int svc_xml_check_attrs(const char *file, const xmlNode *node, const char *const *allowed,
                        svc_error **errp);

/* An error for an element the reader does not know (rejected, never dropped silently). */
int svc_xml_unknown_element(const char *file, const xmlNode *node, svc_error **errp);

/* The value of attribute name, borrowed from the tree, or NULL if absent. */
const char *svc_xml_attr(const xmlNode *node, const char *name);

/* Typed attribute readers. If the attribute is absent: an error when `required`, else
 * *ret keeps its value. Numbers are decimal, or hexadecimal with 0x. */
int svc_xml_get_u32(const char *file, const xmlNode *node, const char *name, bool required,
                    uint32_t min, uint32_t max, uint32_t *ret, svc_error **errp);
int svc_xml_get_bool(const char *file, const xmlNode *node, const char *name, bool required,
                     bool *ret, svc_error **errp);
/* *ret is replaced by a copy (NULL for ""). */
int svc_xml_get_str(const char *file, const xmlNode *node, const char *name, bool required,
                    char **ret, svc_error **errp);
/* Look the value up by name in the enum table t. */
int svc_xml_get_enum(const char *file, const xmlNode *node, const char *name, bool required,
                     const struct svc_enum_table *t, int *ret, svc_error **errp);
/* A signed 64-bit decimal number. */
int svc_xml_get_i64(const char *file, const xmlNode *node, const char *name, bool required,
                    int64_t *ret, svc_error **errp);

/* The concatenated text content of node (heap, NULL for empty) in *ret. */
int svc_xml_get_text(const xmlNode *node, char **ret);

/* Element children iteration helper. */
xmlNode *svc_xml_first_element(const xmlNode *parent);
xmlNode *svc_xml_next_element(const xmlNode *node);
bool svc_xml_is(const xmlNode *node, const char *name);

/* Writer helpers: set attribute only when value is non-NULL and non-empty. */
void svc_xml_set_str(xmlNode *node, const char *name, const char *value);
void svc_xml_set_u32(xmlNode *node, const char *name, uint32_t value);
void svc_xml_set_hex(xmlNode *node, const char *name, uint32_t value);
void svc_xml_set_bool(xmlNode *node, const char *name, bool value);
void svc_xml_set_i64(xmlNode *node, const char *name, int64_t value);

/* Serialise doc (indented, UTF-8) into a heap buffer. Returns 0 or -ENOMEM. */
int svc_xml_dump(xmlDoc *doc, char **ret_data, size_t *ret_len);

/* Serialise one element (and its subtree) to a heap string, and parse such a string back as
 * a new element owned by doc. Used to keep an element verbatim. */
char *svc_xml_node_to_string(xmlNode *node);
xmlNode *svc_xml_node_from_string(xmlDoc *doc, const char *text);

#endif
