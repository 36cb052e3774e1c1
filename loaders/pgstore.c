#include "loaders/pgstore.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extractors/extractor.h"
#include "loaders/loader.h"
#include "migrate/schema.h"
#include "transform/codemap.h"

/* Long text columns use lz4 TOAST compression: on COPY into work_order,
 * pglz_compress took 28% of the server's time (perf, 100k rows); lz4 takes
 * a fraction of that for a similar size.
 *
 * Schema migrations: version N is applied once, in order, in one transaction
 * each, and recorded in migration.schema_version. Never edit a released
 * migration: add the next one. */
static const char *const migrations[] = {
	/* 1: the unified store and the migration bookkeeping */
	"CREATE SCHEMA IF NOT EXISTS hotline;\n"
	"CREATE SCHEMA IF NOT EXISTS migration;\n"
	"CREATE TABLE hotline.source_system (\n"
	"  code text PRIMARY KEY, hotline text NOT NULL, name text, department text,\n"
	"  mode text NOT NULL CHECK (mode IN ('merge','dual','subcenter')));\n"
	"CREATE TABLE hotline.category (\n"
	"  code text PRIMARY KEY, parent text REFERENCES hotline.category(code),\n"
	"  level int NOT NULL, name text NOT NULL);\n"
	"CREATE TABLE hotline.work_order (\n"
	"  id bigserial PRIMARY KEY,\n"
	"  source_system text NOT NULL REFERENCES hotline.source_system(code),\n"
	"  legacy_id text NOT NULL, order_no text, dialled_number text, channel text,\n"
	"  received_at timestamptz, caller_name text, caller_phone text, contact_phone text,\n"
	"  caller_id_no text, address text COMPRESSION lz4, region_code text, request_type text,\n"
	"  category_code text REFERENCES hotline.category(code),\n"
	"  legacy_category_code text, legacy_category_text text, title text COMPRESSION lz4,\n"
	"  content text COMPRESSION lz4,\n"
	"  urgency text, handling_unit text, co_units text, status text, due_at timestamptz,\n"
	"  closed_at timestamptz, reply text COMPRESSION lz4, satisfaction text,\n"
	"  raw jsonb COMPRESSION lz4 NOT NULL, run_id bigint NOT NULL, loaded_at timestamptz NOT NULL DEFAULT now(),\n"
	"  UNIQUE (source_system, legacy_id));\n"
	"CREATE TABLE migration.run (\n"
	"  id bigserial PRIMARY KEY, source_system text NOT NULL, playbook text NOT NULL,\n"
	"  playbook_sha256 text NOT NULL, tool_version text NOT NULL,\n"
	"  status text NOT NULL CHECK (status IN ('running','finished','failed','superseded')),\n"
	"  started_at timestamptz NOT NULL DEFAULT now(), finished_at timestamptz,\n"
	"  balanced boolean, message text, ledger jsonb);\n"
	"CREATE TABLE migration.run_table (\n"
	"  run_id bigint NOT NULL REFERENCES migration.run(id), source_table text NOT NULL,\n"
	"  columns text[] NOT NULL, PRIMARY KEY (run_id, source_table));\n"
	"CREATE TABLE migration.stage_ledger (\n"
	"  run_id bigint NOT NULL REFERENCES migration.run(id), source_table text NOT NULL,\n"
	"  stage text NOT NULL, rows_in bigint NOT NULL, rows_out bigint NOT NULL,\n"
	"  rejected bigint NOT NULL, merged bigint NOT NULL,\n"
	"  total_in numeric(20,0) NOT NULL, total_out numeric(20,0) NOT NULL,\n"
	"  total_rejected numeric(20,0) NOT NULL, total_merged numeric(20,0) NOT NULL,\n"
	"  PRIMARY KEY (run_id, source_table, stage));\n"
	"CREATE TABLE migration.reject (\n"
	"  id bigserial PRIMARY KEY, run_id bigint NOT NULL REFERENCES migration.run(id),\n"
	"  source_system text NOT NULL, source_table text NOT NULL, stage text NOT NULL,\n"
	"  reason text NOT NULL, detail text, legacy_key bytea, line bigint, byte_offset bigint,\n"
	"  raw bytea NOT NULL, src_hash numeric(20,0) NOT NULL,\n"
	"  created_at timestamptz NOT NULL DEFAULT now());\n"
	"CREATE INDEX ON migration.reject (run_id, reason);\n"
	"CREATE TABLE migration.merged (\n"
	"  id bigserial PRIMARY KEY, run_id bigint NOT NULL REFERENCES migration.run(id),\n"
	"  source_system text NOT NULL, source_table text NOT NULL, legacy_id text NOT NULL,\n"
	"  legacy_key bytea, survivor_id bigint NOT NULL REFERENCES hotline.work_order(id),\n"
	"  raw jsonb NOT NULL, u_hash numeric(20,0) NOT NULL);\n"
	"CREATE TABLE migration.checkpoint (\n"
	"  run_id bigint NOT NULL REFERENCES migration.run(id), source_table text NOT NULL,\n"
	"  last_key bytea, ledger jsonb NOT NULL, updated_at timestamptz NOT NULL DEFAULT now(),\n"
	"  PRIMARY KEY (run_id, source_table));\n"
	"CREATE FUNCTION migration.h64(bytea) RETURNS numeric LANGUAGE sql IMMUTABLE STRICT AS\n"
	"  $$ SELECT ('x' || left(encode(sha256($1), 'hex'), 16))::bit(64)::bigint::numeric\n"
	"     + CASE WHEN ('x' || left(encode(sha256($1), 'hex'), 16))::bit(64)::bigint < 0\n"
	"            THEN 18446744073709551616 ELSE 0 END $$;\n"
	"CREATE FUNCTION migration.canon(text) RETURNS text LANGUAGE sql IMMUTABLE AS\n"
	"  $$ SELECT CASE WHEN $1 IS NULL THEN 'N' ELSE 'V' || octet_length($1) || ':' || $1 END $$;\n"
	"CREATE FUNCTION migration.canon(timestamptz) RETURNS text LANGUAGE sql IMMUTABLE AS\n"
	"  $$ SELECT migration.canon(to_char($1 AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS')) $$;\n",
	/* 2: every file or archive member read to its end, with its SHA-256;
	 * drop folders take each file once by name */
	"CREATE TABLE migration.source_file (\n"
	"  source_system text NOT NULL, source_table text NOT NULL, name text NOT NULL,\n"
	"  sha256 text NOT NULL, bytes bigint NOT NULL, records bigint NOT NULL,\n"
	"  run_id bigint NOT NULL REFERENCES migration.run(id),\n"
	"  taken_at timestamptz NOT NULL DEFAULT now(),\n"
	"  PRIMARY KEY (source_system, source_table, name));\n",
	/* 3: per-record provenance and hashes, so a difference can be drilled
	 * down to the record; signed run manifests; masking for auditors */
	"ALTER TABLE hotline.work_order ADD COLUMN legacy_key bytea,\n"
	"  ADD COLUMN src_hash numeric(20,0), ADD COLUMN u_hash numeric(20,0);\n"
	"CREATE INDEX work_order_legacy_key ON hotline.work_order (source_system, legacy_key);\n"
	"ALTER TABLE migration.merged ADD COLUMN src_hash numeric(20,0);\n"
	"CREATE TABLE migration.manifest (\n"
	"  run_id bigint PRIMARY KEY REFERENCES migration.run(id), body text NOT NULL,\n"
	"  sha256 text NOT NULL, prev_sha256 text, algorithm text, key_id text, signature text,\n"
	"  created_at timestamptz NOT NULL DEFAULT now());\n"
	"CREATE FUNCTION migration.mask_phone(text) RETURNS text LANGUAGE sql IMMUTABLE STRICT AS\n"
	"  $$ SELECT CASE WHEN length($1) >= 7 THEN left($1, 3) || repeat('*', length($1) - 7) || right($1, 4)\n"
	"              ELSE repeat('*', length($1)) END $$;\n"
	"CREATE FUNCTION migration.mask_name(text) RETURNS text LANGUAGE sql IMMUTABLE STRICT AS\n"
	"  $$ SELECT left($1, 1) || repeat('*', greatest(length($1) - 1, 1)) $$;\n"
	"CREATE FUNCTION migration.mask_id(text) RETURNS text LANGUAGE sql IMMUTABLE STRICT AS\n"
	"  $$ SELECT CASE WHEN length($1) >= 10 THEN left($1, 6) || repeat('*', length($1) - 10) || right($1, 4)\n"
	"              ELSE repeat('*', length($1)) END $$;\n"
	"CREATE VIEW migration.work_order_masked AS SELECT id, source_system, legacy_id, order_no,\n"
	"  dialled_number, channel, received_at, migration.mask_name(caller_name) AS caller_name,\n"
	"  migration.mask_phone(caller_phone) AS caller_phone, migration.mask_phone(contact_phone) AS contact_phone,\n"
	"  migration.mask_id(caller_id_no) AS caller_id_no, region_code, request_type, category_code,\n"
	"  legacy_category_code, legacy_category_text, urgency, handling_unit, co_units, status, due_at,\n"
	"  closed_at, satisfaction, run_id, loaded_at, legacy_key, src_hash, u_hash\n"
	"  FROM hotline.work_order;\n",
	/* 4: incremental extraction: the watermark each table got to */
	"CREATE TABLE migration.watermark (\n"
	"  source_system text NOT NULL, source_table text NOT NULL, value text NOT NULL,\n"
	"  run_id bigint NOT NULL REFERENCES migration.run(id), updated_at timestamptz NOT NULL DEFAULT now(),\n"
	"  PRIMARY KEY (source_system, source_table));\n"
	"ALTER TABLE migration.checkpoint ADD COLUMN watermark text;\n"
	"ALTER TABLE migration.run_table ADD COLUMN watermark_since text;\n",
	/* 5: the other unified records, keyed like work_order */
	"CREATE TABLE hotline.work_order_event (\n"
	"  id bigserial PRIMARY KEY,\n"
	"  source_system text NOT NULL REFERENCES hotline.source_system(code), legacy_id text NOT NULL,\n"
	"  order_legacy_id text, event_type text, event_at timestamptz, actor text, unit text,\n  comment text COMPRESSION lz4,\n"
	"  raw jsonb COMPRESSION lz4 NOT NULL, run_id bigint NOT NULL, loaded_at timestamptz NOT NULL DEFAULT now(),\n"
	"  legacy_key bytea, src_hash numeric(20,0), u_hash numeric(20,0),\n"
	"  UNIQUE (source_system, legacy_id));\n"
	"CREATE INDEX ON hotline.work_order_event (source_system, legacy_key);\n"
	"CREATE TABLE hotline.call_record (\n"
	"  id bigserial PRIMARY KEY,\n"
	"  source_system text NOT NULL REFERENCES hotline.source_system(code), legacy_id text NOT NULL,\n"
	"  call_start timestamptz, answered_at timestamptz, ended_at timestamptz, caller_phone text,\n  dialled_number text, agent text, queue text, recording_ref text,\n"
	"  raw jsonb COMPRESSION lz4 NOT NULL, run_id bigint NOT NULL, loaded_at timestamptz NOT NULL DEFAULT now(),\n"
	"  legacy_key bytea, src_hash numeric(20,0), u_hash numeric(20,0),\n"
	"  UNIQUE (source_system, legacy_id));\n"
	"CREATE INDEX ON hotline.call_record (source_system, legacy_key);\n"
	"CREATE TABLE hotline.kb_article (\n"
	"  id bigserial PRIMARY KEY,\n"
	"  source_system text NOT NULL REFERENCES hotline.source_system(code), legacy_id text NOT NULL,\n"
	"  title text, question text COMPRESSION lz4, answer text COMPRESSION lz4, department text,\n  policy_basis text, valid_from timestamptz, valid_to timestamptz,\n"
	"  raw jsonb COMPRESSION lz4 NOT NULL, run_id bigint NOT NULL, loaded_at timestamptz NOT NULL DEFAULT now(),\n"
	"  legacy_key bytea, src_hash numeric(20,0), u_hash numeric(20,0),\n"
	"  UNIQUE (source_system, legacy_id));\n"
	"CREATE INDEX ON hotline.kb_article (source_system, legacy_key);\n"
	"ALTER TABLE migration.merged DROP CONSTRAINT merged_survivor_id_fkey;\n"
	"ALTER TABLE migration.merged ADD COLUMN target_table text NOT NULL DEFAULT 'work_order';\n",
	/* 6: work orders present in two systems (a call transferred between
	 * hotlines): reported with both keys, never merged */
	"CREATE TABLE migration.cross_duplicate (\n"
	"  a_system text NOT NULL, a_legacy_id text NOT NULL, b_system text NOT NULL, b_legacy_id text NOT NULL,\n"
	"  rule text NOT NULL, a_received_at timestamptz, b_received_at timestamptz,\n"
	"  found_at timestamptz NOT NULL DEFAULT now(),\n"
	"  PRIMARY KEY (a_system, a_legacy_id, b_system, b_legacy_id));\n",
	/* 7: the audit trail of repaired values: original bytes, rules, result */
	"CREATE TABLE migration.repair (\n"
	"  id bigserial PRIMARY KEY, run_id bigint NOT NULL REFERENCES migration.run(id),\n"
	"  source_system text NOT NULL, source_table text NOT NULL, legacy_id text,\n"
	"  legacy_key bytea NOT NULL, line bigint, byte_offset bigint, column_name text NOT NULL,\n"
	"  rules text[] NOT NULL, passes smallint NOT NULL DEFAULT 0, original bytea NOT NULL,\n"
	"  decoded text, repaired text NOT NULL, created_at timestamptz NOT NULL DEFAULT now(),\n"
	"  UNIQUE (run_id, source_table, legacy_key, column_name));\n",
	/* 8: the legacy table each unified record came from (a system may feed
	 * one unified table from several legacy tables) */
	"ALTER TABLE hotline.work_order ADD COLUMN source_table text;\n"
	"ALTER TABLE hotline.work_order_event ADD COLUMN source_table text;\n"
	"ALTER TABLE hotline.call_record ADD COLUMN source_table text;\n"
	"ALTER TABLE hotline.kb_article ADD COLUMN source_table text;\n",
	/* 9: mask short phones as well (a 7-digit local number kept its digits) */
	"CREATE OR REPLACE FUNCTION migration.mask_phone(text) RETURNS text LANGUAGE sql IMMUTABLE STRICT AS\n"
	"  $$ SELECT CASE WHEN length($1) >= 11 THEN left($1, 3) || repeat('*', length($1) - 7) || right($1, 4)\n"
	"              WHEN length($1) >= 7 THEN repeat('*', length($1) - 4) || right($1, 4)\n"
	"              ELSE repeat('*', length($1)) END $$;\n",
	/* 10: referential integrity of the unified records is checked by the
	 * tool at the end of every table (pgstore_orphans) instead of by
	 * per-row foreign-key triggers, which cost a third of the COPY time
	 * (7.1 s -> 4.7 s for 100,000 work orders, measured) */
	"ALTER TABLE hotline.work_order DROP CONSTRAINT work_order_source_system_fkey,\n"
	"  DROP CONSTRAINT work_order_category_code_fkey;\n"
	"ALTER TABLE hotline.work_order_event DROP CONSTRAINT work_order_event_source_system_fkey;\n"
	"ALTER TABLE hotline.call_record DROP CONSTRAINT call_record_source_system_fkey;\n"
	"ALTER TABLE hotline.kb_article DROP CONSTRAINT kb_article_source_system_fkey;\n",
	/* 11: a reject corrected and loaded by `migrate rejects replay` */
	"ALTER TABLE migration.reject ADD COLUMN replayed_by bigint REFERENCES migration.run(id);\n",
	/* 12: near-duplicate work orders (`migrate dedup`, migrate/dedup.h): a
	 * duplicate stays in the store and points at its survivor; every pass,
	 * the pairs it found and decided, and its ledger per system */
	"ALTER TABLE hotline.work_order ADD COLUMN merged_into bigint, ADD COLUMN merge_pass bigint;\n"
	"CREATE TABLE migration.dedup_pass (\n"
	"  id bigserial PRIMARY KEY, scope text NOT NULL, window_minutes int NOT NULL,\n"
	"  min_similarity real NOT NULL, across text NOT NULL CHECK (across IN ('report','merge')),\n"
	"  candidates bigint NOT NULL, merged bigint NOT NULL, reported bigint NOT NULL, cleared bigint NOT NULL,\n"
	"  balanced boolean NOT NULL, tool_version text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());\n"
	"CREATE TABLE migration.dedup (\n"
	"  pass_id bigint NOT NULL REFERENCES migration.dedup_pass(id),\n"
	"  work_order_id bigint NOT NULL, source_system text NOT NULL, legacy_id text NOT NULL,\n"
	"  survivor_id bigint NOT NULL, survivor_system text NOT NULL, survivor_legacy_id text NOT NULL,\n"
	"  scope text NOT NULL CHECK (scope IN ('within','across')),\n"
	"  action text NOT NULL CHECK (action IN ('merged','reported')),\n"
	"  rule text NOT NULL, score real NOT NULL, minutes real NOT NULL,\n"
	"  PRIMARY KEY (pass_id, work_order_id, survivor_id));\n"
	"CREATE TABLE migration.dedup_ledger (\n"
	"  pass_id bigint NOT NULL REFERENCES migration.dedup_pass(id), source_system text NOT NULL,\n"
	"  rows_in bigint NOT NULL, rows_out bigint NOT NULL, merged bigint NOT NULL,\n"
	"  total_in numeric(20,0) NOT NULL, total_out numeric(20,0) NOT NULL, total_merged numeric(20,0) NOT NULL,\n"
	"  PRIMARY KEY (pass_id, source_system));\n"
	"CREATE OR REPLACE VIEW migration.work_order_masked AS SELECT id, source_system, legacy_id, order_no,\n"
	"  dialled_number, channel, received_at, migration.mask_name(caller_name) AS caller_name,\n"
	"  migration.mask_phone(caller_phone) AS caller_phone, migration.mask_phone(contact_phone) AS contact_phone,\n"
	"  migration.mask_id(caller_id_no) AS caller_id_no, region_code, request_type, category_code,\n"
	"  legacy_category_code, legacy_category_text, urgency, handling_unit, co_units, status, due_at,\n"
	"  closed_at, satisfaction, run_id, loaded_at, legacy_key, src_hash, u_hash, merged_into, merge_pass\n"
	"  FROM hotline.work_order;\n",
	/* 13: records stay whole in their heap page up to 8160 bytes instead
	 * of ~2 kB: a work order (~2.4 kB with its jsonb raw record) was
	 * compressed and moved out of line into the TOAST table, 25% of the
	 * server's COPY CPU (perf, 100,000 rows: 2.6 s -> 1.97 s) for 19% less
	 * disk */
	"ALTER TABLE hotline.work_order SET (toast_tuple_target = 8160);\n"
	"ALTER TABLE hotline.work_order_event SET (toast_tuple_target = 8160);\n"
	"ALTER TABLE hotline.call_record SET (toast_tuple_target = 8160);\n"
	"ALTER TABLE hotline.kb_article SET (toast_tuple_target = 8160);\n",
	/* 14: a call's talk time and the work order it belongs to (the legacy
	 * id, as work_order_event.order_legacy_id); both join the call
	 * record's canonical form (migrate/schema.c). The duration is text
	 * of whole seconds, as the loaders carry every non-timestamp field;
	 * the CHECK keeps it a number (a cast to bigint never fails). Records
	 * loaded before keep NULL in both, and a run of call records from
	 * before this migration no longer reconciles (its ledger hashed 10
	 * fields): run it again. The auditor role reads no hotline.* table:
	 * call records get a masked view like work orders (caller masked). */
	"ALTER TABLE hotline.call_record ADD COLUMN duration_seconds text\n"
	"    CONSTRAINT call_record_duration_seconds_check CHECK (duration_seconds ~ '^(0|[1-9][0-9]{0,9})$'),\n"
	"  ADD COLUMN order_legacy_id text;\n"
	"CREATE VIEW migration.call_record_masked AS SELECT id, source_system, legacy_id, call_start, answered_at,\n"
	"  ended_at, migration.mask_phone(caller_phone) AS caller_phone, dialled_number, agent, queue, recording_ref,\n"
	"  duration_seconds, order_legacy_id, run_id, loaded_at, legacy_key, src_hash, u_hash, source_table\n"
	"  FROM hotline.call_record;\n",
};

