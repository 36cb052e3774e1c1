/* extractors/formats.c: every file format, by the name playbooks use
 * (weak references, as in registry.c). */
#include <string.h>

#include "extractors/filesrc.h"

#define WEAK __attribute__((weak))
extern const struct file_format format_csv WEAK;
extern const struct file_format format_fixed WEAK;
extern const struct file_format format_dbf WEAK;
extern const struct file_format format_xlsx WEAK;

static const struct file_format *const formats[] = {
	&format_csv, &format_fixed, &format_dbf, &format_xlsx,
};

const struct file_format *file_format_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (formats[i] && !strcmp(formats[i]->name, name))
			return formats[i];
	return NULL;
}
