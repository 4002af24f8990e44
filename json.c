/*-------------------------------------------------------------------------
 *
 * json.c
 *		  JSON for flowsvc_fdw: responses to Datums, Datums to request JSON.
 *
 * cJSON allocates with malloc.  A parsed tree is owned by a memory context
 * through a reset callback, so it is freed when that context is reset or
 * deleted, ERROR or not.  JSON strings are UTF-8 and are converted to and
 * from the database encoding.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>
#include <cJSON.h>

#include "catalog/pg_type.h"
#include "common/int.h"
#include "datatype/timestamp.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

#include "flowsvc_fdw.h"

/* JSON numbers are doubles: integers beyond this are not exact */
#define JSON_EXACT_INTEGER_LIMIT	9007199254740992.0	/* 2^53 */

/* What the error context callback of a conversion needs */
typedef struct ConversionLocation
{
	const char *column;
	const char *resource;
	const char *item_id;
} ConversionLocation;

static void free_json_tree(void *arg);
static void own_tree(MemoryContextCallback *cb, cJSON *tree,
					 MemoryContext owner);
static void conversion_error_callback(void *arg);
static bool numbers_surely_exact(cJSON *value);
static char *json_number_text(cJSON *value, FlowsvcColumn *col,
							  const char *resource, const char *item_id);
static const char *json_kind(cJSON *value);
static char *utf8_to_server(const char *s);
static Datum epoch_ms_to_timestamp(double ms, FlowsvcColumn *col,
								   const char *resource, const char *item_id);

/*
 * own_tree
 *		Tie the lifetime of a malloc'd cJSON tree to a memory context, with
 *		a callback struct the caller allocated in it before making the tree:
 *		once the tree exists, nothing can fail.
 */
static void
own_tree(MemoryContextCallback *cb, cJSON *tree, MemoryContext owner)
{
	cb->func = free_json_tree;
	cb->arg = tree;
	MemoryContextRegisterResetCallback(owner, cb);
}

/*
 * FlowsvcNewOwnedJson
 *		A new empty cJSON array or object, freed when owner is reset.
 */
cJSON *
FlowsvcNewOwnedJson(bool array, MemoryContext owner)
{
	MemoryContextCallback *cb = MemoryContextAlloc(owner, sizeof(MemoryContextCallback));
	cJSON	   *tree = array ? cJSON_CreateArray() : cJSON_CreateObject();

	if (tree == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	own_tree(cb, tree, owner);
	return tree;
}

/*
 * free_json_tree
 *		Memory context reset callback releasing a cJSON tree.
 */
static void
free_json_tree(void *arg)
{
	cJSON_Delete((cJSON *) arg);
}

/*
 * FlowsvcParseJson
 *		Parse a response body into a tree owned by owner, or raise an ERROR
 *		naming the request.
 */
cJSON *
FlowsvcParseJson(const char *data, size_t len, MemoryContext owner,
				 const char *method, const char *target)
{
	cJSON	   *tree = FlowsvcTryParseJson(data, len, owner);

	if (tree == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("invalid response from flow service"),
				 errdetail("The response body is not valid JSON (%zu bytes).", len),
				 errcontext("Flow Service request: %s %s", method, target)));
	return tree;
}

/*
 * FlowsvcTryParseJson
 *		Parse a body into a tree owned by owner, or return NULL if it is not
 *		JSON.
 */
cJSON *
FlowsvcTryParseJson(const char *data, size_t len, MemoryContext owner)
{
	MemoryContextCallback *cb = MemoryContextAlloc(owner, sizeof(MemoryContextCallback));
	cJSON	   *tree = cJSON_ParseWithLength(data, len);

	if (tree == NULL)
	{
		pfree(cb);
		return NULL;
	}
	own_tree(cb, tree, owner);
	return tree;
}

/*
 * FlowsvcResponseItems
 *		The "items" array of a list or get-one response, or an ERROR.
 */
cJSON *
FlowsvcResponseItems(cJSON *root, const char *method, const char *target)
{
	cJSON	   *items = cJSON_GetObjectItemCaseSensitive(root, "items");

	if (!cJSON_IsArray(items))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("invalid response from flow service"),
				 items ?
				 errdetail("Field \"items\" is a JSON %s, not an array.",
						   json_kind(items)) :
				 errdetail("The response has no \"items\" array."),
				 errcontext("Flow Service request: %s %s", method, target)));
	return items;
}