#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

unsigned long long parse_u64_mod(const char *s)
{
	unsigned long long v = 0;

	for (; s && *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (unsigned long long)(*s - '0');
	return v;
}

int pgstore_connect(struct pgstore *s, const char *conninfo, struct mg_err *e)
{
	char msg[512];

	memset(s, 0, sizeof(*s));
	s->conn = PQconnectdb(conninfo ? conninfo : "");
	if (!s->conn)
		return mg_err_set(e, MG_E_NOMEM, "out of memory connecting to the store");
	snprintf(s->where, sizeof(s->where), "%s@%s", PQdb(s->conn) ? PQdb(s->conn) : "?",
		 PQhost(s->conn) ? PQhost(s->conn) : "?");
	if (PQstatus(s->conn) != CONNECTION_OK) {
		snprintf(msg, sizeof(msg), "%s", PQerrorMessage(s->conn));
		mg_err_set(e, MG_E_CONNECT, "cannot connect to the store '%s': %s", s->where, mg_chomp(msg));
		pgstore_close(s);
		return -1;
	}
	return pgstore_exec(s, "SET TimeZone = 'Asia/Shanghai'; SET client_encoding = 'UTF8';"
			    " SET client_min_messages = warning", 0, NULL, NULL, e);
}

void pgstore_close(struct pgstore *s)
{
	if (s->conn)
		PQfinish(s->conn);
	s->conn = NULL;
}

int pgstore_exec(struct pgstore *s, const char *sql, int n, const char *const *params, PGresult **res,
		 struct mg_err *e)
{
	PGresult *r = n ? PQexecParams(s->conn, sql, n, NULL, params, NULL, NULL, 0) : PQexec(s->conn, sql);
	ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		char msg[600];

		snprintf(msg, sizeof(msg), "%s", r ? PQresultErrorMessage(r) : PQerrorMessage(s->conn));
		PQclear(r);
		if (res)
			*res = NULL;
		return mg_err_set(e, PQstatus(s->conn) == CONNECTION_OK ? MG_E_STORE : MG_E_CONNECT,
				  "store '%s' failed: %s", s->where, mg_chomp(msg));
	}
	if (res)
		*res = r;
	else
		PQclear(r);
	return 0;
}

