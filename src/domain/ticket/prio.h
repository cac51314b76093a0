/*
 * prio.h - the priority matrix: priority P1..P4 from impact × urgency.
 *
 * Impact and urgency run from 1 (high) to 3 (low); priority from 1 (P1,
 * the most urgent) to 4. The matrix lives in the table priority_matrix so
 * that an admin can change it; a ticket's priority is always computed
 * from it and never taken from a client. Changing the matrix changes no
 * existing ticket: a ticket is re-prioritised when its impact or urgency
 * is edited.
 */
#ifndef YW_PRIO_H
#define YW_PRIO_H

#include "../../core/err.h"

struct db;
struct yw_actor;

/* The matrix shipped in migration 0001, rows impact 1..3, columns urgency 1..3. */
extern const int prio_default_matrix[3][3];

/* "P1".."P4", or NULL for a value out of range. */
const char *prio_name(int prio);
/* Parses "P1".."P4" (also "p2"); returns 1..4, or 0 when s is not a priority. */
int prio_parse(const char *s);
/* The default fault level of a new incident: P1 -> 1, P2 -> 2, P3/P4 -> 3. */
int prio_fault_level(int prio);

/* Looks up the priority of (impact, urgency); YW_EINVAL names the field out of range. */
int prio_of(struct db *db, int impact, int urgency, int *prio, struct yw_err *err);
/* Reads the whole matrix. */
int prio_matrix_get(struct db *db, int m[3][3], struct yw_err *err);
/*
 * Replaces the matrix (admin only: YW_EPERM otherwise). Every value must
 * be 1..4 (YW_EINVAL naming "matrix[i][j]"). One transaction with its
 * audit row, old and new matrix in the detail.
 */
int prio_matrix_set(struct db *db, const struct yw_actor *a, const int m[3][3], struct yw_err *err);

#endif
