/*-------------------------------------------------------------------------
 *
 * deparse.c
 *		  Which quals of a scan become which API request.
 *
 * The API filters with property= parameters: path==v (a comma list means
 * any of), path>v, path<v, path>=v, path<=v, several ANDed; and fetches one
 * item with GET /{resource}/{id}.  A qual becomes a remote filter only when
 * the API's answer is exactly the SQL answer: built-in operators on
 * same-typed operands, deterministic collations, values the syntax can
 * carry.  Everything else is evaluated locally.
 *
 * Filter values may be constants, known at plan time, or expressions known
 * only when the scan starts (parameters, stable functions, outer rows of a
 * parameterized join).  A value of the second kind that turns out to be
 * inexpressible (a text with a comma, say) is simply not sent; such filters
 * are kept as local quals as well, so the result stays exact.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_collation.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_type.h"
#include "common/int.h"
#include "datatype/timestamp.h"
#include "mb/pg_wchar.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/clauses.h"
#include "optimizer/optimizer.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/ruleutils.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "flowsvc_fdw.h"

/* Most values in one property=id==a,b,c request; more make more requests */
#define FLOWSVC_IN_BATCH	50


static bool column_of_rel(Expr *expr, RelOptInfo *baserel, AttrNumber *attnum);
static bool filter_operator(Oid opno, FlowsvcColumn *col, bool commuted,
							FlowsvcFilterOp *op);
static bool value_type_pushable(FlowsvcColumn *col, FlowsvcFilterOp op);
static bool usable_value(Expr *expr, RelOptInfo *baserel);
static bool const_value_expressible(Const *c, Oid typid, FlowsvcFilterOp op,
									bool is_list);
static char *list_value_text(Datum array, Oid typid, bool *empty);
static const char *op_text(FlowsvcFilterOp op);
static void append_filter(StringInfo buf, FlowsvcFilter *filter,
						  const char *value_text);

/*
 * FlowsvcMatchClause
 *		Can clause become a remote filter of a scan of baserel?  If so, fill
 *		*match with the column, operator and value expression.
 *
 * columns is indexed by attribute number minus one.
 */
bool
FlowsvcMatchClause(RelOptInfo *baserel, FlowsvcColumn **columns, Expr *clause,
				   FlowsvcClauseMatch *match)
{
	AttrNumber	attnum;
	FlowsvcColumn *col;

	memset(match, 0, sizeof(*match));

	if (IsA(clause, OpExpr))
	{
		OpExpr	   *opexpr = (OpExpr *) clause;
		Expr	   *left;
		Expr	   *right;
		bool		commuted = false;

		if (list_length(opexpr->args) != 2)
			return false;
		left = linitial(opexpr->args);
		right = lsecond(opexpr->args);
		if (!column_of_rel(left, baserel, &attnum))
		{
			if (!column_of_rel(right, baserel, &attnum))
				return false;
			right = left;
			commuted = true;
		}
		col = columns[attnum - 1];
		if (col == NULL ||
			!filter_operator(opexpr->opno, col, commuted, &match->op) ||
			exprType((Node *) right) != col->typid ||
			!usable_value(right, baserel))
			return false;
		if (col->typid == TEXTOID &&
			!(OidIsValid(opexpr->inputcollid) &&
			  get_collation_isdeterministic(opexpr->inputcollid)))
			return false;
		match->is_list = false;
		match->value = right;
	}
	else if (IsA(clause, ScalarArrayOpExpr))
	{
		ScalarArrayOpExpr *saop = (ScalarArrayOpExpr *) clause;
		Expr	   *array = lsecond(saop->args);

		if (!saop->useOr ||
			!column_of_rel(linitial(saop->args), baserel, &attnum))
			return false;
		col = columns[attnum - 1];
		if (col == NULL ||
			!filter_operator(saop->opno, col, false, &match->op) ||
			match->op != FLOWSVC_OP_EQ ||
			get_element_type(exprType((Node *) array)) != col->typid ||
			!usable_value(array, baserel))
			return false;
		if (col->typid == TEXTOID &&
			!(OidIsValid(saop->inputcollid) &&
			  get_collation_isdeterministic(saop->inputcollid)))
			return false;
		/* the API's string equality would see case the uuid type does not */
		if (col->typid == UUIDOID)
			return false;
		match->is_list = true;
		match->value = array;
	}
	else
		return false;

	match->column = col;
	match->is_id = (match->op == FLOWSVC_OP_EQ && !match->is_list &&
					strcmp(col->path, "id") == 0);

	/*
	 * A constant is checked now, anything else when the scan starts.  An id
	 * lookup carries any value in its path.
	 */
	if (!match->is_id && IsA(match->value, Const) &&
		!const_value_expressible((Const *) match->value, col->typid,
								 match->op, match->is_list))
		return false;
	return true;
}