static int schema_version(struct pgstore *s, int *v, struct mg_err *e)
{
	PGresult *r;

	if (pgstore_exec(s, "SELECT to_regclass('migration.schema_version') IS NOT NULL", 0, NULL, &r, e))
		return -1;
	*v = 0;
	if (PQgetvalue(r, 0, 0)[0] == 't') {
		PQclear(r);
		if (pgstore_exec(s, "SELECT coalesce(max(version), 0) FROM migration.schema_version", 0, NULL, &r, e))
			return -1;
		*v = atoi(PQgetvalue(r, 0, 0));
	}
	PQclear(r);
	return 0;
}

static int load_taxonomy(struct pgstore *s, const char *path, struct mg_err *e)
{
	FILE *f = fopen(path, "r");
	char line[1024], *fld[8];
	int lineno = 0;

	if (!f)
		return mg_err_set(e, MG_E_CONFIG, "cannot open the taxonomy '%s'", path);
	while (fgets(line, sizeof(line), f)) {
		size_t l = strlen(line);
		const char *params[4];
		int nf;

		lineno++;
		while (l && (line[l - 1] == '\n' || line[l - 1] == '\r'))
			line[--l] = '\0';
		if (lineno == 1 || !l)
			continue;
		nf = csv_split_line(line, fld, 8);
		if (nf != 4) {
			fclose(f);
			return mg_err_set(e, MG_E_CONFIG, "%s:%d: expected code,parent,level,name", path, lineno);
		}
		params[0] = fld[0];
		params[1] = fld[1][0] ? fld[1] : NULL;
		params[2] = fld[2];
		params[3] = fld[3];
		if (pgstore_exec(s, "INSERT INTO hotline.category (code, parent, level, name) VALUES ($1, $2, $3, $4)"
				 " ON CONFLICT (code) DO UPDATE SET parent = EXCLUDED.parent, level = EXCLUDED.level,"
				 " name = EXCLUDED.name", 4, params, NULL, e)) {
			fclose(f);
			mg_err_prefix(e, "%s:%d", path, lineno);
			return -1;
		}
	}
	fclose(f);
	return 0;
}