/*
 * FlowsvcExactItems
 *		The "items" array of a response parsed by PostgreSQL's own JSON
 *		parser, which keeps every digit of a number; NULL if there is none.
 *
 * cJSON reads numbers into doubles; json(b) columns are read from this
 * parse instead, so a large number in, say, auth.params survives a read
 * and a write back unchanged.
 */
JsonbContainer *
FlowsvcExactItems(const char *body, size_t len)
{
	char	   *text;
	Jsonb	   *page;
	JsonbValue *items;
	size_t		i;

	/*
	 * A field the query does not read must not fail it: what jsonb cannot
	 * hold (\u0000; outside UTF-8 databases, characters the database
	 * encoding may lack) sends this page down the cJSON path instead.
	 */
	if (memmem(body, len, "\\u0000", 6) != NULL ||
		!pg_verify_mbstr(PG_UTF8, body, (int) len, true))
		return NULL;
	if (GetDatabaseEncoding() != PG_UTF8)
	{
		/* non-ASCII text, or \u escapes of it, may not fit the encoding */
		if (memmem(body, len, "\\u", 2) != NULL)
			return NULL;
		for (i = 0; i < len; i++)
		{
			if ((unsigned char) body[i] >= 0x80)
				return NULL;
		}
	}
	text = pg_any_to_server(body, len, PG_UTF8);
	page = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(text)));

	if (!JB_ROOT_IS_OBJECT(page))
		return NULL;
	items = getKeyJsonValueFromContainer(&page->root, "items", 5, NULL);
	if (items == NULL || items->type != jbvBinary ||
		!JsonContainerIsArray(items->val.binary.data))
		return NULL;
	return items->val.binary.data;
}

/*
 * FlowsvcExactItem
 *		Item index of an array from FlowsvcExactItems, or NULL.
 */
JsonbContainer *
FlowsvcExactItem(JsonbContainer *items, int index)
{
	JsonbValue *item = getIthJsonbValueFromContainer(items, index);

	if (item == NULL || item->type != jbvBinary)
		return NULL;
	return item->val.binary.data;
}

/*
 * exact_lookup
 *		The value at col's path in an exactly parsed item, or NULL.
 */
static JsonbValue *
exact_lookup(JsonbContainer *item, FlowsvcColumn *col)
{
	JsonbContainer *container = item;
	JsonbValue *value = NULL;
	ListCell   *lc;

	foreach(lc, col->path_parts)
	{
		const char *key = strVal(lfirst(lc));

		if (container == NULL || !JsonContainerIsObject(container))
		{
			value = NULL;
			break;
		}
		value = getKeyJsonValueFromContainer(container, key, strlen(key), NULL);
		if (value == NULL)
			break;
		container = value->type == jbvBinary ? value->val.binary.data : NULL;
	}
	return value;
}

/*
 * FlowsvcExactReadable
 *		Is col a column whose values are read from the exact parse when
 *		there is one: json(b), and numbers cJSON's doubles may round?
 */
bool
FlowsvcExactReadable(FlowsvcColumn *col)
{
	switch (col->typid)
	{
		case JSONBOID:
		case JSONOID:
		case NUMERICOID:
		case INT8OID:
			return true;
		default:
			return false;
	}
}

/*
 * FlowsvcJsonLookup
 *		The value at a dotted path below item, or NULL if any step is absent.
 */
cJSON *
FlowsvcJsonLookup(cJSON *item, List *path_parts)
{
	ListCell   *lc;

	foreach(lc, path_parts)
	{
		if (!cJSON_IsObject(item))
			return NULL;
		item = cJSON_GetObjectItemCaseSensitive(item, strVal(lfirst(lc)));
		if (item == NULL)
			return NULL;
	}
	return item;
}

/*
 * FlowsvcItemId
 *		The "id" of an item, for messages; "?" when it has none.
 */
const char *
FlowsvcItemId(cJSON *item)
{
	cJSON	   *id = cJSON_GetObjectItemCaseSensitive(item, "id");

	return cJSON_IsString(id) ? id->valuestring : "?";
}

