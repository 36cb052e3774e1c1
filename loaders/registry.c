/* loaders/registry.c: every sink driver, by name. */
#include <string.h>

#include "loaders/loader.h"

extern const struct sink_driver sink_postgresql;
extern const struct sink_driver sink_raw;

const struct sink_driver *const sink_drivers[] = {
	&sink_postgresql,
	&sink_raw,
	NULL,
};

const struct sink_driver *sink_driver_find(const char *name)
{
	for (int i = 0; sink_drivers[i]; i++)
		if (!strcmp(sink_drivers[i]->name, name))
			return sink_drivers[i];
	return NULL;
}