/* The roles: hotline_loader writes the store; hotline_auditor reads
 * migration.* and the masked view only (no personal data). Roles belong to
 * the cluster; grants to this database. Creating them needs CREATEROLE. */
static int grant_roles(struct pgstore *s, struct mg_err *e)
{
	return pgstore_exec(s,
		"DO $$ BEGIN\n"
		"  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hotline_auditor') THEN\n"
		"    CREATE ROLE hotline_auditor NOLOGIN; END IF;\n"
		"  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hotline_loader') THEN\n"
		"    CREATE ROLE hotline_loader NOLOGIN; END IF;\n"
		"  EXECUTE format('GRANT CREATE ON DATABASE %I TO hotline_loader', current_database());\n"
		"END $$;\n"
		"GRANT USAGE ON SCHEMA migration TO hotline_auditor;\n"
		"GRANT SELECT ON ALL TABLES IN SCHEMA migration TO hotline_auditor;\n"
		/* the raw bytes of rejected, merged and repaired records hold personal
		 * data: the auditor sees everything about them but those bytes */
		"REVOKE SELECT ON migration.reject, migration.merged, migration.repair FROM hotline_auditor;\n"
		"GRANT SELECT (id, run_id, source_system, source_table, stage, reason, detail, legacy_key, line,\n"
		"  byte_offset, src_hash, created_at, replayed_by) ON migration.reject TO hotline_auditor;\n"
		"GRANT SELECT (id, run_id, source_system, source_table, legacy_id, legacy_key, survivor_id, u_hash,\n"
		"  src_hash, target_table) ON migration.merged TO hotline_auditor;\n"
		"GRANT SELECT (id, run_id, source_system, source_table, legacy_id, legacy_key, line, byte_offset,\n"
		"  column_name, rules, passes, created_at) ON migration.repair TO hotline_auditor;\n"
		"REVOKE ALL ON ALL TABLES IN SCHEMA hotline FROM hotline_auditor;\n"
		"GRANT USAGE ON SCHEMA hotline TO hotline_auditor;\n"
		"GRANT SELECT ON hotline.source_system, hotline.category TO hotline_auditor;\n"
		"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA migration TO hotline_auditor;\n"
		"GRANT USAGE, CREATE ON SCHEMA hotline, migration TO hotline_loader;\n"
		"GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA hotline, migration TO hotline_loader;\n"
		"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA hotline, migration TO hotline_loader;\n"
		"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA migration TO hotline_loader", 0, NULL, NULL, e);
}

int pgstore_init(struct pgstore *s, const char *taxonomy_csv, int *from, int *to, struct mg_err *e)
{
	int v;

	if (pgstore_exec(s, "BEGIN; SELECT pg_advisory_xact_lock(12345)", 0, NULL, NULL, e) || schema_version(s, &v, e))
		goto fail;
	*from = v;
	if (v == 0 && pgstore_exec(s, "CREATE SCHEMA IF NOT EXISTS migration;"
				   " CREATE TABLE migration.schema_version (version int PRIMARY KEY,"
				   " applied_at timestamptz NOT NULL DEFAULT now())", 0, NULL, NULL, e))
		goto fail;
	if (v > NMIGRATIONS) {
		mg_err_set(e, MG_E_STORE, "the store '%s' has schema version %d, newer than this tool knows (%d): upgrade migrate",
			   s->where, v, NMIGRATIONS);
		goto fail;
	}
	for (; v < NMIGRATIONS; v++) {
		char num[16];
		const char *p[1] = {num};

		snprintf(num, sizeof(num), "%d", v + 1);
		if (pgstore_exec(s, migrations[v], 0, NULL, NULL, e) ||
		    pgstore_exec(s, "INSERT INTO migration.schema_version (version) VALUES ($1)", 1, p, NULL, e)) {
			mg_err_prefix(e, "schema migration %d", v + 1);
			goto fail;
		}
	}
	*to = v;
	if (taxonomy_csv && load_taxonomy(s, taxonomy_csv, e))
		goto fail;
	if (pgstore_exec(s, "COMMIT", 0, NULL, NULL, e))
		return -1;
	return grant_roles(s, e);
fail:
	PQclear(PQexec(s->conn, "ROLLBACK"));
	return -1;
}

