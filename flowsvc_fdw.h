/*-------------------------------------------------------------------------
 *
 * flowsvc_fdw.h
 *		  Foreign-data wrapper for the Adobe Experience Platform Flow Service.
 *
 * Shared structs and the functions each module exports, grouped by the
 * file that defines them.
 *
 *-------------------------------------------------------------------------
 */
#ifndef FLOWSVC_FDW_H
#define FLOWSVC_FDW_H

#include "datatype/timestamp.h"
#include "foreign/foreign.h"
#include "lib/stringinfo.h"
#include "nodes/execnodes.h"
#include "nodes/pathnodes.h"
#include "utils/relcache.h"

struct cJSON;

/*
 * Microseconds between the Unix and the PostgreSQL epochs: the API's
 * timestamps are Unix epoch milliseconds.
 */
#define UNIX_TO_PG_EPOCH_USECS \
	((int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * USECS_PER_DAY)

/*
 * Settings of one server combined with one user mapping: everything a
 * request needs.  Built from the catalogs at plan and execution time.
 */
typedef struct FlowsvcOptions
{
	/* server options */
	char	   *url;			/* API base URL, without trailing slash */
	char	   *ims_org;		/* x-gw-ims-org-id */
	char	   *sandbox;		/* x-sandbox-name */
	char	   *token_url;		/* OAuth server-to-server token endpoint */
	char	   *ca_file;		/* extra trusted CA bundle, or NULL */
	int			timeout_ms;		/* whole-request timeout */
	int			connect_timeout_ms; /* TCP+TLS connect timeout */
	int			max_retries;	/* retries of a retryable failure */
	int			page_size;		/* limit= of list requests (1..100) */
	bool		use_remote_estimate;	/* ask count=true at plan time */
	double		fdw_startup_cost;	/* cost of one HTTP round trip */
	double		fdw_tuple_cost; /* cost of fetching and converting a row */

	/* user mapping options; secrets, never printed */
	char	   *api_key;		/* x-api-key */
	char	   *access_token;	/* a ready bearer token, or NULL */
	char	   *client_id;		/* client credentials, or NULL */
	char	   *client_secret;
	char	   *scope;
} FlowsvcOptions;

/*
 * What the wrapper knows about one API collection: how its path is spelled,
 * what may be patched or posted, and what IMPORT FOREIGN SCHEMA creates for it.
 */
typedef struct FlowsvcResource
{
	const char *name;			/* collection path segment, e.g. "sourceConnections" */
	const char *table_name;		/* table created by IMPORT FOREIGN SCHEMA */
	const char *const *patchable;	/* top-level fields PATCH may change */
	const char *const *insertable;	/* top-level fields POST takes; none:
									 * no INSERT or DELETE */
	const char *columns;		/* column list for IMPORT FOREIGN SCHEMA */
} FlowsvcResource;

/*
 * One mapped column of a foreign table: where its value lives in an item and
 * how to convert it.
 */
typedef struct FlowsvcColumn
{
	AttrNumber	attnum;			/* attribute number in the foreign table */
	char	   *attname;		/* column name, for messages */
	char	   *path;			/* dotted JSON path, e.g. "connectionSpec.id" */
	List	   *path_parts;		/* path split at dots (String nodes) */
	Oid			typid;			/* column type */
	int32		typmod;
	Oid			typioparam;		/* for the input function */
	FmgrInfo	infunc;			/* type input function */
	FmgrInfo	outfunc;		/* type output function */
} FlowsvcColumn;

/* Counters of what a node really sent, for EXPLAIN ANALYZE */
typedef struct FlowsvcRequestStats
{
	int64		requests;		/* HTTP requests that got an answer or failed */
	int64		pages;			/* list or item responses consumed */
	int64		retries;		/* requests repeated after a retryable failure */
	int64		bytes_received; /* response bodies */
	int64		bytes_sent;		/* request bodies */
} FlowsvcRequestStats;

/* An HTTP answer handed back to the caller */
typedef struct FlowsvcResponse
{
	long		status;			/* HTTP status */
	char	   *body;			/* palloc'd, NUL-terminated */
	size_t		body_len;
	char	   *location;		/* Location header of a 201, or NULL */
} FlowsvcResponse;

/* Statuses a caller handles itself instead of letting FlowsvcRequest raise */
#define FLOWSVC_ACCEPT_404		0x01
#define FLOWSVC_ACCEPT_412		0x02

/* Opaque per-backend HTTP state for one user mapping (http.c) */
typedef struct FlowsvcConnection FlowsvcConnection;

/*
 * Remote filter operators the API's property= syntax can express.
 */
typedef enum FlowsvcFilterOp
{
	FLOWSVC_OP_EQ,				/* path==v, or path==a,b,c for IN */
	FLOWSVC_OP_LT,
	FLOWSVC_OP_LE,
	FLOWSVC_OP_GT,
	FLOWSVC_OP_GE
} FlowsvcFilterOp;

/*
 * A qual the API can evaluate, as FlowsvcMatchClause found it.
 */
typedef struct FlowsvcClauseMatch
{
	FlowsvcColumn *column;		/* the column compared */
	FlowsvcFilterOp op;			/* the API operator */
	Expr	   *value;			/* the other operand (array for IN) */
	bool		is_list;		/* col = ANY(array): path==a,b,c */
	bool		is_id;			/* id = value: GET /{resource}/{id} */
	Expr	   *clause;			/* the qual itself */
} FlowsvcClauseMatch;

/*
 * A remote filter of a planned scan; its value is fdw_exprs[expr_index].
 */
typedef struct FlowsvcFilter
{
	char	   *path;			/* dotted JSON path */
	FlowsvcFilterOp op;
	int			expr_index;
	bool		is_list;
	Oid			typid;			/* column type, which the value has too */
} FlowsvcFilter;

/*
 * The shape of the requests a scan sends: everything but the values of its
 * filters, which may be known only when the scan starts.
 */
typedef struct FlowsvcRequestShape
{
	const char *resource;		/* API collection */
	List	   *filters;		/* FlowsvcFilter * */
	int			id_expr;		/* value index of an id lookup, or -1 */
	Oid			id_typid;		/* type of the id column */
	int			page_size;		/* limit= of a listing */
	const char *orderby;		/* orderby= value, or NULL */
	bool		count_only;		/* count=true instead of items */
} FlowsvcRequestShape;

/*
 * Planner information about a foreign table, in baserel->fdw_private.
 */
typedef struct FlowsvcRelInfo
{
	RelOptInfo *baserel;		/* the relation planned */
	ForeignServer *server;
	UserMapping *user;
	FlowsvcOptions *opts;		/* server and user mapping options */
	const char *resource;		/* API collection */
	bool		use_remote_estimate;	/* table or server setting */
	FlowsvcColumn **columns;	/* indexed by attnum - 1; NULL if dropped */
	int			natts;
	FlowsvcColumn *id_column;	/* column mapped to "id", or NULL */
	List	   *remote_conds;	/* RestrictInfos the API can evaluate */
	List	   *local_conds;	/* RestrictInfos checked locally */
	bool		has_id_lookup;	/* a remote cond is id = value */
	bool		has_list_filter;	/* a remote cond is col = ANY(array) */
	double		collection_rows;	/* estimated items in the collection */
	double		remote_estimate_rows;	/* count=true answer, or -1 */
	double		fetched_rows;	/* estimated items the API sends */
} FlowsvcRelInfo;

/* in flowsvc_fdw.c */
extern char *FlowsvcWriteProgressDetail(void);

/* in option.c */
extern FlowsvcOptions *FlowsvcGetOptions(ForeignServer *server,
										 UserMapping *user);
extern const char *FlowsvcGetTableResourceName(Oid relid);
extern bool FlowsvcTableUseRemoteEstimate(Oid relid, bool server_default);
extern const FlowsvcResource *FlowsvcLookupResource(const char *name);
extern const FlowsvcResource *FlowsvcResourceList(int *count);
extern bool FlowsvcFieldInsertable(const FlowsvcResource *resource,
								   const char *field);
extern FlowsvcColumn **FlowsvcGetColumns(Relation rel);
extern char *FlowsvcColumnPath(Oid relid, AttrNumber attnum,
							   const char *attname);

/* in deparse.c */
extern bool FlowsvcMatchClause(RelOptInfo *baserel, FlowsvcColumn **columns,
							   Expr *clause, FlowsvcClauseMatch *match);
extern List *FlowsvcFilterToList(FlowsvcFilter *filter);
extern FlowsvcFilter *FlowsvcFilterFromList(List *list);
extern List *FlowsvcBuildRequestTargets(const FlowsvcRequestShape *shape,
										Datum *values, bool *nulls);
extern char *FlowsvcDescribeRequest(const FlowsvcRequestShape *shape,
									List *exprs, List *deparse_cxt);
extern char *FlowsvcFilterValueText(Datum value, Oid typid, FlowsvcFilterOp op);
extern char *FlowsvcIdText(Datum value, Oid typid);
extern bool FlowsvcIsEpochMsField(const char *path);
extern bool FlowsvcColumnOrderable(FlowsvcColumn *col);
extern bool FlowsvcFilterInexact(FlowsvcColumn *col);
extern char *FlowsvcItemTarget(const char *resource, const char *id);
extern void FlowsvcAppendEncoded(StringInfo buf, const char *s);

/* in http.c */
extern FlowsvcConnection *FlowsvcGetConnection(UserMapping *user,
											   FlowsvcOptions *opts);
extern long FlowsvcRequest(FlowsvcConnection *conn, FlowsvcOptions *opts,
						   const char *method, const char *target,
						   const char *if_match, const char *body, int accept,
						   FlowsvcResponse *resp, FlowsvcRequestStats *stats);
extern void FlowsvcReportHttpError(const char *method, const char *target,
								   FlowsvcResponse *resp) pg_attribute_noreturn();
extern char *FlowsvcApiErrorText(const char *body, size_t len);

/* in json.c */
extern struct cJSON *FlowsvcParseJson(const char *data, size_t len,
									  MemoryContext owner,
									  const char *method, const char *target);
extern struct cJSON *FlowsvcTryParseJson(const char *data, size_t len,
										 MemoryContext owner);
extern struct cJSON *FlowsvcResponseItems(struct cJSON *root,
										  const char *method,
										  const char *target);
extern struct cJSON *FlowsvcJsonLookup(struct cJSON *item, List *path_parts);
extern struct JsonbContainer *FlowsvcExactItems(const char *body, size_t len);
extern struct JsonbContainer *FlowsvcExactItem(struct JsonbContainer *items,
											   int index);
extern bool FlowsvcExactReadable(FlowsvcColumn *col);
extern Datum FlowsvcJsonToDatum(struct cJSON *value,
								struct JsonbContainer *exact_item,
								FlowsvcColumn *col,
								const char *resource, const char *item_id,
								bool *isnull);
extern struct cJSON *FlowsvcDatumToJson(Datum value, Oid typid,
										FmgrInfo *outfunc);
extern char *FlowsvcJsonPrint(struct cJSON *value);
extern char *FlowsvcJsonPrintUtf8(struct cJSON *value);
extern char *FlowsvcJsonText(Datum value, Oid typid, FmgrInfo *outfunc);
extern struct cJSON *FlowsvcRawJson(const char *text);
extern struct cJSON *FlowsvcNewOwnedJson(bool array, MemoryContext owner);
extern char *FlowsvcSnakeToCamel(const char *name);
extern const char *FlowsvcItemId(struct cJSON *item);

#endif							/* FLOWSVC_FDW_H */
