/* migrate/schema.h: the unified record layouts, in canonical order.
 *
 * The order of fields here is the order of the unified-domain canonical form
 * (docs/auditors.md) and of the loader's staging columns.
 */
#ifndef MG_SCHEMA_H
#define MG_SCHEMA_H

#include <stddef.h>

/* U_SECONDS: a whole number of seconds (call_record.duration_seconds), as
 * decimal digits without leading zeros: the loaders carry it as text, the
 * store's column is text with a CHECK of that form, and the canonical form
 * is that text. Only a field of type duration fills it (transform/plan.c). */
enum mg_utype { U_TEXT, U_TIMESTAMP, U_BYTEA, U_SECONDS };

struct mg_ufield {
	const char *name;
	enum mg_utype type;
	int personal;           /* masked in reports */
};

struct mg_utable {
	const char *name;       /* playbook target and table in schema hotline */
	const struct mg_ufield *fields;
	unsigned nfields;
	int raw;                /* a verbatim landing table (schema_raw_new) */
	char *land_schema;      /* raw: legacy_<system> */
	char *land_table;       /* raw: the table's name in that schema */
};

/* A raw landing table: the source's columns, as bytea (bytes exactly as
 * stored) or text (decoded), landed as legacy_<system>.<land_table>. */
struct mg_utable *schema_raw_new(const char *system, const char *land_table, const char *const *cols,
				 unsigned n, int bytea);
void schema_raw_free(struct mg_utable *t);
/* A landing table name from a table or file glob: lowercase letters,
 * digits and '_' (other characters become '_'), at most 63 bytes. */
void schema_land_name(const char *name, char *out, size_t n);

const struct mg_utable *schema_table_find(const char *name);
int schema_field_index(const struct mg_utable *t, const char *field);

/* every unified table starts with these two */
enum { U_SOURCE_SYSTEM = 0, U_LEGACY_ID = 1 };

/* every unified table, for lists in messages and docs */
extern const struct mg_utable *const schema_tables[];

/* work_order field indexes used by code */
enum {
	WO_SOURCE_SYSTEM, WO_LEGACY_ID, WO_ORDER_NO, WO_DIALLED_NUMBER, WO_CHANNEL, WO_RECEIVED_AT,
	WO_CALLER_NAME, WO_CALLER_PHONE, WO_CONTACT_PHONE, WO_CALLER_ID_NO, WO_ADDRESS,
	WO_REGION_CODE, WO_REQUEST_TYPE, WO_CATEGORY_CODE, WO_LEGACY_CATEGORY_CODE,
	WO_LEGACY_CATEGORY_TEXT, WO_TITLE, WO_CONTENT, WO_URGENCY, WO_HANDLING_UNIT, WO_CO_UNITS,
	WO_STATUS, WO_DUE_AT, WO_CLOSED_AT, WO_REPLY, WO_SATISFACTION, WO_NFIELDS
};

/* call_record field indexes */
enum {
	CR_SOURCE_SYSTEM, CR_LEGACY_ID, CR_CALL_START, CR_ANSWERED_AT, CR_ENDED_AT, CR_CALLER_PHONE,
	CR_DIALLED_NUMBER, CR_AGENT, CR_QUEUE, CR_RECORDING_REF, CR_DURATION_SECONDS, CR_ORDER_LEGACY_ID,
	CR_NFIELDS
};

extern const struct mg_utable schema_work_order;
extern const struct mg_utable schema_work_order_event;
extern const struct mg_utable schema_call_record;
extern const struct mg_utable schema_kb_article;

#endif