int pgstore_require_schema(struct pgstore *s, struct mg_err *e)
{
	int v;

	if (schema_version(s, &v, e))
		return -1;
	if (v < NMIGRATIONS)
		return mg_err_set(e, MG_E_STORE, "the store '%s' is not initialised (schema version %d of %d): run 'migrate init'",
				  s->where, v, NMIGRATIONS);
	return 0;
}

int pgstore_lock_system(struct pgstore *s, const char *system, struct mg_err *e)
{
	const char *p[1] = {system};
	PGresult *r;
	int ok;

	if (pgstore_exec(s, "SELECT pg_try_advisory_lock(hashtext('migrate:' || $1))", 1, p, &r, e))
		return -1;
	ok = PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	if (!ok)
		return mg_err_set(e, MG_E_STORE, "another migrate run of system '%s' is in progress", system);
	return 0;
}

int pgstore_begin_run(struct pgstore *s, const struct playbook *pb, int fresh, const char *version,
		      long long *run_id, int *resumed, struct mg_err *e)
{
	const char *p[6];
	PGresult *r;

	p[0] = pb->system.code;
	p[1] = pb->system.hotline;
	p[2] = pb->system.name;
	p[3] = pb->system.department;
	p[4] = pb->system.mode;
	if (pgstore_exec(s, "INSERT INTO hotline.source_system (code, hotline, name, department, mode)"
			 " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (code) DO UPDATE SET hotline = EXCLUDED.hotline,"
			 " name = EXCLUDED.name, department = EXCLUDED.department, mode = EXCLUDED.mode",
			 5, p, NULL, e))
		return -1;
	*resumed = 0;
	p[1] = pb->sha256;
	if (!fresh) {
		if (pgstore_exec(s, "SELECT id FROM migration.run WHERE source_system = $1 AND playbook_sha256 = $2"
				 " AND status IN ('running', 'failed') ORDER BY id DESC LIMIT 1", 2, p, &r, e))
			return -1;
		if (PQntuples(r)) {
			*run_id = atoll(PQgetvalue(r, 0, 0));
			*resumed = 1;
			PQclear(r);
			{
				char id[24];
				const char *q[1] = {id};

				snprintf(id, sizeof(id), "%lld", *run_id);
				return pgstore_exec(s, "UPDATE migration.run SET status = 'running', message = NULL"
						    " WHERE id = $1", 1, q, NULL, e);
			}
		}
		PQclear(r);
	}
	if (pgstore_exec(s, "UPDATE migration.run SET status = 'superseded', finished_at = now()"
			 " WHERE source_system = $1 AND status IN ('running', 'failed')", 1, p, NULL, e))
		return -1;
	p[2] = pb->path;
	p[3] = version;
	if (pgstore_exec(s, "INSERT INTO migration.run (source_system, playbook_sha256, playbook, tool_version, status)"
			 " VALUES ($1, $2, $3, $4, 'running') RETURNING id", 4, p, &r, e))
		return -1;
	*run_id = atoll(PQgetvalue(r, 0, 0));
	PQclear(r);
	return 0;
}

int pgstore_load_checkpoint(struct pgstore *s, long long run_id, const char *table, struct mg_buf *key,
			    int *have_key, struct mg_ledger *l, struct mg_buf *wm, struct mg_err *e)
{
	char id[24];
	const char *p[2] = {id, table};
	PGresult *r;

	snprintf(id, sizeof(id), "%lld", run_id);
	*have_key = 0;
	ledger_init(l);
	if (pgstore_exec(s, "SELECT encode(last_key, 'hex'), ledger::text, last_key IS NOT NULL, watermark"
			 " FROM migration.checkpoint WHERE run_id = $1 AND source_table = $2", 2, p, &r, e))
		return -1;
	buf_reset(wm);
	if (PQntuples(r) && !PQgetisnull(r, 0, 3) && buf_addstr(wm, PQgetvalue(r, 0, 3), e)) {
		PQclear(r);
		return -1;
	}
	if (PQntuples(r)) {
		const char *hex = PQgetvalue(r, 0, 0);

		if (PQgetvalue(r, 0, 2)[0] == 't') {
			buf_reset(key);
			for (size_t i = 0; hex[i] && hex[i + 1]; i += 2) {
				char two[3] = {hex[i], hex[i + 1], 0};

				if (buf_addc(key, (int)strtol(two, NULL, 16), e)) {
					PQclear(r);
					return -1;
				}
			}
			*have_key = 1;
		}
		if (ledger_from_json(l, PQgetvalue(r, 0, 1), e)) {
			PQclear(r);
			return -1;
		}
	}
	PQclear(r);
	return 0;
}

int pgstore_save_columns(struct pgstore *s, long long run_id, const char *table, const char *const *cols,
			 unsigned n, struct mg_err *e)
{
	struct mg_buf arr;
	char id[24];
	const char *p[3];
	int rc;

	buf_init(&arr, 0, "columns");
	buf_addc(&arr, '{', e);
	for (unsigned i = 0; i < n; i++) {
		if (i)
			buf_addc(&arr, ',', e);
		buf_addc(&arr, '"', e);
		for (const char *c = cols[i]; *c; c++) {
			if (*c == '"' || *c == '\\')
				buf_addc(&arr, '\\', e);
			buf_addc(&arr, *c, e);
		}
		buf_addc(&arr, '"', e);
	}
	buf_addc(&arr, '}', e);
	snprintf(id, sizeof(id), "%lld", run_id);
	p[0] = id;
	p[1] = table;
	p[2] = buf_cstr(&arr);
	rc = pgstore_exec(s, "INSERT INTO migration.run_table (run_id, source_table, columns) VALUES ($1, $2, $3)"
			  " ON CONFLICT (run_id, source_table) DO UPDATE SET columns = EXCLUDED.columns", 3, p, NULL, e);
	buf_release(&arr);
	return rc;
}

int pgstore_save_stage_ledger(struct pgstore *s, long long run_id, const char *table, const struct mg_ledger *l,
			      struct mg_err *e)
{
	char id[24], v[8][24];
	const char *p[11];