/*
 * column_of_rel
 *		Is expr (under any binary-compatible relabeling) a user column of
 *		baserel?
 */
static bool
column_of_rel(Expr *expr, RelOptInfo *baserel, AttrNumber *attnum)
{
	while (IsA(expr, RelabelType))
		expr = ((RelabelType *) expr)->arg;
	if (!IsA(expr, Var))
		return false;
	if (((Var *) expr)->varno != (int) baserel->relid ||
		((Var *) expr)->varlevelsup != 0 ||
		((Var *) expr)->varattno <= 0)
		return false;
	*attnum = ((Var *) expr)->varattno;
	return true;
}

/*
 * filter_operator
 *		The API operator of a built-in comparison operator on typid, or
 *		false.  commuted: the column is the right operand.
 */
static bool
filter_operator(Oid opno, FlowsvcColumn *col, bool commuted, FlowsvcFilterOp *op)
{
	Oid			typid = col->typid;
	HeapTuple	tuple;
	Form_pg_operator form;
	bool		ok = false;

	/* only the system's operators mean what the API means */
	if (opno >= FirstNormalObjectId)
		return false;
	tuple = SearchSysCache1(OPEROID, ObjectIdGetDatum(opno));
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for operator %u", opno);
	form = (Form_pg_operator) GETSTRUCT(tuple);
	if (form->oprleft == typid && form->oprright == typid)
	{
		const char *name = NameStr(form->oprname);

		ok = true;
		if (strcmp(name, "=") == 0)
			*op = FLOWSVC_OP_EQ;
		else if (strcmp(name, "<") == 0)
			*op = commuted ? FLOWSVC_OP_GT : FLOWSVC_OP_LT;
		else if (strcmp(name, "<=") == 0)
			*op = commuted ? FLOWSVC_OP_GE : FLOWSVC_OP_LE;
		else if (strcmp(name, ">") == 0)
			*op = commuted ? FLOWSVC_OP_LT : FLOWSVC_OP_GT;
		else if (strcmp(name, ">=") == 0)
			*op = commuted ? FLOWSVC_OP_LE : FLOWSVC_OP_GE;
		else
			ok = false;
	}
	ReleaseSysCache(tuple);
	return ok && value_type_pushable(col, *op);
}

/*
 * value_type_pushable
 *		Does the API compare values of this column as SQL does?
 *
 * Equality works for strings, numbers and booleans; ordering only for
 * numbers (the API's string order is not a collation's).  Timestamps are
 * compared as epoch milliseconds, so only fields known to hold them
 * qualify; a uuid only as the id of a lookup (elsewhere the API's string
 * equality would see case where the uuid type does not).
 */
static bool
value_type_pushable(FlowsvcColumn *col, FlowsvcFilterOp op)
{
	switch (col->typid)
	{
		case INT2OID:
		case INT4OID:
		case INT8OID:
		case NUMERICOID:
		case FLOAT8OID:
			return true;
		case TIMESTAMPTZOID:
			return FlowsvcIsEpochMsField(col->path);
		case TEXTOID:
		case BOOLOID:
			return op == FLOWSVC_OP_EQ;
		case UUIDOID:
			return op == FLOWSVC_OP_EQ && strcmp(col->path, "id") == 0;
		default:
			return false;
	}
}

/*
 * FlowsvcColumnOrderable
 *		Does the API order values of col as SQL does (for orderby and for
 *		<, >, <=, >=)?
 */
bool
FlowsvcColumnOrderable(FlowsvcColumn *col)
{
	return value_type_pushable(col, FLOWSVC_OP_LT) && !FlowsvcFilterInexact(col);
}

/*
 * FlowsvcFilterInexact
 *		Can the API's comparison of col's values differ from SQL's?
 *
 * The API holds numbers as doubles: bigint and numeric values beyond a
 * double's precision round, so two values SQL tells apart may compare
 * equal remotely.  Filters on such columns are sent in a form that can
 * only let more rows through (<= for <), and checked locally as well.
 */