/*
 * FlowsvcJsonToDatum
 *		Convert one JSON value to the type of col.
 *
 * exact_item, if not NULL, is the same item parsed by PostgreSQL (see
 * FlowsvcExactItems): json(b) and exact numeric columns read from it.
 *
 * An absent value or JSON null is SQL NULL.  A value that does not fit the
 * column raises an ERROR naming the column, the resource and the item.
 */
Datum
FlowsvcJsonToDatum(cJSON *value, JsonbContainer *exact_item, FlowsvcColumn *col,
				   const char *resource, const char *item_id, bool *isnull)
{
	ConversionLocation loc;
	ErrorContextCallback errcallback;
	char	   *text = NULL;
	Datum		result;

	*isnull = false;
	if (value == NULL || cJSON_IsNull(value))
	{
		*isnull = true;
		return (Datum) 0;
	}

	/* any step may reject the value (encoding, type input): say where */
	loc.column = col->attname;
	loc.resource = resource;
	loc.item_id = item_id;
	errcallback.callback = conversion_error_callback;
	errcallback.arg = &loc;
	errcallback.previous = error_context_stack;
	error_context_stack = &errcallback;

	/*
	 * Where the page could not be parsed exactly (see FlowsvcExactItems),
	 * cJSON's doubles serve only if they cannot have lost a digit.
	 */
	if (exact_item == NULL && FlowsvcExactReadable(col) && !numbers_surely_exact(value))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_DATA_TYPE),
				 errmsg("cannot read column \"%s\" exactly", col->attname),
				 errdetail("The response holds text PostgreSQL's JSON parser cannot take (a \\u0000 escape, or characters outside the database encoding), and the value has numbers with more digits than a double keeps."),
				 errhint("Use a UTF-8 database, or read the column as text.")));

	/* the exact parse, where there is one, has every digit */
	if (exact_item && FlowsvcExactReadable(col))
	{
		JsonbValue *exact = exact_lookup(exact_item, col);

		if (exact && (col->typid == JSONBOID || col->typid == JSONOID))
		{
			Jsonb	   *jb = JsonbValueToJsonb(exact);

			if (col->typid == JSONBOID)
				result = JsonbPGetDatum(jb);
			else
				result = InputFunctionCall(&col->infunc,
										   JsonbToCString(NULL, &jb->root, VARSIZE(jb)),
										   col->typioparam, col->typmod);
			error_context_stack = errcallback.previous;
			return result;
		}
		if (exact && exact->type == jbvNumeric)
		{
			text = DatumGetCString(DirectFunctionCall1(numeric_out,
													   NumericGetDatum(exact->val.numeric)));
			/* a bigint takes 5.0 as 5, as it does through a double */
			if (col->typid == INT8OID && strchr(text, '.') &&
				strspn(strchr(text, '.') + 1, "0") == strlen(strchr(text, '.') + 1))
				*strchr(text, '.') = '\0';
		}
	}

	switch (text ? InvalidOid : col->typid)
	{
		case JSONBOID:
		case JSONOID:
			text = FlowsvcJsonPrint(value);
			break;
		case TIMESTAMPTZOID:
		case TIMESTAMPOID:
			if (cJSON_IsNumber(value))
			{
				result = epoch_ms_to_timestamp(value->valuedouble, col,
											   resource, item_id);
				error_context_stack = errcallback.previous;
				return result;
			}
			break;
		case BOOLOID:
			if (cJSON_IsBool(value))
			{
				error_context_stack = errcallback.previous;
				return BoolGetDatum(cJSON_IsTrue(value));
			}
			break;
		case INT2OID:
		case INT4OID:
		case INT8OID:
		case NUMERICOID:
		case FLOAT4OID:
		case FLOAT8OID:
			if (cJSON_IsNumber(value))
				text = json_number_text(value, col, resource, item_id);
			break;
		case TEXTOID:
		case VARCHAROID:
		case BPCHAROID:
			/* a string as is, any other value as its JSON text */
			if (!cJSON_IsString(value))
				text = FlowsvcJsonPrint(value);
			break;
		default:
			break;
	}

	if (text == NULL)
	{
		if (!cJSON_IsString(value))
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_DATA_TYPE),
					 errmsg("cannot convert a JSON %s to type %s for column \"%s\"",
							json_kind(value), format_type_be(col->typid),
							col->attname),
					 errdetail("Item \"%s\" of resource \"%s\", path \"%s\".",
							   item_id, resource, col->path)));
		text = utf8_to_server(value->valuestring);
	}

	if (col->typid == TEXTOID)
		result = CStringGetTextDatum(text);
	else
		result = InputFunctionCall(&col->infunc, text, col->typioparam,
								   col->typmod);

	error_context_stack = errcallback.previous;
	return result;
}

