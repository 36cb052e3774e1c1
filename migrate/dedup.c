/* migrate/dedup.c: near-duplicate work orders (see dedup.h).
 *
 * The store finds the candidate pairs (same phone, within the window, pg_trgm
 * similarity at or above the threshold), ordered by the later record; this
 * file walks them once, through a cursor, deciding survivors group by group
 * (a caller phone), with a set of the group's duplicates as its only state.
 * The decisions go back by COPY into a temporary table; pointers, pairs and
 * the ledger are then written by SQL in the same transaction. */
#include "migrate/dedup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migrate/buf.h"

#define FETCH_ROWS "5000"

/* the duplicates of the current phone group: open addressing with a
 * generation per slot, so starting a new group costs nothing */
struct idset {
	struct {
		long long id;
		unsigned gen;
	} *slot;
	size_t cap, n;
	unsigned gen;
};

static size_t slot_of(const struct idset *s, long long id)
{
	unsigned long long h = (unsigned long long)id * 0x9E3779B97F4A7C15ull;
	size_t i = (size_t)(h >> 20) & (s->cap - 1);

	while (s->slot[i].gen == s->gen && s->slot[i].id != id)
		i = (i + 1) & (s->cap - 1);
	return i;
}

static int idset_has(const struct idset *s, long long id)
{
	return s->cap && s->slot[slot_of(s, id)].gen == s->gen;
}

static void idset_reset(struct idset *s)
{
	s->gen++;
	s->n = 0;
	if (s->gen == 0) { /* wrapped: clear for real */
		if (s->slot)
			memset(s->slot, 0, s->cap * sizeof(*s->slot));
		s->gen = 1;
	}
}

static int idset_add(struct idset *s, long long id, const char *phone_masked, struct mg_err *e)
{
	if (s->n >= DEDUP_MAX_GROUP)
		return mg_err_set(e, MG_E_LIMIT, "caller phone '%s' has more than %u duplicates within the window:"
				  " look at this number (a test line?) before deduplicating", phone_masked, DEDUP_MAX_GROUP);
	if (2 * (s->n + 1) > s->cap) {
		struct idset old = *s;
		size_t cap = s->cap ? s->cap * 2 : 1024;

		s->slot = calloc(cap, sizeof(*s->slot));
		if (!s->slot) {
			*s = old;
			return mg_err_set(e, MG_E_NOMEM, "out of memory for the duplicates of one caller phone");
		}
		s->cap = cap;
		s->gen = 1;
		s->n = 0;
		for (size_t i = 0; i < old.cap; i++)
			if (old.slot[i].gen == old.gen) {
				size_t j = slot_of(s, old.slot[i].id);

				s->slot[j].id = old.slot[i].id;
				s->slot[j].gen = s->gen;
				s->n++;
			}
		free(old.slot);
	}
	size_t i = slot_of(s, id);

	if (s->slot[i].gen != s->gen) {
		s->slot[i].id = id;
		s->slot[i].gen = s->gen;
		s->n++;
	}
	return 0;
}

