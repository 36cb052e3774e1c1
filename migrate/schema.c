#include "migrate/schema.h"

#include <stdio.h>
#include <stdlib.h>
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

const struct mg_utable schema_work_order = {"work_order", wo_fields, WO_NFIELDS, 0, NULL, NULL};

/* 流转记录: dispatch, sign-for, transfer, return, extension, supervision,
 * reply, callback, closure of a work order */
static const struct mg_ufield ev_fields[] = {
	{"source_system", U_TEXT, 0}, {"legacy_id", U_TEXT, 0}, {"order_legacy_id", U_TEXT, 0},
	{"event_type", U_TEXT, 0}, {"event_at", U_TIMESTAMP, 0}, {"actor", U_TEXT, 1},
	{"unit", U_TEXT, 0}, {"comment", U_TEXT, 0},
};
const struct mg_utable schema_work_order_event = {"work_order_event", ev_fields, 8, 0, NULL, NULL};

/* 话务记录 (CDR), with the talk time in whole seconds and the legacy id of
 * the work order the call belongs to (as work_order_event has it; NULL when
 * it created none). Those two came with store migration 14, appended: a
 * call record's canonical form had the first 10 fields before it. */
static const struct mg_ufield cr_fields[CR_NFIELDS] = {
	[CR_SOURCE_SYSTEM] = {"source_system", U_TEXT, 0},
	[CR_LEGACY_ID] = {"legacy_id", U_TEXT, 0},
	[CR_CALL_START] = {"call_start", U_TIMESTAMP, 0},
	[CR_ANSWERED_AT] = {"answered_at", U_TIMESTAMP, 0},
	[CR_ENDED_AT] = {"ended_at", U_TIMESTAMP, 0},
	[CR_CALLER_PHONE] = {"caller_phone", U_TEXT, 1},
	[CR_DIALLED_NUMBER] = {"dialled_number", U_TEXT, 0},
	[CR_AGENT] = {"agent", U_TEXT, 0},
	[CR_QUEUE] = {"queue", U_TEXT, 0},
	[CR_RECORDING_REF] = {"recording_ref", U_TEXT, 0},
	[CR_DURATION_SECONDS] = {"duration_seconds", U_SECONDS, 0},
	[CR_ORDER_LEGACY_ID] = {"order_legacy_id", U_TEXT, 0},
};
const struct mg_utable schema_call_record = {"call_record", cr_fields, CR_NFIELDS, 0, NULL, NULL};

/* 知识库 */
static const struct mg_ufield kb_fields[] = {
	{"source_system", U_TEXT, 0}, {"legacy_id", U_TEXT, 0}, {"title", U_TEXT, 0}, {"question", U_TEXT, 0},
	{"answer", U_TEXT, 0}, {"department", U_TEXT, 0}, {"policy_basis", U_TEXT, 0},
	{"valid_from", U_TIMESTAMP, 0}, {"valid_to", U_TIMESTAMP, 0},
};
const struct mg_utable schema_kb_article = {"kb_article", kb_fields, 9, 0, NULL, NULL};

const struct mg_utable *const schema_tables[] = {
	&schema_work_order, &schema_work_order_event, &schema_call_record, &schema_kb_article, NULL,
};

void schema_land_name(const char *name, char *out, size_t n)
{
	size_t o = 0;
	int last_us = 1;

	for (const char *c = name; *c && o + 1 < n && o < 63; c++) {
		char ch = *c >= 'A' && *c <= 'Z' ? (char)(*c - 'A' + 'a') : *c;

		if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) {
			out[o++] = ch;
			last_us = 0;
		} else if (!last_us) {
			out[o++] = '_';
			last_us = 1;
		}
	}
	while (o && out[o - 1] == '_')
		o--;
	if (!o && n > 4)
		o = (size_t)snprintf(out, n, "raw");
	out[o] = '\0';
}

struct mg_utable *schema_raw_new(const char *system, const char *land_table, const char *const *cols,
				 unsigned n, int bytea)
{
	struct mg_utable *t = calloc(1, sizeof(*t));
	struct mg_ufield *f = calloc(n ? n : 1, sizeof(*f));
	size_t sl = strlen(system) + 8;

	if (!t || !f) {
		free(t);
		free(f);
		return NULL;
	}
	t->name = "raw";
	t->fields = f;
	t->nfields = n;
	t->raw = 1;
	t->land_schema = malloc(sl);
	t->land_table = strdup(land_table);
	if (t->land_schema)
		snprintf(t->land_schema, sl, "legacy_%s", system);
	for (unsigned i = 0; i < n; i++) {
		f[i].name = strdup(cols[i]);
		f[i].type = bytea ? U_BYTEA : U_TEXT;
		if (!f[i].name)
			t->raw = -1;
	}
	if (t->raw < 0 || !t->land_schema || !t->land_table) {
		t->raw = 1;
		schema_raw_free(t);
		return NULL;
	}
	return t;
}

void schema_raw_free(struct mg_utable *t)
{
	if (!t || !t->raw)
		return;
	for (unsigned i = 0; i < t->nfields; i++)
		free((char *)t->fields[i].name);
	free((struct mg_ufield *)t->fields);
	free(t->land_schema);
	free(t->land_table);
	free(t);
}

const struct mg_utable *schema_table_find(const char *name)
{
	static const struct mg_utable raw = {"raw", NULL, 0, 1, NULL, NULL};

	for (int i = 0; name && schema_tables[i]; i++)
		if (!strcmp(name, schema_tables[i]->name))
			return schema_tables[i];
	if (name && !strcmp(name, "raw"))
		return &raw;
	return NULL;
}

int schema_field_index(const struct mg_utable *t, const char *field)
{
	for (unsigned i = 0; i < t->nfields; i++)
		if (!strcmp(t->fields[i].name, field))
			return (int)i;
	return -1;
}
