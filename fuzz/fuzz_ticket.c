/*
 * fuzz_ticket.c - ticket create and update requests, decoded with the
 * handlers' own field tables and applied by the domain to a demo
 * database, as three kinds of caller.
 *
 * Input: byte 0 picks the caller (admin, engineer, customer) and the
 * operation (create, or PATCH of an existing ticket with its current
 * version); the rest is the JSON body. Checks what the API promises: a
 * rejected request names a known error code and changes nothing (the
 * ticket count and the patched ticket's version stay as they were), an
 * accepted one yields a ticket that reads back.
 */
#include "core/yw.h"
#include "core/jin.h"
#include "core/jw.h"
#include "core/strbuf.h"
#include "core/err.h"
#include "store/db.h"
#include "domain/account/acct.h"
#include "domain/demo/demo.h"
#include "domain/ticket/tk.h"
#include "http/http.h"
#include <sodium.h>

static struct db *db;
static struct yw_actor actors[3];

static void load_actor(const char *login, struct yw_actor *a)
{
	struct yw_err err = YW_ERR_INIT;
	int64_t id;

	if (acct_find_user(db, login, &id, &err) || acct_load_actor(db, id, a, &err))
		BUG("demo user %s: %s", login, err.msg);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct yw_err err = YW_ERR_INIT;
	char generated[40];

	(void)argc, (void)argv;
	if (sodium_init() < 0)
		BUG("sodium_init");
	if (db_open(&db, ":memory:", &err) || db_migrate(db, NULL, &err) ||
	    acct_bootstrap_admin(db, "fuzz-admin-pw", generated, &err) < 0 || demo_load(db, &err) < 0)
		BUG("fuzz database: %s", err.msg);
	load_actor("admin", &actors[0]);
	load_actor("lina", &actors[1]);
	load_actor("hd_sun", &actors[2]);
	return 0;
}

static int64_t count_tickets(void)
{
	struct yw_err err = YW_ERR_INIT;
	int64_t n = 0;
	db_queryint(db, &n, &err, "SELECT COUNT(*) FROM tickets", "");
	return n;
}

static int64_t version_of(int64_t id)
{
	struct yw_err err = YW_ERR_INIT;
	int64_t v = 0;
	db_queryint(db, &v, &err, "SELECT version FROM tickets WHERE id = ?", "i", id);
	return v;
}

static void check_error(int rc, const struct yw_err *err)
{
	if (rc >= 0 || !strcmp(yw_err_name(rc), "internal_error") || rc == YW_EDB)
		BUG("unexpected result %d (%s): %s", rc, yw_err_name(rc), err->msg);
	if (!err->msg[0])
		BUG("error %s without a message", yw_err_name(rc));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct yw_err err = YW_ERR_INIT;
	struct jin_error jerr;
	const struct yw_actor *a;
	json_t *body;
	int64_t before, id = 0;
	int rc;

	if (size < 1)
		return 0;
	a = &actors[data[0] % 3];
	body = jin_load((const char *)data + 1, size - 1, &jerr);
	if (!body)
		return 0;
	before = count_tickets();
	if (data[0] & 0x80) {
		struct tk_patch p;
		int64_t target = 1 + (data[0] >> 2 & 7), version = version_of(target);
		if (!(rc = http_ticket_decode_patch(body, &p, &err)))
			rc = tk_update(db, a, target, version, &p, &err);
		if (rc) {
			check_error(rc, &err);
			if (version_of(target) != version)
				BUG("a rejected update changed ticket %" PRId64, target);
		}
		id = target;
	} else {
		/*
		 * Bit 6 runs the create as the server does under load: a part of
		 * a group commit, between a kept creation and the batch's commit.
		 */
		bool batch = data[0] & 0x40;
		struct tk_new in, plain = { .type = "incident", .title = "同批 batch neighbour" };
		int64_t other = 0;
		if (batch) {
			if (db_batch_begin(db, &err) || tk_create(db, &actors[0], &plain, &other, &err))
				BUG("a batch's neighbour was refused: %s", err.msg);
			before++;
		}
		if (!(rc = http_ticket_decode_create(body, &in, &err)))
			rc = tk_create(db, a, &in, &id, &err);
		db_rollback(db);   /* the dispatcher's own, between requests: ends nothing in a batch */
		if (batch && db_batch_commit(db, &err))
			BUG("the batch did not commit: %s", err.msg);
		if (batch && version_of(other) != 1)
			BUG("the batch lost its neighbour");
		if (rc) {
			check_error(rc, &err);
			if (count_tickets() != before)
				BUG("a rejected create wrote a ticket");
		}
	}
	if (!rc) {
		struct strbuf sb = STRBUF_INIT;
		struct jw w;
		jw_init(&w, &sb);
		if (tk_get_write(db, a, id, &w, &err)) {
			if (a->role != ROLE_CUSTOMER)
				BUG("ticket %" PRId64 " does not read back: %s", id, err.msg);
		} else {
			json_t *j = json_loadb(sb.buf, sb.len, 0, NULL);
			if (!json_is_object(j))
				BUG("ticket %" PRId64 " is not written as a JSON object: %s", id, sb.buf);
			json_decref(j);
		}
		strbuf_release(&sb);
	}
	yw_err_clear(&err);
	json_decref(body);
	return 0;
}