bool
FlowsvcFilterInexact(FlowsvcColumn *col)
{
	return col->typid == INT8OID || col->typid == NUMERICOID;
}

/*
 * FlowsvcIsEpochMsField
 *		Is path a field the API documents as epoch milliseconds?
 */
bool
FlowsvcIsEpochMsField(const char *path)
{
	return strcmp(path, "createdAt") == 0 || strcmp(path, "updatedAt") == 0;
}

/*
 * usable_value
 *		Can expr be computed once when the scan starts: no column of baserel,
 *		nothing volatile, no aggregates?
 */
static bool
usable_value(Expr *expr, RelOptInfo *baserel)
{
	Relids		varnos;

	if (IsA(expr, Const))
		return !((Const *) expr)->constisnull;
	varnos = pull_varnos(NULL, (Node *) expr);
	if (bms_is_member(baserel->relid, varnos))
		return false;
	return !contain_volatile_functions((Node *) expr) &&
		!contain_agg_clause((Node *) expr) &&
		!contain_window_function((Node *) expr) &&
		!expression_returns_set((Node *) expr);
}

/*
 * const_value_expressible
 *		Can the API's syntax carry this constant exactly?
 */
static bool
const_value_expressible(Const *c, Oid typid, FlowsvcFilterOp op, bool is_list)
{
	if (c->constisnull)
		return false;
	if (is_list)
	{
		bool		empty;

		return list_value_text(c->constvalue, typid, &empty) != NULL && !empty;
	}
	return FlowsvcFilterValueText(c->constvalue, typid, op) != NULL;
}

/*
 * FlowsvcFilterValueText
 *		The text of a filter value as the API reads it (UTF-8), or NULL if
 *		the syntax cannot carry it exactly.
 *
 * Timestamps become epoch milliseconds, rounded so that the millisecond
 * comparison selects exactly the rows the microsecond one does.
 */
char *
FlowsvcFilterValueText(Datum value, Oid typid, FlowsvcFilterOp op)
{
	switch (typid)
	{
		case TIMESTAMPTZOID:
			{
				Timestamp	ts = DatumGetTimestampTz(value);
				int64		us;
				int64		floor_ms;
				int64		ceil_ms;

				/* near the end of the range the Unix offset overflows */
				if (TIMESTAMP_NOT_FINITE(ts) ||
					pg_add_s64_overflow(ts, UNIX_TO_PG_EPOCH_USECS, &us))
					return NULL;
				floor_ms = us / 1000 - ((us % 1000 < 0) ? 1 : 0);
				ceil_ms = floor_ms + ((us - floor_ms * 1000) != 0 ? 1 : 0);
				switch (op)
				{
					case FLOWSVC_OP_EQ:
						return (us - floor_ms * 1000) == 0 ?
							psprintf(INT64_FORMAT, floor_ms) : NULL;
					case FLOWSVC_OP_GT:
					case FLOWSVC_OP_LE:
						return psprintf(INT64_FORMAT, floor_ms);
					case FLOWSVC_OP_GE:
					case FLOWSVC_OP_LT:
						return psprintf(INT64_FORMAT, ceil_ms);
				}
				return NULL;
			}
		case BOOLOID:
			return pstrdup(DatumGetBool(value) ? "true" : "false");
		case INT2OID:
			return psprintf("%d", (int) DatumGetInt16(value));
		case INT4OID:
			return psprintf("%d", DatumGetInt32(value));
		case INT8OID:
			{
				int64		v = DatumGetInt64(value);

				/* the API compares numbers as doubles: exact up to 2^53 */
				if (v > (INT64CONST(1) << 53) || v < -(INT64CONST(1) << 53))
					return NULL;
				return psprintf(INT64_FORMAT, v);
			}
		case FLOAT8OID:
			{
				double		d = DatumGetFloat8(value);
				char		buf[64];

				if (isnan(d) || isinf(d))
					return NULL;
				snprintf(buf, sizeof(buf), "%.17g", d);
				return pstrdup(buf);
			}
		case NUMERICOID:
			{
				char	   *s = DatumGetCString(DirectFunctionCall1(numeric_out, value));

				char		buf[64];

				/* NaN and infinities have no JSON form */
				if (!(isdigit((unsigned char) s[0]) || s[0] == '-'))
					return NULL;
				if (s[0] == '-' && !isdigit((unsigned char) s[1]))
					return NULL;

				/*
				 * The API compares numbers as doubles: only a value a double
				 * holds exactly compares as in SQL.
				 */
				snprintf(buf, sizeof(buf), "%.17g", strtod(s, NULL));
				if (!DatumGetBool(DirectFunctionCall2(numeric_eq, value,
													  DirectFunctionCall3(numeric_in,
																		  CStringGetDatum(buf),
																		  ObjectIdGetDatum(InvalidOid),
																		  Int32GetDatum(-1)))))
					return NULL;
				return s;
			}
		case TEXTOID:
			{
				char	   *s = TextDatumGetCString(value);
				char	   *end;

				/* a comma would split the value into a list */
				if (s[0] == '\0' || strchr(s, ',') != NULL)
					return NULL;

				/*
				 * The API compares a number-like or boolean-like operand with
				 * a stored number or boolean by value ("1.0" would match 1),
				 * where SQL compares text: such values stay local.
				 */
				(void) strtod(s, &end);
				if (*end == '\0' || pg_strcasecmp(s, "true") == 0 ||
					pg_strcasecmp(s, "false") == 0 || pg_strcasecmp(s, "null") == 0)
					return NULL;
				return pg_server_to_any(s, strlen(s), PG_UTF8);
			}
		case UUIDOID:
			return DatumGetCString(DirectFunctionCall1(uuid_out, value));
		default:
			return NULL;
	}
}