/*
 * numbers_surely_exact
 *		Does every number in value fit a double without loss: integers
 *		below 2^53, nothing else?
 */
static bool
numbers_surely_exact(cJSON *value)
{
	cJSON	   *child;

	if (cJSON_IsNumber(value))
		return value->valuedouble == floor(value->valuedouble) &&
			fabs(value->valuedouble) < JSON_EXACT_INTEGER_LIMIT;
	cJSON_ArrayForEach(child, value)
	{
		if (!numbers_surely_exact(child))
			return false;
	}
	return true;
}

/*
 * conversion_error_callback
 *		Error context naming the column, resource and item of a bad value.
 */
static void
conversion_error_callback(void *arg)
{
	ConversionLocation *loc = (ConversionLocation *) arg;

	errcontext("column \"%s\" of item \"%s\" in resource \"%s\"",
			   loc->column, loc->item_id, loc->resource);
}

/*
 * epoch_ms_to_timestamp
 *		A timestamp(tz) Datum from epoch milliseconds.
 */
static Datum
epoch_ms_to_timestamp(double ms, FlowsvcColumn *col, const char *resource,
					  const char *item_id)
{
	double		usecs = rint(ms * 1000.0);
	Timestamp	ts;

	if (isnan(usecs) || fabs(usecs) > 9.2e18)
		ts = DT_NOEND;			/* forces the range error below */
	else
		ts = (Timestamp) usecs - UNIX_TO_PG_EPOCH_USECS;

	if (!IS_VALID_TIMESTAMP(ts))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range for column \"%s\"", col->attname),
				 errdetail("Item \"%s\" of resource \"%s\" has %.0f epoch milliseconds.",
						   item_id, resource, ms)));
	return TimestampGetDatum(ts);
}

/*
 * json_number_text
 *		The text of a JSON number for a numeric column.
 *
 * cJSON keeps numbers as doubles.  Integers up to 2^53 and decimals printed
 * in their shortest round-trip form come back exactly; a larger integer may
 * already have lost digits, so it is refused for exact types rather than
 * returned wrong.
 */
static char *
json_number_text(cJSON *value, FlowsvcColumn *col, const char *resource,
				 const char *item_id)
{
	double		d = value->valuedouble;
	char		buf[64];

	if (d == floor(d) && fabs(d) < JSON_EXACT_INTEGER_LIMIT)
		return psprintf("%.0f", d);

	if (d == floor(d) && col->typid != FLOAT4OID && col->typid != FLOAT8OID)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("integer value for column \"%s\" is too large to be exact in JSON",
						col->attname),
				 errdetail("Item \"%s\" of resource \"%s\" holds %.17g, beyond 2^53.",
						   item_id, resource, d)));

	snprintf(buf, sizeof(buf), "%.15g", d);
	if (strtod(buf, NULL) != d)
		snprintf(buf, sizeof(buf), "%.17g", d);
	return pstrdup(buf);
}

/*
 * json_kind
 *		The JSON type of a value, for messages.
 */
static const char *
json_kind(cJSON *value)
{
	if (value == NULL)
		return "absent value";
	if (cJSON_IsObject(value))
		return "object";
	if (cJSON_IsArray(value))
		return "array";
	if (cJSON_IsString(value))
		return "string";
	if (cJSON_IsNumber(value))
		return "number";
	if (cJSON_IsBool(value))
		return "boolean";
	return "null";
}

/*
 * utf8_to_server
 *		A UTF-8 string from the API in the database encoding (validated).
 */
static char *
utf8_to_server(const char *s)
{
	return pg_any_to_server(s, strlen(s), PG_UTF8);
}

