/* Name tables of enums: one array of names indexed by the enum, looked up in both directions. */
#ifndef ARAYIS_CORE_NAMES_H
#define ARAYIS_CORE_NAMES_H

/* The index of text among the count names, or count when text is NULL or none of them. */
int names_find(const char *const *names, int count, const char *text);

#endif