/*
 * list_value_text
 *		"a,b,c" for an array of filter values, without NULLs and duplicates,
 *		or NULL if an element is inexpressible.  *empty: no element left.
 */
static char *
list_value_text(Datum array, Oid typid, bool *empty)
{
	ArrayType  *arr = DatumGetArrayTypeP(array);
	int16		typlen;
	bool		typbyval;
	char		typalign;
	Datum	   *elems;
	bool	   *nulls;
	int			nelems;
	int			i;
	List	   *texts = NIL;
	StringInfoData buf;
	ListCell   *lc;

	get_typlenbyvalalign(ARR_ELEMTYPE(arr), &typlen, &typbyval, &typalign);
	deconstruct_array(arr, ARR_ELEMTYPE(arr), typlen, typbyval, typalign,
					  &elems, &nulls, &nelems);
	for (i = 0; i < nelems; i++)
	{
		char	   *text;

		if (nulls[i])
			continue;			/* x = NULL is never true */
		text = FlowsvcFilterValueText(elems[i], typid, FLOWSVC_OP_EQ);
		if (text == NULL)
			return NULL;
		if (!list_member(texts, makeString(text)))
			texts = lappend(texts, makeString(text));
	}

	*empty = (texts == NIL);
	initStringInfo(&buf);
	foreach(lc, texts)
	{
		if (buf.len > 0)
			appendStringInfoChar(&buf, ',');
		appendStringInfoString(&buf, strVal(lfirst(lc)));
	}
	return buf.data;
}

/*
 * FlowsvcFilterToList
 *		A filter as a node list, to travel in fdw_private.
 */
List *
FlowsvcFilterToList(FlowsvcFilter *filter)
{
	return list_make5(makeString(filter->path),
					  makeInteger(filter->op),
					  makeInteger(filter->expr_index),
					  makeInteger(filter->is_list ? 1 : 0),
					  makeInteger((int) filter->typid));
}

/*
 * FlowsvcFilterFromList
 *		The filter FlowsvcFilterToList made a list of.
 */
FlowsvcFilter *
FlowsvcFilterFromList(List *list)
{
	FlowsvcFilter *filter = palloc(sizeof(FlowsvcFilter));

	filter->path = strVal(list_nth(list, 0));
	filter->op = (FlowsvcFilterOp) intVal(list_nth(list, 1));
	filter->expr_index = intVal(list_nth(list, 2));
	filter->is_list = intVal(list_nth(list, 3)) != 0;
	filter->typid = (Oid) intVal(list_nth(list, 4));
	return filter;
}

/*
 * op_text
 *		The API's spelling of an operator.
 */
