/* migrate/schema.h: the unified record layouts, in canonical order.
 *
 * The order of fields here is the order of the unified-domain canonical form
 * (docs/auditors.md) and of the loader's staging columns.
 */
#ifndef MG_SCHEMA_H
#define MG_SCHEMA_H

enum mg_utype { U_TEXT, U_TIMESTAMP };

struct mg_ufield {
	const char *name;
	enum mg_utype type;
	int personal;           /* masked in reports */
};

struct mg_utable {
	const char *name;       /* playbook target and table in schema hotline */
	const struct mg_ufield *fields;
	unsigned nfields;
};

const struct mg_utable *schema_table_find(const char *name);
int schema_field_index(const struct mg_utable *t, const char *field);

/* work_order field indexes used by code */
enum {
	WO_SOURCE_SYSTEM, WO_LEGACY_ID, WO_ORDER_NO, WO_DIALLED_NUMBER, WO_CHANNEL, WO_RECEIVED_AT,
	WO_CALLER_NAME, WO_CALLER_PHONE, WO_CONTACT_PHONE, WO_CALLER_ID_NO, WO_ADDRESS,
	WO_REGION_CODE, WO_REQUEST_TYPE, WO_CATEGORY_CODE, WO_LEGACY_CATEGORY_CODE,
	WO_LEGACY_CATEGORY_TEXT, WO_TITLE, WO_CONTENT, WO_URGENCY, WO_HANDLING_UNIT, WO_CO_UNITS,
	WO_STATUS, WO_DUE_AT, WO_CLOSED_AT, WO_REPLY, WO_SATISFACTION, WO_NFIELDS
};

extern const struct mg_utable schema_work_order;

#endif