	snprintf(id, sizeof(id), "%lld", run_id);
	for (int st = 0; st < ST_COUNT; st++) {
		const struct mg_stage_count *c = &l->st[st];

		snprintf(v[0], 24, "%llu", (unsigned long long)c->in);
		snprintf(v[1], 24, "%llu", (unsigned long long)c->out);
		snprintf(v[2], 24, "%llu", (unsigned long long)c->rejected);
		snprintf(v[3], 24, "%llu", (unsigned long long)c->merged);
		snprintf(v[4], 24, "%llu", (unsigned long long)c->h_in);
		snprintf(v[5], 24, "%llu", (unsigned long long)(st == ST_TRANSFORM ? c->h_uout : c->h_out));
		snprintf(v[6], 24, "%llu", (unsigned long long)c->h_rej);
		snprintf(v[7], 24, "%llu", (unsigned long long)c->h_merged);
		p[0] = id;
		p[1] = table;
		p[2] = mg_stage_names[st];
		for (int i = 0; i < 8; i++)
			p[3 + i] = v[i];
		if (pgstore_exec(s, "INSERT INTO migration.stage_ledger (run_id, source_table, stage, rows_in, rows_out,"
				 " rejected, merged, total_in, total_out, total_rejected, total_merged)"
				 " VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) ON CONFLICT (run_id, source_table, stage)"
				 " DO UPDATE SET rows_in = EXCLUDED.rows_in, rows_out = EXCLUDED.rows_out,"
				 " rejected = EXCLUDED.rejected, merged = EXCLUDED.merged, total_in = EXCLUDED.total_in,"
				 " total_out = EXCLUDED.total_out, total_rejected = EXCLUDED.total_rejected,"
				 " total_merged = EXCLUDED.total_merged", 11, p, NULL, e))
			return -1;
	}
	return 0;
}

int pgstore_finish_run(struct pgstore *s, long long run_id, const struct mg_ledger *l, int balanced,
		       const char *status, const char *message, struct mg_err *e)
{
	char id[24];
	const char *p[5];
	struct mg_buf json;
	int rc;

	snprintf(id, sizeof(id), "%lld", run_id);
	buf_init(&json, 0, "ledger");
	if (ledger_to_json(l, &json, e)) {
		buf_release(&json);
		return -1;
	}
	p[0] = id;
	p[1] = status;
	p[2] = balanced ? "true" : "false";
	p[3] = message;
	p[4] = buf_cstr(&json);
	rc = pgstore_exec(s, "UPDATE migration.run SET status = $2, balanced = $3, message = $4, ledger = $5,"
			  " finished_at = now() WHERE id = $1", 5, p, NULL, e);
	buf_release(&json);
	return rc;
}

int pgstore_fail_run(struct pgstore *s, long long run_id, const char *message)
{
	char id[24];
	const char *p[2] = {id, message};
	struct mg_err e = {0};

	if (!s->conn || PQstatus(s->conn) != CONNECTION_OK)
		return -1;
	if (PQtransactionStatus(s->conn) != PQTRANS_IDLE)
		PQclear(PQexec(s->conn, "ROLLBACK"));
	snprintf(id, sizeof(id), "%lld", run_id);
	return pgstore_exec(s, "UPDATE migration.run SET status = 'failed', message = $2 WHERE id = $1", 2, p, NULL, &e);
}

/* The canonical form of a unified record in SQL, written out inline: a
 * call of a SQL function per column costs 25x more on 1M rows. */
int pgstore_canon_sql(const struct mg_utable *t, const char *alias, struct mg_buf *out, struct mg_err *e)
{
	/* one concat() of the fields (a chain of || copies the growing text
	 * once per field); a timestamp's text is always 19 bytes (years
	 * 1000-9999, the only ones the transforms produce), so it is formatted
	 * once: together 1.1 s less per 1,000,000 work orders, same totals.
	 * docs/auditors.md gives the plain form, which computes the same. */
	if (buf_addstr(out, "concat(", e))
		return -1;
	for (unsigned i = 0; i < t->nfields; i++) {
		const char *f = t->fields[i].name;
		int rc;

		if (t->fields[i].type == U_TIMESTAMP)
			rc = buf_printf(out, e, "%sCASE WHEN %s.%s IS NULL THEN 'N' ELSE 'V19:' || to_char(%s.%s AT TIME ZONE"
					" 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS') END", i ? ", " : "", alias, f, alias, f);
		else
			rc = buf_printf(out, e, "%sCASE WHEN %s.%s IS NULL THEN 'N' ELSE concat('V', octet_length(%s.%s), ':', %s.%s)"
					" END", i ? ", " : "", alias, f, alias, f, alias, f);
		if (rc)
			return -1;
	}
	return buf_addc(out, ')', e);
}

int pgstore_recount(struct pgstore *s, const char *system, long long run_id, struct mg_count *out,
		    struct mg_err *e)
{
	return pgstore_recount_table(s, &schema_work_order, system, NULL, run_id, out, e);
}

int pgstore_recount_table(struct pgstore *s, const struct mg_utable *t, const char *system, const char *table,
			  long long run_id, struct mg_count *out, struct mg_err *e)
{
	int rc;

	/* the recount reads the whole system: let the server use every core */
	PQclear(PQexec(s->conn, "SET max_parallel_workers_per_gather = 4"));
	rc = pgstore_recount_range(s, t, system, table, run_id, NULL, out, e);
	PQclear(PQexec(s->conn, "RESET max_parallel_workers_per_gather"));
	return rc;
}

int pgstore_recount_range(struct pgstore *s, const struct mg_utable *t, const char *system, const char *table,
			  long long run_id, struct pgstore_range *range, struct mg_count *out, struct mg_err *e)
{
	struct mg_buf sql;
	char id[24], after[24];
	const char *p[4] = {system, id, table ? table : "", after};
	PGresult *r;

	/* record hash: the first 8 bytes of SHA-256 as a signed bigint; it is
	 * congruent to the unsigned value mod 2^64, so the sum needs no
	 * per-row adjustment, only a final mod that lands in [0, 2^64) */
	buf_init(&sql, 0, "sql");
	if (buf_addstr(&sql, "SELECT count(*), ((coalesce(sum(h), 0) % 18446744073709551616) + 18446744073709551616)"
		       " % 18446744073709551616, max(id), count(*) FILTER (WHERE orphan)"
		       " FROM (SELECT w.id, ('x' || substr(encode(sha256(convert_to(", e) ||
	    pgstore_canon_sql(t, "w", &sql, e) ||
	    buf_printf(&sql, e, ", 'UTF8')), 'hex'), 1, 16))::bit(64)::bigint AS h,"
		       " %s%s%s AS orphan"
		       " FROM hotline.%s w WHERE w.source_system = $1 AND w.run_id = $2 AND ($3 = '' OR w.source_table = $3)"
		       "%s) x", range ? "(NOT EXISTS (SELECT 1 FROM hotline.source_system x WHERE x.code = w.source_system)" : "false",
		       range && t == &schema_work_order ? " OR (w.category_code IS NOT NULL AND NOT EXISTS"
		       " (SELECT 1 FROM hotline.category c WHERE c.code = w.category_code))" : "", range ? ")" : "",
		       t->name, range ? " AND w.id > $4::bigint" : "")) {
		buf_release(&sql);
		return -1;
	}
	snprintf(id, sizeof(id), "%lld", run_id);
	snprintf(after, sizeof(after), "%lld", range ? range->after_id : 0);
	if (pgstore_exec(s, buf_cstr(&sql), range ? 4 : 3, p, &r, e)) {
		buf_release(&sql);
		return -1;
	}
	buf_release(&sql);
	out->rows = strtoull(PQgetvalue(r, 0, 0), NULL, 10);
	out->total = parse_u64_mod(PQgetvalue(r, 0, 1));
	if (range) {
		if (!PQgetisnull(r, 0, 2))
			range->after_id = atoll(PQgetvalue(r, 0, 2));
		range->orphans = atoll(PQgetvalue(r, 0, 3));
	}
	PQclear(r);
	return 0;
}