static const char *
op_text(FlowsvcFilterOp op)
{
	switch (op)
	{
		case FLOWSVC_OP_EQ:
			return "==";
		case FLOWSVC_OP_LT:
			return "<";
		case FLOWSVC_OP_LE:
			return "<=";
		case FLOWSVC_OP_GT:
			return ">";
		case FLOWSVC_OP_GE:
			return ">=";
	}
	return "==";
}

/*
 * FlowsvcAppendEncoded
 *		Append s percent-encoded: everything but RFC 3986's unreserved
 *		characters, so a value never reads as a separator (comma, &, /).
 */
void
FlowsvcAppendEncoded(StringInfo buf, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;

	for (p = (const unsigned char *) s; *p; p++)
	{
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
			(*p >= '0' && *p <= '9') || *p == '-' || *p == '.' ||
			*p == '_' || *p == '~')
			appendStringInfoChar(buf, (char) *p);
		else
		{
			appendStringInfoChar(buf, '%');
			appendStringInfoChar(buf, hex[*p >> 4]);
			appendStringInfoChar(buf, hex[*p & 0x0F]);
		}
	}
}

/*
 * FlowsvcIdText
 *		The text of an id value of any type (text, uuid, ...).
 */
char *
FlowsvcIdText(Datum value, Oid typid)
{
	Oid			outfunc;
	bool		isvarlena;

	if (typid == TEXTOID)
		return TextDatumGetCString(value);
	getTypeOutputInfo(typid, &outfunc, &isvarlena);
	return OidOutputFunctionCall(outfunc, value);
}

/*
 * FlowsvcItemTarget
 *		"/{resource}/{id}" with the id percent-encoded.
 */
char *
FlowsvcItemTarget(const char *resource, const char *id)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "/%s/", resource);
	FlowsvcAppendEncoded(&buf, pg_server_to_any(id, strlen(id), PG_UTF8));
	return buf.data;
}

/*
 * append_filter
 *		Append "&property=path OP value" with the value encoded.
 */
static void
append_filter(StringInfo buf, FlowsvcFilter *filter, const char *value_text)
{
	const char *p;

	appendStringInfoString(buf, "property=");
	FlowsvcAppendEncoded(buf, filter->path);
	appendStringInfoString(buf, op_text(filter->op));
	if (!filter->is_list)
	{
		FlowsvcAppendEncoded(buf, value_text);
		return;
	}
	/* list elements are encoded one by one around literal commas */
	for (p = value_text; *p;)
	{
		const char *comma = strchr(p, ',');
		char	   *elem = comma ? pnstrdup(p, comma - p) : pstrdup(p);

		FlowsvcAppendEncoded(buf, elem);
		if (comma == NULL)
			break;
		appendStringInfoChar(buf, ',');
		p = comma + 1;
	}
}

/*
 * append_tail
 *		Append what ends every listing: orderby, then limit or count.
 */
static void
append_tail(StringInfo buf, const FlowsvcRequestShape *shape)
{
	if (shape->orderby)
	{
		appendStringInfoString(buf, "orderby=");
		FlowsvcAppendEncoded(buf, shape->orderby);
		appendStringInfoChar(buf, '&');
	}
	if (shape->count_only)
		appendStringInfoString(buf, "count=true");
	else
		appendStringInfo(buf, "limit=%d", shape->page_size);
}

/*
 * FlowsvcBuildRequestTargets
 *		The request targets (path and query, relative to the server url) a
 *		scan sends, from its shape and the values of its filters.
 *
 * values/nulls hold the evaluated fdw_exprs.  For an id lookup the single
 * target is /{resource}/{id}.  A long IN list is split into batches, one
 * listing each.  NIL means no row can match (a NULL value, say), so nothing
 * needs to be sent.
 */
