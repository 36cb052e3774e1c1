/* transform/plan.h: decode, map and normalise one legacy table.
 *
 * A plan is compiled from a playbook table and the source's column list:
 * one decoder per column, one operation per unified field. plan_apply turns
 * a raw batch into a batch of unified records (the target table's fields in
 * canonical order, then the raw legacy record as JSON) and reject lines.
 * Every outcome is counted in out->delta: decode and transform stages, in
 * the source domain, and the unified-domain total of what goes on.
 *
 * Reject reasons (stage.reason): decode.undecodable, transform.missing_legacy_id,
 * transform.invalid_date, transform.zero_date, transform.unmapped_category,
 * transform.unmapped_code, transform.invalid_phone.
 * Fixes (counted, explained changes that keep the record): zero_date,
 * invalid_date_null, unmapped_category, unmapped_code, phone_unrecognised,
 * fullwidth_folded (ID numbers and phones), idno_invalid, phone_extension,
 * phone_country_code.
 */
#ifndef MG_PLAN_H
#define MG_PLAN_H

#include "extractors/extractor.h"
#include "migrate/batch.h"
#include "migrate/playbook.h"
#include "migrate/schema.h"

struct plan;

/* Static checks of a table's fields, dates and encodings (no source needed);
 * mistakes go to pb's diagnostics. */
void plan_check(struct playbook *pb, struct pb_table *t);
int plan_build(struct plan **out, struct playbook *pb, const struct pb_table *t,
	       const struct mg_columns *cols, struct mg_err *e);
void plan_free(struct plan *p);
/* Run id written into reject lines. */
void plan_set_run(struct plan *p, long long run_id);
const struct mg_utable *plan_target(const struct plan *p);
/* Number of columns of the unified batch (fields + raw JSON). */
unsigned plan_out_cols(const struct plan *p);
int plan_apply(struct plan *p, const struct mg_batch *raw, struct mg_batch *out, struct mg_err *e);

/* Source-domain hashes of a raw batch: sets prov[].src_hash and the extract
 * stage of b->delta. Used by the extract stage. */
struct mg_hasher;
int plan_hash_raw(struct mg_hasher *h, struct mg_buf *scratch, struct mg_batch *b, struct mg_err *e);

#endif