/*
 * FlowsvcJsonPrintUtf8
 *		The compact JSON text of a value, palloc'd, in UTF-8 as cJSON holds
 *		it: what a request body needs.
 */
char *
FlowsvcJsonPrintUtf8(cJSON *value)
{
	char	   *printed = cJSON_PrintUnformatted(value);
	char	   *copy = NULL;

	if (printed == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	/* copy to palloc memory; the malloc'd text is freed even on ERROR */
	PG_TRY();
	{
		copy = pstrdup(printed);
	}
	PG_FINALLY();
	{
		free(printed);
	}
	PG_END_TRY();
	return copy;
}

/*
 * FlowsvcJsonPrint
 *		The compact JSON text of a value, palloc'd, in the database encoding.
 */
char *
FlowsvcJsonPrint(cJSON *value)
{
	return utf8_to_server(FlowsvcJsonPrintUtf8(value));
}

/*
 * FlowsvcJsonText
 *		The exact JSON text of a non-null Datum, in UTF-8, for a request
 *		body: numbers keep every digit, timestamps become epoch milliseconds,
 *		json(b) is sent as PostgreSQL prints it, anything else as a string.
 */
char *
FlowsvcJsonText(Datum value, Oid typid, FmgrInfo *outfunc)
{
	char	   *text;

	switch (typid)
	{
		case BOOLOID:
			return pstrdup(DatumGetBool(value) ? "true" : "false");
		case TIMESTAMPTZOID:
		case TIMESTAMPOID:
			{
				Timestamp	ts = DatumGetTimestamp(value);
				int64		us;

				if (TIMESTAMP_NOT_FINITE(ts) ||
					pg_add_s64_overflow(ts, UNIX_TO_PG_EPOCH_USECS, &us))
					ereport(ERROR,
							(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
							 errmsg("timestamp out of range for flow service"),
							 errdetail("The API takes epoch milliseconds that fit in 64 bits.")));
				return psprintf(INT64_FORMAT, us / 1000);
			}
		case INT2OID:
		case INT4OID:
		case INT8OID:
		case NUMERICOID:
		case FLOAT4OID:
		case FLOAT8OID:
			{
				char	   *end;
				double		d;

				text = OutputFunctionCall(outfunc, value);
				d = strtod(text, &end);
				if (*end != '\0' || isnan(d) || isinf(d))
					ereport(ERROR,
							(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
							 errmsg("value \"%s\" cannot be sent as a JSON number",
									text)));
				return text;
			}
		case JSONBOID:
		case JSONOID:
			text = OutputFunctionCall(outfunc, value);
			return pg_server_to_any(text, strlen(text), PG_UTF8);
		default:
			{
				StringInfoData buf;

				text = OutputFunctionCall(outfunc, value);
				initStringInfo(&buf);
				escape_json(&buf, text);
				return pg_server_to_any(buf.data, buf.len, PG_UTF8);
			}
	}
}

/*
 * FlowsvcDatumToJson
 *		A new cJSON node holding a non-null Datum, for a request body.
 *
 * The node holds the exact text of FlowsvcJsonText; it is created last, so
 * the caller can attach it to an owned tree before anything else may raise.
 */
cJSON *
FlowsvcDatumToJson(Datum value, Oid typid, FmgrInfo *outfunc)
{
	return FlowsvcRawJson(FlowsvcJsonText(value, typid, outfunc));
}

/*
 * FlowsvcRawJson
 *		A new cJSON node that prints as the given JSON text (UTF-8).
 */
cJSON *
FlowsvcRawJson(const char *text)
{
	cJSON	   *node = cJSON_CreateRaw(text);

	if (node == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	return node;
}

/*
 * FlowsvcSnakeToCamel
 *		The API's camelCase name of a snake_case column name:
 *		created_at -> createdAt.
 */
char *
FlowsvcSnakeToCamel(const char *name)
{
	char	   *result = palloc(strlen(name) + 1);
	char	   *out = result;
	const char *p;

	for (p = name; *p; p++)
	{
		if (*p == '_' && out != result && p[1] != '\0' && p[1] != '_')
		{
			p++;
			*out++ = pg_toupper((unsigned char) *p);
		}
		else
			*out++ = *p;
	}
	*out = '\0';
	return result;
}