/* the schema pg_trgm lives in (quoted as needed), creating it if missing */
static int trgm_schema(struct pgstore *s, char *out, size_t n, struct mg_err *e)
{
	static const char q[] = "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm'";
	PGresult *r;

	if (pgstore_exec(s, q, 0, NULL, &r, e))
		return -1;
	if (!PQntuples(r)) {
		struct mg_err ce = {0};

		PQclear(r);
		if (pgstore_exec(s, "CREATE EXTENSION IF NOT EXISTS pg_trgm", 0, NULL, NULL, &ce))
			return mg_err_set(e, MG_E_STORE, "cannot use the extension 'pg_trgm' in the store '%s' (%s):"
					  " install postgresql-contrib and have the database owner run"
					  " CREATE EXTENSION pg_trgm", s->where, ce.msg);
		if (pgstore_exec(s, q, 0, NULL, &r, e))
			return -1;
	}
	if (PQntuples(r) != 1 || (size_t)PQgetlength(r, 0, 0) >= n) {
		PQclear(r);
		return mg_err_set(e, MG_E_STORE, "cannot find the schema of the extension 'pg_trgm' in the store '%s'",
				  s->where);
	}
	snprintf(out, n, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	return 0;
}

static unsigned long long u64(PGresult *r, int row, int col)
{
	return parse_u64_mod(PQgetvalue(r, row, col));
}

/* walk the candidate pairs (cursor dd) and COPY the decisions into dedup_d */
static int decide(struct pgstore *s, const struct dedup_opts *o, struct dedup_result *res, struct mg_err *e)
{
	struct idset dups = {0};
	struct mg_buf lines, phone;
	PGresult *r = NULL;
	int rc = -1;

	buf_init(&lines, 0, "dedup decisions");
	buf_init(&phone, 256, "caller phone");
	for (;;) {
		int n;

		if (pgstore_exec(s, "FETCH " FETCH_ROWS " FROM dd", 0, NULL, &r, e))
			goto out;
		n = PQntuples(r);
		if (!n)
			break;
		buf_reset(&lines);
		for (int i = 0; i < n; i++) {
			const char *ph = PQgetvalue(r, i, 0);
			long long a = strtoll(PQgetvalue(r, i, 1), NULL, 10), b = strtoll(PQgetvalue(r, i, 2), NULL, 10);
			int across = PQgetvalue(r, i, 3)[0] == 't', merge;

			res->candidates++;
			if (!phone.len || strcmp(buf_cstr(&phone), ph)) {
				buf_reset(&phone);
				if (buf_addstr(&phone, ph, e))
					goto out;
				idset_reset(&dups);
			}
			merge = !across || o->across_merge;
			if (merge) {
				/* b is decided by its best earlier match that survives */
				if (idset_has(&dups, b) || idset_has(&dups, a))
					continue;
				if (idset_add(&dups, b, PQgetvalue(r, i, 6), e))
					goto out;
			}
			if (buf_printf(&lines, e, "%lld\t%lld\t%s\t%s\t%s\t%s\n", b, a, PQgetvalue(r, i, 4),
				       PQgetvalue(r, i, 5), across ? "t" : "f", merge ? "t" : "f"))
				goto out;
		}
		PQclear(r);
		r = NULL;
		if (lines.len && pgstore_copy_lines(s->conn, "COPY dedup_d (dup_id, survivor_id, score, minutes, across, merged)"
						     " FROM STDIN", &lines, e))
			goto out;
	}
	rc = 0;
out:
	PQclear(r);
	free(dups.slot);
	buf_release(&lines);
	buf_release(&phone);
	return rc;
}

static int list_pairs(struct pgstore *s, const char *pass, const struct dedup_cb *cb, struct mg_err *e)
{
	const char *p[1] = {pass};
	PGresult *r;

	if (pgstore_exec(s, "DECLARE dl NO SCROLL CURSOR FOR SELECT d.source_system, d.legacy_id,"
			 " to_char(w.received_at, 'YYYY-MM-DD HH24:MI'), d.survivor_system, d.survivor_legacy_id,"
			 " to_char(v.received_at, 'YYYY-MM-DD HH24:MI'), migration.mask_phone(w.caller_phone),"
			 " d.action, d.scope, d.score, d.minutes, w.merged_into IS NOT NULL"
			 " FROM migration.dedup d JOIN hotline.work_order w ON w.id = d.work_order_id"
			 " JOIN hotline.work_order v ON v.id = d.survivor_id WHERE d.pass_id = $1"
			 " ORDER BY d.scope DESC, d.source_system COLLATE \"C\", d.legacy_id COLLATE \"C\","
			 " d.survivor_system COLLATE \"C\", d.survivor_legacy_id COLLATE \"C\"", 1, p, NULL, e))
		return -1;
	for (;;) {
		int n;

		if (pgstore_exec(s, "FETCH " FETCH_ROWS " FROM dl", 0, NULL, &r, e))
			return -1;
		n = PQntuples(r);
		for (int i = 0; i < n; i++) {
			struct dedup_pair dp = {
				.system = PQgetvalue(r, i, 0),
				.legacy_id = PQgetvalue(r, i, 1),
				.received_at = PQgetvalue(r, i, 2),
				.survivor_system = PQgetvalue(r, i, 3),
				.survivor_legacy_id = PQgetvalue(r, i, 4),
				.survivor_at = PQgetvalue(r, i, 5),
				.phone_masked = PQgetvalue(r, i, 6),
				.action = PQgetvalue(r, i, 7),
				.scope = PQgetvalue(r, i, 8),
				.score = strtod(PQgetvalue(r, i, 9), NULL),
				.minutes = strtod(PQgetvalue(r, i, 10), NULL),
				.dup_merged = PQgetvalue(r, i, 11)[0] == 't',
			};

			cb->pair(cb->arg, &dp);
		}
		PQclear(r);
		if (!n)
			break;
	}
	return pgstore_exec(s, "CLOSE dl", 0, NULL, NULL, e);
}

int dedup_run(struct pgstore *s, const struct dedup_opts *o, const struct dedup_cb *cb, struct dedup_result *res,
	      struct mg_err *e)
{
	char trgm[200], win[16], sim[32], rule[160], pass[24] = "0", across[8], cand[24];
	const char *p[5];
	struct mg_buf q;
	PGresult *r = NULL;
	int n;

	memset(res, 0, sizeof(*res));
	if (o->window < 1 || o->window > 10080 || !(o->min_similarity >= 0 && o->min_similarity <= 1))
		return mg_err_set(e, MG_E_USAGE, "dedup needs a window of 1 to 10080 minutes and a similarity of 0 to 1");
	if (pgstore_require_schema(s, e) || trgm_schema(s, trgm, sizeof(trgm), e))
		return -1;
	snprintf(win, sizeof(win), "%u", o->window);
	snprintf(sim, sizeof(sim), "%.4f", o->min_similarity);
	snprintf(across, sizeof(across), "%s", o->across_merge ? "merge" : "report");
	snprintf(rule, sizeof(rule), "same caller phone within %u minutes, text similarity >= %.2f (pg_trgm)", o->window,
		 o->min_similarity);
	buf_init(&q, 0, "dedup sql");
	if (pgstore_exec(s, "BEGIN; SELECT pg_advisory_xact_lock(12346)", 0, NULL, NULL, e) ||
	    pgstore_exec(s, "CREATE TEMP TABLE dedup_d (dup_id bigint NOT NULL, survivor_id bigint NOT NULL,"
			 " score real NOT NULL, minutes real NOT NULL, across boolean NOT NULL, merged boolean NOT NULL,"
			 " PRIMARY KEY (dup_id, survivor_id)) ON COMMIT DROP", 0, NULL, NULL, e))
		goto fail;
	/* the candidate pairs, a before b in the survivor order; within one
	 * system's scope, records merged into another system stay as they are */
	p[0] = win;
	p[1] = sim;
	p[2] = o->system;
	if (buf_printf(&q, e,
		       "DECLARE dd NO SCROLL CURSOR FOR"
		       " WITH w AS (SELECT id, source_system, legacy_id, caller_phone, received_at"
		       " FROM hotline.work_order x"
		       " WHERE caller_phone ~ " DEDUP_PHONE_IS_NUMBER " AND received_at IS NOT NULL"
		       " AND ($3::text IS NULL OR (source_system = $3 AND (merged_into IS NULL OR EXISTS (SELECT 1"
		       " FROM hotline.work_order y WHERE y.id = x.merged_into AND y.source_system = $3))))),"
		       /* the pairs first, the (costly) similarity only for them:
			* 8.5 s -> 0.7 s on 39,000 work orders */
		       " p AS MATERIALIZED (SELECT b.caller_phone AS phone, a.id AS a_id, b.id AS b_id,"
		       " a.source_system <> b.source_system AS across,"
		       " round((extract(epoch FROM b.received_at - a.received_at) / 60)::numeric, 2) AS minutes,"
		       " b.received_at AS b_at, b.source_system AS b_sys, b.legacy_id AS b_lid,"
		       " a.received_at AS a_at, a.source_system AS a_sys, a.legacy_id AS a_lid"
		       " FROM w a JOIN w b ON a.caller_phone = b.caller_phone"
		       " AND (a.received_at, a.source_system COLLATE \"C\", a.legacy_id COLLATE \"C\")"
		       " < (b.received_at, b.source_system COLLATE \"C\", b.legacy_id COLLATE \"C\")"
		       " AND b.received_at <= a.received_at + make_interval(mins => $1::int)),"
		       " s AS (SELECT p.*, %s.similarity(concat_ws(' ', ta.title, ta.content),"
		       " concat_ws(' ', tb.title, tb.content)) AS sim FROM p"
		       " JOIN hotline.work_order ta ON ta.id = p.a_id JOIN hotline.work_order tb ON tb.id = p.b_id)"
		       " SELECT phone, a_id, b_id, across, sim, minutes, migration.mask_phone(phone) FROM s"
		       " WHERE sim >= $2::real"
		       " ORDER BY phone COLLATE \"C\", b_at, b_sys COLLATE \"C\", b_lid COLLATE \"C\", sim DESC,"
		       " a_at, a_sys COLLATE \"C\", a_lid COLLATE \"C\"", trgm) ||
	    pgstore_exec(s, buf_cstr(&q), 3, p, NULL, e) || decide(s, o, res, e) ||
	    pgstore_exec(s, "CLOSE dd", 0, NULL, NULL, e))
		goto fail;
	/* the pass */
	p[0] = o->system ? o->system : "all";
	p[1] = win;
	p[2] = sim;
	p[3] = across;
	p[4] = o->version ? o->version : "?";
	if (pgstore_exec(s, "INSERT INTO migration.dedup_pass (scope, window_minutes, min_similarity, across, candidates,"
			 " merged, reported, cleared, balanced, tool_version)"
			 " VALUES ($1, $2::int, $3::real, $4, 0, 0, 0, 0, false, $5) RETURNING id", 5, p, &r, e))
		goto fail;
	snprintf(pass, sizeof(pass), "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	r = NULL;
	/* its pairs, with both keys; cross-system pairs reported also where
	 * `migrate crosscheck` lists them */
	p[0] = pass;
	p[1] = rule;
	if (pgstore_exec(s, "INSERT INTO migration.dedup (pass_id, work_order_id, source_system, legacy_id, survivor_id,"
			 " survivor_system, survivor_legacy_id, scope, action, rule, score, minutes)"
			 " SELECT $1, d.dup_id, w.source_system, w.legacy_id, d.survivor_id, v.source_system, v.legacy_id,"
			 " CASE WHEN d.across THEN 'across' ELSE 'within' END,"
			 " CASE WHEN d.merged THEN 'merged' ELSE 'reported' END, $2, d.score, d.minutes"
			 " FROM dedup_d d JOIN hotline.work_order w ON w.id = d.dup_id"
			 " JOIN hotline.work_order v ON v.id = d.survivor_id", 2, p, NULL, e) ||
	    pgstore_exec(s, "INSERT INTO migration.cross_duplicate (a_system, a_legacy_id, b_system, b_legacy_id, rule,"
			 " a_received_at, b_received_at)"
			 " SELECT a.source_system, a.legacy_id, b.source_system, b.legacy_id, $1, a.received_at, b.received_at"
			 " FROM dedup_d d JOIN hotline.work_order w ON w.id = d.dup_id"
			 " JOIN hotline.work_order v ON v.id = d.survivor_id"
			 " CROSS JOIN LATERAL (SELECT * FROM hotline.work_order z WHERE z.id = CASE WHEN"
			 " w.source_system COLLATE \"C\" < v.source_system COLLATE \"C\" THEN w.id ELSE v.id END) a"
			 " CROSS JOIN LATERAL (SELECT * FROM hotline.work_order z WHERE z.id = CASE WHEN"
			 " w.source_system COLLATE \"C\" < v.source_system COLLATE \"C\" THEN v.id ELSE w.id END) b"
			 " WHERE d.across AND NOT d.merged"
			 " ON CONFLICT DO NOTHING", 1, p + 1, NULL, e))
		goto fail;
	/* pointers: clear the ones of the scope this pass did not decide, set
	 * the new ones */
	p[1] = o->system;
	if (pgstore_exec(s, "UPDATE hotline.work_order w SET merged_into = NULL, merge_pass = NULL"
			 " WHERE merged_into IS NOT NULL"
			 " AND ($1::text IS NULL OR (w.source_system = $1 AND EXISTS (SELECT 1 FROM hotline.work_order y"
			 " WHERE y.id = w.merged_into AND y.source_system = $1)))"
			 " AND NOT EXISTS (SELECT 1 FROM dedup_d d WHERE d.dup_id = w.id AND d.survivor_id = w.merged_into"
			 " AND d.merged)", 1, p + 1, &r, e))
		goto fail;
	res->cleared = strtoull(PQcmdTuples(r), NULL, 10);
	PQclear(r);
	if (pgstore_exec(s, "UPDATE hotline.work_order w SET merged_into = d.survivor_id, merge_pass = $1"
			 " FROM dedup_d d WHERE d.dup_id = w.id AND d.merged"
			 " AND w.merged_into IS DISTINCT FROM d.survivor_id", 1, p, NULL, e))
		goto fail;
	/* balanced: every pointer of the scope is one of this pass's decisions
	 * (in a system's pass, pointers into other systems are kept as set) */
	if (pgstore_exec(s, "SELECT (SELECT count(*) FROM dedup_d WHERE merged),"
			 " (SELECT count(*) FROM dedup_d WHERE across AND NOT merged),"
			 " (SELECT count(*) FROM hotline.work_order w WHERE merged_into IS NOT NULL"
			 " AND ($1::text IS NULL OR (w.source_system = $1 AND EXISTS (SELECT 1 FROM hotline.work_order y"
			 " WHERE y.id = w.merged_into AND y.source_system = $1)))),"
			 " (SELECT count(*) FROM hotline.work_order w WHERE merged_into IS NOT NULL"
			 " AND NOT EXISTS (SELECT 1 FROM hotline.work_order y WHERE y.id = w.merged_into"
			 " AND y.merged_into IS NULL))", 1, p + 1, &r, e))
		goto fail;
	res->merged = u64(r, 0, 0);
	res->reported = u64(r, 0, 1);
	res->balanced = u64(r, 0, 2) == res->merged && u64(r, 0, 3) == 0;
	PQclear(r);
	/* the ledger per system, recounted from the store */
	if (pgstore_exec(s, "WITH ins AS (INSERT INTO migration.dedup_ledger (pass_id, source_system, rows_in, rows_out, merged,"
			 " total_in, total_out, total_merged)"
			 " SELECT $1, source_system, count(*), count(*) FILTER (WHERE merged_into IS NULL),"
			 " count(*) FILTER (WHERE merged_into IS NOT NULL),"
			 " coalesce(sum(u_hash), 0) % 18446744073709551616,"
			 " coalesce(sum(u_hash) FILTER (WHERE merged_into IS NULL), 0) % 18446744073709551616,"
			 " coalesce(sum(u_hash) FILTER (WHERE merged_into IS NOT NULL), 0) % 18446744073709551616"
			 " FROM hotline.work_order WHERE $2::text IS NULL OR source_system = $2 GROUP BY source_system"
			 " RETURNING source_system, rows_in, rows_out, merged, total_in, total_out, total_merged)"
			 " SELECT * FROM ins ORDER BY source_system COLLATE \"C\"",
			 2, p, &r, e))
		goto fail;
	n = PQntuples(r);
	res->systems = (uint64_t)n;
	for (int i = 0; i < n && cb && cb->ledger; i++) {
		struct dedup_ledger_row l = {
			.system = PQgetvalue(r, i, 0),
			.in = u64(r, i, 1), .out = u64(r, i, 2), .merged = u64(r, i, 3),
			.h_in = u64(r, i, 4), .h_out = u64(r, i, 5), .h_merged = u64(r, i, 6),
		};

		if (l.in != l.out + l.merged || l.h_in != l.h_out + l.h_merged)
			res->balanced = 0;
		cb->ledger(cb->arg, &l);
	}
	PQclear(r);
	r = NULL;
	snprintf(cand, sizeof(cand), "%llu", (unsigned long long)res->candidates);
	{
		char m[24], rep[24], cl[24];
		const char *u[6] = {pass, cand, m, rep, cl, res->balanced ? "t" : "f"};

		snprintf(m, sizeof(m), "%llu", (unsigned long long)res->merged);
		snprintf(rep, sizeof(rep), "%llu", (unsigned long long)res->reported);
		snprintf(cl, sizeof(cl), "%llu", (unsigned long long)res->cleared);
		if (pgstore_exec(s, "UPDATE migration.dedup_pass SET candidates = $2, merged = $3, reported = $4,"
				 " cleared = $5, balanced = $6 WHERE id = $1", 6, u, NULL, e))
			goto fail;
	}
	if (cb && cb->pair && list_pairs(s, pass, cb, e))
		goto fail;
	if (pgstore_exec(s, o->apply ? "COMMIT" : "ROLLBACK", 0, NULL, NULL, e))
		goto fail;
	res->pass_id = o->apply ? strtoll(pass, NULL, 10) : 0;
	buf_release(&q);
	return 0;
fail:
	PQclear(r);
	buf_release(&q);
	PQclear(PQexec(s->conn, "ROLLBACK"));
	return -1;
}