int pgstore_clone(const struct pgstore *s, struct pgstore *out, struct mg_err *e)
{
	PQconninfoOption *opt = PQconninfo(s->conn), *o;
	const char *kw[64], *val[64];
	int n = 0;

	memset(out, 0, sizeof(*out));
	if (!opt)
		return mg_err_set(e, MG_E_NOMEM, "out of memory reading the store's connection");
	for (o = opt; o->keyword && n < 63; o++)
		if (o->val && *o->val) {
			kw[n] = o->keyword;
			val[n++] = o->val;
		}
	kw[n] = val[n] = NULL;
	out->conn = PQconnectdbParams(kw, val, 0);
	PQconninfoFree(opt);
	snprintf(out->where, sizeof(out->where), "%s", s->where);
	if (!out->conn)
		return mg_err_set(e, MG_E_NOMEM, "out of memory connecting to the store");
	if (PQstatus(out->conn) != CONNECTION_OK) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", PQerrorMessage(out->conn));
		pgstore_close(out);
		return mg_err_set(e, MG_E_CONNECT, "cannot open a second connection to the store '%s': %s", s->where,
				  mg_chomp(msg));
	}
	return pgstore_exec(out, "SET TimeZone = 'Asia/Shanghai'; SET client_encoding = 'UTF8';"
			    " SET client_min_messages = warning", 0, NULL, NULL, e);
}

int pgstore_recount_raw(struct pgstore *s, const struct mg_utable *t, long long run_id, struct mg_count *out,
			struct mg_err *e)
{
	struct mg_buf sql;
	PGresult *r;
	int rc = -1;

	/* the same canonical form, over bytea (the bytes as stored) or text */
	buf_init(&sql, 0, "sql");
	buf_addstr(&sql, "SELECT count(*), ((coalesce(sum(h), 0) % 18446744073709551616) + 18446744073709551616)"
		   " % 18446744073709551616 FROM (SELECT ('x' || substr(encode(sha256(", e);
	if (!t->nfields)
		buf_addstr(&sql, "''::bytea", e);
	for (unsigned i = 0; i < t->nfields; i++) {
		char *id = PQescapeIdentifier(s->conn, t->fields[i].name, strlen(t->fields[i].name));

		if (!id) {
			mg_err_set(e, MG_E_NOMEM, "out of memory");
			goto out;
		}
		if (t->fields[i].type == U_BYTEA)
			buf_printf(&sql, e, "%sCASE WHEN %s IS NULL THEN 'N'::bytea ELSE convert_to('V' || length(%s) || ':', 'UTF8') || %s END",
				   i ? " || " : "", id, id, id);
		else
			buf_printf(&sql, e, "%sconvert_to(CASE WHEN %s IS NULL THEN 'N' ELSE 'V' || octet_length(%s) || ':' || %s END, 'UTF8')",
				   i ? " || " : "", id, id, id);
		PQfreemem(id);
	}
	buf_addstr(&sql, "), 'hex'), 1, 16))::bit(64)::bigint AS h FROM ", e);
	{
		char *a = PQescapeIdentifier(s->conn, t->land_schema, strlen(t->land_schema));
		char *b = PQescapeIdentifier(s->conn, t->land_table, strlen(t->land_table));

		if (a && b)
			buf_printf(&sql, e, "%s.%s WHERE _run_id = %lld) x", a, b, run_id);
		PQfreemem(a);
		PQfreemem(b);
	}
	if (mg_err_isset(e) || pgstore_exec(s, buf_cstr(&sql), 0, NULL, &r, e))
		goto out;
	out->rows = strtoull(PQgetvalue(r, 0, 0), NULL, 10);
	out->total = parse_u64_mod(PQgetvalue(r, 0, 1));
	PQclear(r);
	rc = 0;
out:
	buf_release(&sql);
	return rc;
}

int pgstore_record_inputs(PGconn *conn, const char *run_id, const char *system, const char *table,
			  const struct mg_buf *inputs, struct mg_err *e)
{
	const char *p = buf_cstr(inputs);

	while (*p) {
		char line[1400], *f[4], *save = NULL;
		size_t n = strcspn(p, "\n");
		const char *params[7];
		PGresult *r;

		if (n >= sizeof(line))
			return mg_err_set(e, MG_E_INTERNAL, "input record too long");
		memcpy(line, p, n);
		line[n] = '\0';
		p += n + (p[n] == '\n');
		f[0] = strtok_r(line, "\t", &save);
		f[1] = strtok_r(NULL, "\t", &save);
		f[2] = strtok_r(NULL, "\t", &save);
		f[3] = strtok_r(NULL, "\t", &save);
		if (!f[3])
			continue;
		params[0] = system;
		params[1] = table;
		params[2] = f[0];
		params[3] = f[1];
		params[4] = f[2];
		params[5] = f[3];
		params[6] = run_id;
		r = PQexecParams(conn, "INSERT INTO migration.source_file (source_system, source_table, name, sha256, bytes,"
				 " records, run_id) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (source_system,"
				 " source_table, name) DO UPDATE SET sha256 = EXCLUDED.sha256, bytes = EXCLUDED.bytes,"
				 " records = EXCLUDED.records, run_id = EXCLUDED.run_id, taken_at = now()",
				 7, NULL, params, NULL, NULL, 0);
		if (!r || PQresultStatus(r) != PGRES_COMMAND_OK) {
			char msg[600];

			snprintf(msg, sizeof(msg), "%s", r ? PQresultErrorMessage(r) : PQerrorMessage(conn));
			PQclear(r);
			return mg_err_set(e, MG_E_STORE, "cannot record input '%s' in the store: %s", f[0], mg_chomp(msg));
		}
		PQclear(r);
	}
	return 0;
}

int pgstore_taken_files(struct pgstore *s, const char *system, const char *table, struct mg_buf *out,
			struct mg_err *e)
{
	const char *p[2] = {system, table};
	PGresult *r;

	if (pgstore_exec(s, "SELECT name, bytes FROM migration.source_file WHERE source_system = $1 AND source_table = $2",
			 2, p, &r, e))
		return -1;
	for (int i = 0; i < PQntuples(r); i++)
		if (buf_printf(out, e, "%s\t%s\n", PQgetvalue(r, i, 0), PQgetvalue(r, i, 1))) {
			PQclear(r);
			return -1;
		}
	PQclear(r);
	return 0;
}

long long pgstore_stale(struct pgstore *s, const struct mg_utable *t, const char *system, long long run_id,
			struct mg_err *e)
{
	char id[24], sql[700];
	const char *p[2] = {system, id};
	PGresult *r;
	long long n;

	snprintf(id, sizeof(id), "%lld", run_id);
	if (t->raw) {
		char *a = PQescapeIdentifier(s->conn, t->land_schema, strlen(t->land_schema));
		char *b = PQescapeIdentifier(s->conn, t->land_table, strlen(t->land_table));

		snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s.%s WHERE _run_id <> $2::bigint AND $1::text IS NOT NULL",
			 a ? a : "?", b ? b : "?");
		PQfreemem(a);
		PQfreemem(b);
	} else {
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM hotline.%s WHERE source_system = $1 AND run_id <> $2", t->name);
	}
	if (pgstore_exec(s, sql, 2, p, &r, e))
		return -1;
	n = atoll(PQgetvalue(r, 0, 0));
	PQclear(r);
	return n;
}