List *
FlowsvcBuildRequestTargets(const FlowsvcRequestShape *shape, Datum *values,
						   bool *nulls)
{
	const char *resource = shape->resource;
	int			id_expr = shape->id_expr;
	StringInfoData base;
	List	   *batches = NIL;
	List	   *targets = NIL;
	FlowsvcFilter *batched = NULL;
	ListCell   *lc;

	if (id_expr >= 0)
	{
		char	   *id;

		if (nulls[id_expr])
			return NIL;
		id = FlowsvcIdText(values[id_expr], shape->id_typid);
		/* no item has these ids; "." and ".." would even change the path */
		if (id[0] == '\0' || strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
			return NIL;
		return list_make1(FlowsvcItemTarget(resource, id));
	}

	initStringInfo(&base);
	appendStringInfo(&base, "/%s?", resource);
	foreach(lc, shape->filters)
	{
		FlowsvcFilter *filter = (FlowsvcFilter *) lfirst(lc);
		char	   *text;

		if (nulls[filter->expr_index])
			return NIL;			/* comparison with NULL is never true */

		if (filter->is_list)
		{
			bool		empty;

			text = list_value_text(values[filter->expr_index], filter->typid,
								   &empty);
			if (text != NULL && empty)
				return NIL;
		}
		else
			text = FlowsvcFilterValueText(values[filter->expr_index],
										  filter->typid, filter->op);
		if (text == NULL)
			continue;			/* not expressible: rechecked locally */

		/* the first long list is split into batches */
		if (filter->is_list && batched == NULL)
		{
			int			count = 1;
			const char *p;

			for (p = text; *p; p++)
				count += (*p == ',');
			if (count > FLOWSVC_IN_BATCH)
			{
				batched = filter;
				for (p = text; *p;)
				{
					const char *start = p;
					int			n = 0;

					while (*p && !(*p == ',' && ++n == FLOWSVC_IN_BATCH))
						p++;
					batches = lappend(batches, pnstrdup(start, p - start));
					if (*p == ',')
						p++;
				}
				continue;
			}
		}
		append_filter(&base, filter, text);
		appendStringInfoChar(&base, '&');
	}

	if (batched == NULL)
	{
		append_tail(&base, shape);
		return list_make1(base.data);
	}

	foreach(lc, batches)
	{
		StringInfoData target;

		initStringInfo(&target);
		appendBinaryStringInfo(&target, base.data, base.len);
		append_filter(&target, batched, (char *) lfirst(lc));
		appendStringInfoChar(&target, '&');
		append_tail(&target, shape);
		targets = lappend(targets, target.data);
	}
	return targets;
}

/*
 * FlowsvcDescribeRequest
 *		The request of a scan as EXPLAIN shows it: constants as sent,
 *		other values as {expression}.
 */
char *
FlowsvcDescribeRequest(const FlowsvcRequestShape *shape, List *exprs,
					   List *deparse_cxt)
{
	const char *resource = shape->resource;
	int			id_expr = shape->id_expr;
	int			batches = 0;
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	if (id_expr >= 0)
	{
		Expr	   *expr = list_nth(exprs, id_expr);

		if (IsA(expr, Const))
			return psprintf("GET %s",
							FlowsvcItemTarget(resource,
											  FlowsvcIdText(((Const *) expr)->constvalue,
															shape->id_typid)));
		appendStringInfo(&buf, "GET /%s/{%s}", resource,
						 deparse_expression((Node *) expr, deparse_cxt, false, false));
		return buf.data;
	}

	appendStringInfo(&buf, "GET /%s?", resource);
	foreach(lc, shape->filters)
	{
		FlowsvcFilter *filter = (FlowsvcFilter *) lfirst(lc);
		Expr	   *expr = list_nth(exprs, filter->expr_index);

		if (IsA(expr, Const))
		{
			Const	   *c = (Const *) expr;
			char	   *text;
			bool		empty;

			text = filter->is_list ?
				list_value_text(c->constvalue, filter->typid, &empty) :
				FlowsvcFilterValueText(c->constvalue, filter->typid, filter->op);
			append_filter(&buf, filter, text);
			if (filter->is_list)
			{
				int			values = 1;
				const char *p;

				for (p = text; *p; p++)
					values += (*p == ',');
				if (values > FLOWSVC_IN_BATCH)
					batches = (values + FLOWSVC_IN_BATCH - 1) / FLOWSVC_IN_BATCH;
			}
		}
		else
		{
			appendStringInfoString(&buf, "property=");
			FlowsvcAppendEncoded(&buf, filter->path);
			appendStringInfo(&buf, "%s{%s}", op_text(filter->op),
							 deparse_expression((Node *) expr, deparse_cxt,
												false, false));
		}
		appendStringInfoChar(&buf, '&');
	}
	append_tail(&buf, shape);
	if (batches > 1)
		appendStringInfo(&buf, " (as %d requests of up to %d values each)",
						 batches, FLOWSVC_IN_BATCH);
	return buf.data;
}
