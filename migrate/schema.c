#include "migrate/schema.h"

#include <string.h>

static const struct mg_ufield wo_fields[WO_NFIELDS] = {
	[WO_SOURCE_SYSTEM] = {"source_system", U_TEXT, 0},
	[WO_LEGACY_ID] = {"legacy_id", U_TEXT, 0},
	[WO_ORDER_NO] = {"order_no", U_TEXT, 0},
	[WO_DIALLED_NUMBER] = {"dialled_number", U_TEXT, 0},
	[WO_CHANNEL] = {"channel", U_TEXT, 0},
	[WO_RECEIVED_AT] = {"received_at", U_TIMESTAMP, 0},
	[WO_CALLER_NAME] = {"caller_name", U_TEXT, 1},
	[WO_CALLER_PHONE] = {"caller_phone", U_TEXT, 1},
	[WO_CONTACT_PHONE] = {"contact_phone", U_TEXT, 1},
	[WO_CALLER_ID_NO] = {"caller_id_no", U_TEXT, 1},
	[WO_ADDRESS] = {"address", U_TEXT, 0},
	[WO_REGION_CODE] = {"region_code", U_TEXT, 0},
	[WO_REQUEST_TYPE] = {"request_type", U_TEXT, 0},
	[WO_CATEGORY_CODE] = {"category_code", U_TEXT, 0},
	[WO_LEGACY_CATEGORY_CODE] = {"legacy_category_code", U_TEXT, 0},
	[WO_LEGACY_CATEGORY_TEXT] = {"legacy_category_text", U_TEXT, 0},
	[WO_TITLE] = {"title", U_TEXT, 0},
	[WO_CONTENT] = {"content", U_TEXT, 0},
	[WO_URGENCY] = {"urgency", U_TEXT, 0},
	[WO_HANDLING_UNIT] = {"handling_unit", U_TEXT, 0},
	[WO_CO_UNITS] = {"co_units", U_TEXT, 0},
	[WO_STATUS] = {"status", U_TEXT, 0},
	[WO_DUE_AT] = {"due_at", U_TIMESTAMP, 0},
	[WO_CLOSED_AT] = {"closed_at", U_TIMESTAMP, 0},
	[WO_REPLY] = {"reply", U_TEXT, 0},
	[WO_SATISFACTION] = {"satisfaction", U_TEXT, 0},
};

const struct mg_utable schema_work_order = {"work_order", wo_fields, WO_NFIELDS};

const struct mg_utable *schema_table_find(const char *name)
{
	if (name && !strcmp(name, "work_order"))
		return &schema_work_order;
	return NULL;
}

int schema_field_index(const struct mg_utable *t, const char *field)
{
	for (unsigned i = 0; i < t->nfields; i++)
		if (!strcmp(t->fields[i].name, field))
			return (int)i;
	return -1;
}