int pgstore_get_watermark(struct pgstore *s, const char *system, const char *table, struct mg_buf *out,
			  int *have, struct mg_err *e)
{
	const char *p[2] = {system, table};
	PGresult *r;

	*have = 0;
	buf_reset(out);
	if (pgstore_exec(s, "SELECT value FROM migration.watermark WHERE source_system = $1 AND source_table = $2",
			 2, p, &r, e))
		return -1;
	if (PQntuples(r)) {
		*have = 1;
		if (buf_addstr(out, PQgetvalue(r, 0, 0), e)) {
			PQclear(r);
			return -1;
		}
	}
	PQclear(r);
	return 0;
}

int pgstore_set_watermark(struct pgstore *s, const char *system, const char *table, const char *value,
			  long long run_id, struct mg_err *e)
{
	char id[24];
	const char *p[4] = {system, table, value, id};

	snprintf(id, sizeof(id), "%lld", run_id);
	return pgstore_exec(s, "INSERT INTO migration.watermark (source_system, source_table, value, run_id)"
			    " VALUES ($1, $2, $3, $4) ON CONFLICT (source_system, source_table) DO UPDATE SET"
			    " value = EXCLUDED.value, run_id = EXCLUDED.run_id, updated_at = now()", 4, p, NULL, e);
}

int pgstore_save_since(struct pgstore *s, long long run_id, const char *table, const char *since, struct mg_err *e)
{
	char id[24];
	const char *p[3] = {id, table, since};

	snprintf(id, sizeof(id), "%lld", run_id);
	return pgstore_exec(s, "UPDATE migration.run_table SET watermark_since = $3 WHERE run_id = $1 AND source_table = $2",
			    3, p, NULL, e);
}

int pgstore_copy_lines(PGconn *conn, const char *copy_sql, const struct mg_buf *lines, struct mg_err *e)
{
	PGresult *r;

	if (!lines->len)
		return 0;
	r = PQexec(conn, copy_sql);
	if (!r || PQresultStatus(r) != PGRES_COPY_IN) {
		char msg[600];

		snprintf(msg, sizeof(msg), "%s", r ? PQresultErrorMessage(r) : PQerrorMessage(conn));
		PQclear(r);
		return mg_err_set(e, MG_E_STORE, "cannot start '%.40s' in the store: %s", copy_sql, mg_chomp(msg));
	}
	PQclear(r);
	if (PQputCopyData(conn, (const char *)lines->ptr, (int)lines->len) != 1 || PQputCopyEnd(conn, NULL) != 1)
		return mg_err_set(e, MG_E_STORE, "cannot send rows to the store: %s", PQerrorMessage(conn));
	r = PQgetResult(conn);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		char msg[600];

		snprintf(msg, sizeof(msg), "%s", PQresultErrorMessage(r));
		PQclear(r);
		while ((r = PQgetResult(conn)))
			PQclear(r);
		return mg_err_set(e, MG_E_STORE, "cannot store rows (%.40s): %s", copy_sql, mg_chomp(msg));
	}
	PQclear(r);
	while ((r = PQgetResult(conn)))
		PQclear(r);
	return 0;
}

int pgstore_commit_checkpoint(PGconn *conn, const char *run_id, const char *table, const struct sink_checkpoint *ck,
			      struct mg_err *e)
{
	static const char hx[] = "0123456789abcdef";
	struct mg_buf json, key;
	const char *p[5];
	PGresult *r;
	int rc = -1;

	buf_init(&json, 0, "ledger");
	buf_init(&key, 0, "key");
	if (ledger_to_json(ck->ledger, &json, e))
		goto out;
	if (ck->last_key) {
		buf_addstr(&key, "\\x", e);
		for (size_t i = 0; i < ck->last_key->len; i++) {
			buf_addc(&key, hx[ck->last_key->ptr[i] >> 4], e);
			buf_addc(&key, hx[ck->last_key->ptr[i] & 15], e);
		}
	}
	p[0] = run_id;
	p[1] = table;
	p[2] = ck->last_key ? buf_cstr(&key) : NULL;
	p[3] = buf_cstr(&json);
	p[4] = ck->watermark;
	r = PQexecParams(conn, "INSERT INTO migration.checkpoint (run_id, source_table, last_key, ledger, watermark)"
			 " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (run_id, source_table) DO UPDATE SET"
			 " last_key = EXCLUDED.last_key, ledger = EXCLUDED.ledger, watermark = EXCLUDED.watermark,"
			 " updated_at = now()", 5, NULL, p, NULL, NULL, 0);
	if (!r || PQresultStatus(r) != PGRES_COMMAND_OK) {
		char msg[600];

		snprintf(msg, sizeof(msg), "%s", r ? PQresultErrorMessage(r) : PQerrorMessage(conn));
		PQclear(r);
		mg_err_set(e, PQstatus(conn) == CONNECTION_OK ? MG_E_STORE : MG_E_CONNECT,
			   "cannot save the checkpoint in the store: %s", mg_chomp(msg));
		goto out;
	}
	PQclear(r);
	r = PQexec(conn, "COMMIT");
	if (!r || PQresultStatus(r) != PGRES_COMMAND_OK) {
		char msg[600];

		snprintf(msg, sizeof(msg), "%s", r ? PQresultErrorMessage(r) : PQerrorMessage(conn));
		PQclear(r);
		mg_err_set(e, PQstatus(conn) == CONNECTION_OK ? MG_E_STORE : MG_E_CONNECT, "cannot commit in the store: %s",
			   mg_chomp(msg));
		goto out;
	}
	PQclear(r);
	rc = 0;
out:
	buf_release(&json);
	buf_release(&key);
	return rc;
}

void pgstore_abort_chunk(PGconn *conn, int in_copy, int in_tx)
{
	if (!conn || PQstatus(conn) != CONNECTION_OK)
		return;
	if (in_copy) {
		PGresult *r;

		PQputCopyEnd(conn, "aborted");
		while ((r = PQgetResult(conn)))
			PQclear(r);
	}
	if (in_tx)
		PQclear(PQexec(conn, "ROLLBACK"));
}

long long pgstore_orphans(struct pgstore *s, const struct mg_utable *t, const char *system, const char *table,
			  long long run_id, struct mg_err *e)
{
	char id[24], sql[600];
	const char *p[3] = {system, id, table};
	PGresult *r;
	long long n;

	snprintf(id, sizeof(id), "%lld", run_id);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM hotline.%s w WHERE w.source_system = $1 AND w.run_id = $2"
		 " AND w.source_table = $3 AND (NOT EXISTS (SELECT 1 FROM hotline.source_system x WHERE x.code = w.source_system)%s)",
		 t->name, t == &schema_work_order ? " OR (w.category_code IS NOT NULL AND NOT EXISTS"
		 " (SELECT 1 FROM hotline.category c WHERE c.code = w.category_code))" : "");
	if (pgstore_exec(s, sql, 3, p, &r, e))
		return -1;
	n = atoll(PQgetvalue(r, 0, 0));
	PQclear(r);
	return n;
}
