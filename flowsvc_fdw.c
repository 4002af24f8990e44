/*-------------------------------------------------------------------------
 *
 * flowsvc_fdw.c
 *		  Foreign-data wrapper for the Adobe Experience Platform Flow Service:
 *		  planner, scan, modify, explain, import and analyze callbacks.
 *
 * A foreign table maps one API collection.  A scan is a GET of one item or
 * a listing that follows the API's next links, one page in memory at a
 * time.  UPDATE sends a JSON Patch with If-Match set to the version the
 * scan read; INSERT is a POST and DELETE a DELETE.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>
#include <cJSON.h>

#include "access/htup_details.h"
#include "access/nbtree.h"
#include "access/reloptions.h"
#include "access/sysattr.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/pg_class.h"
#include "catalog/pg_opclass.h"
#include "catalog/pg_operator.h"
#include "common/hashfn.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "catalog/pg_aggregate.h"
#include "commands/explain.h"
#include "commands/vacuum.h"
#include "executor/executor.h"
#include "foreign/fdwapi.h"
#include "foreign/foreign.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/appendinfo.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/paths.h"
#include "optimizer/planmain.h"
#include "optimizer/restrictinfo.h"
#include "parser/parsetree.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/sampling.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "flowsvc_fdw.h"

PG_MODULE_MAGIC;

/* Rows assumed in a collection that was never analyzed */
#define DEFAULT_COLLECTION_ROWS		1000.0
/* A sorted listing costs a little more, so it is taken only when useful */
#define SORTED_COST_MULTIPLIER		1.05
/* How long a remote count=true estimate is reused */
#define REMOTE_ESTIMATE_TTL_MS		30000
#define REMOTE_ESTIMATE_MAX_ENTRIES	256
/* Longest item id remembered by a write (far beyond the API's uuids) */
#define WRITTEN_ID_MAX				256

/*
 * Positions in the fdw_private list of a ForeignScan that scans.
 */
enum FdwScanPrivateIndex
{
	FdwScanPrivateResource,		/* String: the API collection */
	FdwScanPrivateRetrievedAttrs,	/* IntList: columns to convert */
	FdwScanPrivateFilters,		/* List of FlowsvcFilterToList lists */
	FdwScanPrivateIdExpr,		/* Integer: fdw_exprs index of the id to GET,
								 * or -1 for a listing */
	FdwScanPrivateRowLimit,		/* Integer: rows the query can use at most
								 * (a LIMIT on this scan alone), or -1 */
	FdwScanPrivateOrderBy,		/* String: orderby= value, or "" */
	FdwScanPrivateCountOnly,	/* Integer: 1 if the scan returns count(*) */
	FdwScanPrivateCount			/* list length */
};

/*
 * Positions in the fdw_private list of a ForeignScan that performs a direct
 * UPDATE (one PATCH, no scan).
 */
enum FdwDirectModifyPrivateIndex
{
	FdwDirectModifyPrivateResource, /* String: the API collection */
	FdwDirectModifyPrivateId,	/* String: id of the item */
	FdwDirectModifyPrivateVersion,	/* String: If-Match */
	FdwDirectModifyPrivateBody, /* String: the JSON Patch */
	FdwDirectModifyPrivateTargetAttrs,	/* IntList: assigned columns */
	FdwDirectModifyPrivateValues,	/* List of Const: their values */
	FdwDirectModifyPrivateRefetch	/* Integer: RETURNING needs a GET */
};

/*
 * Positions in the fdw_private list of a ModifyTable's foreign result.
 */
enum FdwModifyPrivateIndex
{
	FdwModifyPrivateTargetAttrs,	/* IntList: assigned or inserted columns */
	FdwModifyPrivateRefetch		/* Integer: RETURNING needs a GET */
};

/*
 * A walk through API items: one GET of an item, or listings that follow
 * next links.  Used by scans and by ANALYZE.
 */
typedef struct FlowsvcScan
{
	FlowsvcConnection *conn;
	FlowsvcOptions *opts;		/* options of the statement */
	const char *resource;
	List	   *targets;		/* request targets still to send */
	bool		id_lookup;		/* targets are GETs of one item */
	char	   *lookup_id;		/* the id asked for (UTF-8), or NULL */
	bool		lookup_exact;	/* compare it case-sensitively (text ids) */
	char	   *next_href;		/* next link of the current listing */
	char	   *current;		/* target of the page in hand */
	MemoryContext scan_cxt;		/* lives as long as the walk */
	MemoryContext page_cxt;		/* holds one page and its JSON tree */
	cJSON	   *cursor;			/* next item of the page in hand */
	bool		exact_json;		/* json(b) columns read: parse pages exactly too */
	struct JsonbContainer *exact_items; /* the page's items, parsed exactly */
	int			item_index;		/* index of the next item in the page */
	struct JsonbContainer *exact_item;	/* the item last returned, exactly */
	FlowsvcRequestStats stats;	/* what was sent, for EXPLAIN ANALYZE */
} FlowsvcScan;

/*
 * Execution state of a ForeignScan that scans.
 */
typedef struct FlowsvcScanState
{
	Relation	rel;
	FlowsvcOptions *opts;
	FlowsvcColumn **columns;	/* indexed by attnum - 1 */
	List	   *retrieved_attrs;	/* columns the query uses */
	FlowsvcRequestShape shape;	/* the requests to send */
	List	   *value_states;	/* ExprStates of fdw_exprs */
	bool		started;		/* targets built and first request made */
	bool		count_done;		/* the count(*) row was returned */
	bool		materialize;	/* read all pages first (the scan feeds a write) */
	int			row_limit;		/* rows the query uses at most, or -1 */
	Tuplestorestate *rows;		/* the rows read ahead, or NULL */
	TupleTableSlot *row_slot;	/* a row of rows, before it is copied out */
	FlowsvcScan scan;
	MemoryContext start_cxt;	/* filter values and targets; reset by rescan */
	MemoryContext tuple_cxt;	/* one row's converted values */
} FlowsvcScanState;

/*
 * What an UPDATE, INSERT or DELETE has changed remotely so far: HTTP cannot
 * roll back, so a failure part-way reports it.
 */
typedef struct FlowsvcWriteProgress
{
	const char *verb;			/* "updated", "inserted", "deleted" */
	int64		count;
	StringInfoData ids;			/* the first few ids */
} FlowsvcWriteProgress;

/*
 * Execution state of an UPDATE, INSERT or DELETE on a foreign table, row by
 * row (ModifyTable) or direct (one PATCH).
 */
typedef struct FlowsvcModifyState
{
	Relation	rel;
	CmdType		operation;
	FlowsvcOptions *opts;
	FlowsvcConnection *conn;
	const FlowsvcResource *resource;
	FlowsvcColumn **columns;
	List	   *target_attrs;	/* assigned or inserted columns */
	bool		refetch;		/* RETURNING needs the row read back */
	AttrNumber	id_junk;		/* junk attribute numbers in the subplan */
	AttrNumber	version_junk;
	AttrNumber *old_junk;		/* per attnum - 1: old value, or 0 */
	AttrNumber	id_attnum;		/* columns mapped to id, version, etag */
	AttrNumber	version_attnum;
	AttrNumber	etag_attnum;
	MemoryContext temp_cxt;		/* reset per row */
	FlowsvcRequestStats stats;
	FlowsvcWriteProgress progress;
	HTAB	   *written;		/* ids this statement wrote, or NULL */

	/* direct modification */
	char	   *direct_id;
	char	   *direct_version;
	char	   *direct_body;
	List	   *direct_values;
	bool		direct_done;
	int			direct_rows;
} FlowsvcModifyState;

/* The statement's write in progress, for the DETAIL of a failure */
static FlowsvcWriteProgress *current_progress = NULL;

/* Cached count=true answers of use_remote_estimate */
typedef struct RemoteEstimateEntry
{
	char		target[1024];	/* hash key: server url + request */
	double		rows;
	TimestampTz fetched;
} RemoteEstimateEntry;

static HTAB *RemoteEstimates = NULL;

PG_FUNCTION_INFO_V1(flowsvc_fdw_handler);

/* callbacks */
static void flowsvcGetForeignRelSize(PlannerInfo *root, RelOptInfo *baserel,
									 Oid foreigntableid);
static void flowsvcGetForeignPaths(PlannerInfo *root, RelOptInfo *baserel,
								   Oid foreigntableid);
static ForeignScan *flowsvcGetForeignPlan(PlannerInfo *root, RelOptInfo *baserel,
										  Oid foreigntableid, ForeignPath *best_path,
										  List *tlist, List *scan_clauses,
										  Plan *outer_plan);
static void flowsvcBeginForeignScan(ForeignScanState *node, int eflags);
static TupleTableSlot *flowsvcIterateForeignScan(ForeignScanState *node);
static void flowsvcReScanForeignScan(ForeignScanState *node);
static void flowsvcEndForeignScan(ForeignScanState *node);
static void flowsvcExplainForeignScan(ForeignScanState *node, ExplainState *es);
static void flowsvcAddForeignUpdateTargets(PlannerInfo *root, Index rtindex,
										   RangeTblEntry *target_rte,
										   Relation target_relation);
static List *flowsvcPlanForeignModify(PlannerInfo *root, ModifyTable *plan,
									  Index resultRelation, int subplan_index);
static void flowsvcBeginForeignModify(ModifyTableState *mtstate,
									  ResultRelInfo *rinfo, List *fdw_private,
									  int subplan_index, int eflags);
static TupleTableSlot *flowsvcExecForeignInsert(EState *estate, ResultRelInfo *rinfo,
												TupleTableSlot *slot,
												TupleTableSlot *planSlot);
static TupleTableSlot *flowsvcExecForeignUpdate(EState *estate, ResultRelInfo *rinfo,
												TupleTableSlot *slot,
												TupleTableSlot *planSlot);
static TupleTableSlot *flowsvcExecForeignDelete(EState *estate, ResultRelInfo *rinfo,
												TupleTableSlot *slot,
												TupleTableSlot *planSlot);
static void flowsvcEndForeignModify(EState *estate, ResultRelInfo *rinfo);
static int	flowsvcIsForeignRelUpdatable(Relation rel);
static void flowsvcExplainForeignModify(ModifyTableState *mtstate,
										ResultRelInfo *rinfo, List *fdw_private,
										int subplan_index, ExplainState *es);
static bool flowsvcPlanDirectModify(PlannerInfo *root, ModifyTable *plan,
									Index resultRelation, int subplan_index);
static void flowsvcBeginDirectModify(ForeignScanState *node, int eflags);
static TupleTableSlot *flowsvcIterateDirectModify(ForeignScanState *node);
static void flowsvcEndDirectModify(ForeignScanState *node);
static void flowsvcExplainDirectModify(ForeignScanState *node, ExplainState *es);
static List *flowsvcImportForeignSchema(ImportForeignSchemaStmt *stmt,
										Oid serverOid);
static bool flowsvcAnalyzeForeignTable(Relation relation,
									   AcquireSampleRowsFunc *func,
									   BlockNumber *totalpages);

/* helpers */
static FlowsvcColumn *column_by_path(FlowsvcColumn **columns, int natts,
									 const char *path);
static double estimate_collection_rows(RelOptInfo *baserel,
									   FlowsvcRelInfo *fpinfo);
static double remote_count(FlowsvcRelInfo *fpinfo);
static List *scan_private(const FlowsvcRequestShape *shape,
						  List *retrieved_attrs, List *filter_lists,
						  int row_limit);
static void flowsvcGetForeignUpperPaths(PlannerInfo *root, UpperRelationKind stage,
										RelOptInfo *input_rel, RelOptInfo *output_rel,
										void *extra);
static char *orderby_for_pathkeys(RelOptInfo *baserel, FlowsvcRelInfo *fpinfo,
								  List *pathkeys);
static bool ec_member_is_id(PlannerInfo *root, RelOptInfo *rel,
							EquivalenceClass *ec, EquivalenceMember *em,
							void *arg);
static void add_id_join_paths(PlannerInfo *root, RelOptInfo *baserel,
							  FlowsvcRelInfo *fpinfo);
static UserMapping *user_mapping_for(EState *estate, Index rtindex, Oid relid);
static void scan_start(FlowsvcScan *scan, FlowsvcConnection *conn,
					   FlowsvcOptions *opts, const char *resource,
					   List *targets, bool id_lookup,
					   MemoryContext scan_cxt, MemoryContext page_parent);
static cJSON *scan_next_item(FlowsvcScan *scan);
static double scan_fetch_count(FlowsvcScan *scan);
static void read_all_rows(ForeignScanState *node, FlowsvcScanState *fsstate);
static bool statement_writes_foreign_table(EState *estate);
static void scan_fetch_page(FlowsvcScan *scan, const char *target);
static void start_foreign_scan(ForeignScanState *node, FlowsvcScanState *fsstate);
static void item_to_values(cJSON *item, struct JsonbContainer *exact_item,
						   FlowsvcColumn **columns, List *attrs,
						   const char *resource, Datum *values, bool *nulls);
static void explain_stats(FlowsvcRequestStats *stats, ExplainState *es);
static FlowsvcModifyState *create_modify_state(Relation rel, CmdType operation,
											   EState *estate, Index rtindex);
static char *json_pointer(FlowsvcColumn *col, const char *key);
static char *server_to_utf8(const char *s);
static void add_patch_op(cJSON *patch, const char *op, const char *path,
						 cJSON *value);
static void add_column_ops(cJSON *patch, FlowsvcColumn *col, Datum newval,
						   bool newnull, Datum oldval, bool oldnull);
static void report_version_conflict(const char *verb, const char *resource,
									const char *id, FlowsvcResponse *resp);
static void record_write(FlowsvcModifyState *fmstate, const char *id);
static void refetch_into_slot(FlowsvcModifyState *fmstate, const char *id,
							  TupleTableSlot *slot);
static void store_identity(FlowsvcModifyState *fmstate, TupleTableSlot *slot,
						   const char *id, const char *version);
static char *answer_etag(FlowsvcModifyState *fmstate, FlowsvcResponse *resp,
						 char **id);
static bool reads_json_columns(FlowsvcColumn **columns, List *attrs);
static bool column_patchable(const FlowsvcResource *resource, FlowsvcColumn *col);
static void refuse_column_update(const FlowsvcResource *resource,
								 FlowsvcColumn *col, Relation rel) pg_attribute_noreturn();
static List *update_target_columns(RangeTblEntry *rte, Relation rel);
static void rebuild_slot(TupleTableSlot *slot);
static char *location_id(const char *location, const char *resource);
static bool already_written(FlowsvcModifyState *fmstate, const char *id);
static void row_identity(FlowsvcModifyState *fmstate, TupleTableSlot *planSlot,
						 const char *verb, char **id, char **version);
static bool returning_needs_refetch(List *returning, Index rtindex,
									Relation rel, List *target_attrs);
static void flowsvc_xact_callback(XactEvent event, void *arg);
static List *updated_columns(RangeTblEntry *rte);

void		_PG_init(void);
static void forget_write_progress(void *arg);

/*
 * _PG_init
 *		Module load: forget a failed statement's write progress at abort.
 */
void
_PG_init(void)
{
	RegisterXactCallback(flowsvc_xact_callback, NULL);
}

/*
 * flowsvc_xact_callback
 *		Drop the pointer to a write's progress when its transaction ends.
 */
static void
flowsvc_xact_callback(XactEvent event pg_attribute_unused(), void *arg pg_attribute_unused())
{
	current_progress = NULL;
}

/*
 * forget_write_progress
 *		Memory context callback: the progress of a write is going away.
 */
static void
forget_write_progress(void *arg)
{
	if (current_progress == (FlowsvcWriteProgress *) arg)
		current_progress = NULL;
}

/*
 * flowsvc_fdw_handler
 *		The FdwRoutine with all our callbacks.
 */
Datum
flowsvc_fdw_handler(PG_FUNCTION_ARGS)
{
	FdwRoutine *routine = makeNode(FdwRoutine);

	routine->GetForeignRelSize = flowsvcGetForeignRelSize;
	routine->GetForeignPaths = flowsvcGetForeignPaths;
	routine->GetForeignPlan = flowsvcGetForeignPlan;
	routine->BeginForeignScan = flowsvcBeginForeignScan;
	routine->IterateForeignScan = flowsvcIterateForeignScan;
	routine->ReScanForeignScan = flowsvcReScanForeignScan;
	routine->EndForeignScan = flowsvcEndForeignScan;
	routine->ExplainForeignScan = flowsvcExplainForeignScan;
	routine->GetForeignUpperPaths = flowsvcGetForeignUpperPaths;

	routine->AddForeignUpdateTargets = flowsvcAddForeignUpdateTargets;
	routine->PlanForeignModify = flowsvcPlanForeignModify;
	routine->BeginForeignModify = flowsvcBeginForeignModify;
	routine->ExecForeignInsert = flowsvcExecForeignInsert;
	routine->ExecForeignUpdate = flowsvcExecForeignUpdate;
	routine->ExecForeignDelete = flowsvcExecForeignDelete;
	routine->EndForeignModify = flowsvcEndForeignModify;
	routine->IsForeignRelUpdatable = flowsvcIsForeignRelUpdatable;
	routine->ExplainForeignModify = flowsvcExplainForeignModify;

	routine->PlanDirectModify = flowsvcPlanDirectModify;
	routine->BeginDirectModify = flowsvcBeginDirectModify;
	routine->IterateDirectModify = flowsvcIterateDirectModify;
	routine->EndDirectModify = flowsvcEndDirectModify;
	routine->ExplainDirectModify = flowsvcExplainDirectModify;

	routine->ImportForeignSchema = flowsvcImportForeignSchema;
	routine->AnalyzeForeignTable = flowsvcAnalyzeForeignTable;

	PG_RETURN_POINTER(routine);
}

/* ------------------------------------------------------------------------
 * Planning
 * ------------------------------------------------------------------------
 */

/*
 * flowsvcGetForeignRelSize
 *		Read the table's options and columns, sort its quals into those the
 *		API can evaluate and those it cannot, and estimate the row count.
 */
static void
flowsvcGetForeignRelSize(PlannerInfo *root, RelOptInfo *baserel,
						 Oid foreigntableid)
{
	FlowsvcRelInfo *fpinfo = palloc0(sizeof(FlowsvcRelInfo));
	ForeignTable *table = GetForeignTable(foreigntableid);
	Oid			userid = OidIsValid(baserel->userid) ? baserel->userid : GetUserId();
	Relation	rel;
	ListCell   *lc;
	double		collection_rows;

	baserel->fdw_private = fpinfo;
	fpinfo->baserel = baserel;
	fpinfo->server = GetForeignServer(table->serverid);
	fpinfo->user = GetUserMapping(userid, table->serverid);
	fpinfo->opts = FlowsvcGetOptions(fpinfo->server, fpinfo->user);
	fpinfo->resource = FlowsvcGetTableResourceName(foreigntableid);
	fpinfo->use_remote_estimate =
		FlowsvcTableUseRemoteEstimate(foreigntableid,
									  fpinfo->opts->use_remote_estimate);

	rel = table_open(foreigntableid, NoLock);
	fpinfo->natts = RelationGetNumberOfAttributes(rel);
	fpinfo->columns = FlowsvcGetColumns(rel);
	table_close(rel, NoLock);
	fpinfo->id_column = column_by_path(fpinfo->columns, fpinfo->natts, "id");

	foreach(lc, baserel->baserestrictinfo)
	{
		RestrictInfo *ri = (RestrictInfo *) lfirst(lc);
		FlowsvcClauseMatch match;

		if (FlowsvcMatchClause(baserel, fpinfo->columns, ri->clause, &match))
		{
			fpinfo->remote_conds = lappend(fpinfo->remote_conds, ri);
			if (match.is_id)
				fpinfo->has_id_lookup = true;
			if (match.is_list)
				fpinfo->has_list_filter = true;
		}
		else
			fpinfo->local_conds = lappend(fpinfo->local_conds, ri);
	}

	collection_rows = estimate_collection_rows(baserel, fpinfo);
	fpinfo->collection_rows = collection_rows;

	/* rows the API sends: after its filters */
	fpinfo->fetched_rows =
		clamp_row_est(collection_rows *
					  clauselist_selectivity(root, fpinfo->remote_conds,
											 baserel->relid, JOIN_INNER, NULL));
	if (fpinfo->has_id_lookup)
		fpinfo->fetched_rows = 1;
	if (fpinfo->remote_estimate_rows >= 0 && !fpinfo->has_id_lookup)
		fpinfo->fetched_rows = clamp_row_est(fpinfo->remote_estimate_rows);

	baserel->rows =
		clamp_row_est(fpinfo->fetched_rows *
					  clauselist_selectivity(root, fpinfo->local_conds,
											 baserel->relid, JOIN_INNER, NULL));
	baserel->tuples = Max(baserel->tuples, collection_rows);
}

/*
 * estimate_collection_rows
 *		How many items the collection holds: ANALYZE's figure, else a
 *		remote count when use_remote_estimate is set, else a default.
 *
 * reltuples is -1 until the first ANALYZE; 0 means an empty collection.
 *
 * A remote count is taken with the pushed-down constant filters, so its
 * answer is the fetched row count itself; it is stored in the rel info.
 */
static double
estimate_collection_rows(RelOptInfo *baserel, FlowsvcRelInfo *fpinfo)
{
	fpinfo->remote_estimate_rows = -1;

	if (fpinfo->use_remote_estimate && !fpinfo->has_id_lookup)
	{
		fpinfo->remote_estimate_rows = remote_count(fpinfo);
		if (baserel->tuples >= 0)
			return baserel->tuples;
		return Max(fpinfo->remote_estimate_rows, 1.0);
	}
	if (baserel->tuples >= 0)
		return baserel->tuples;
	return DEFAULT_COLLECTION_ROWS;
}

/*
 * remote_count
 *		Ask the API with count=true how many items the constant filters
 *		match; answers are cached for REMOTE_ESTIMATE_TTL_MS.
 */
static double
remote_count(FlowsvcRelInfo *fpinfo)
{
	FlowsvcRequestShape shape = {0};
	List	   *exprs = NIL;
	Datum	   *values;
	bool	   *nulls;
	List	   *targets;
	RemoteEstimateEntry *entry;
	bool		found;
	ListCell   *lc;
	int			i = 0;
	FlowsvcScan scan = {0};
	MemoryContext cxt;
	double		rows;
	char		key[1024];

	/* the constant filters only: parameters are unknown at plan time */
	shape.resource = fpinfo->resource;
	shape.id_expr = -1;
	shape.count_only = true;
	foreach(lc, fpinfo->remote_conds)
	{
		RestrictInfo *ri = (RestrictInfo *) lfirst(lc);
		FlowsvcClauseMatch match;
		FlowsvcFilter *filter;

		if (!FlowsvcMatchClause(fpinfo->baserel, fpinfo->columns, ri->clause,
								&match) ||
			!IsA(match.value, Const))
			continue;
		filter = palloc(sizeof(FlowsvcFilter));
		filter->path = match.column->path;
		filter->op = match.op;
		filter->expr_index = i++;
		filter->is_list = match.is_list;
		filter->typid = match.column->typid;
		shape.filters = lappend(shape.filters, filter);
		exprs = lappend(exprs, match.value);
	}
	values = palloc0(sizeof(Datum) * (i + 1));
	nulls = palloc0(sizeof(bool) * (i + 1));
	i = 0;
	foreach(lc, exprs)
		values[i++] = ((Const *) lfirst(lc))->constvalue;

	targets = FlowsvcBuildRequestTargets(&shape, values, nulls);
	if (targets == NIL)
		return 0;

	if (RemoteEstimates == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(key);
		ctl.entrysize = sizeof(RemoteEstimateEntry);
		ctl.hcxt = CacheMemoryContext;
		RemoteEstimates = hash_create("flowsvc_fdw remote estimates", 16, &ctl,
									  HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	}
	/* the user mapping, then the request (hashed too, should it be long) */
	snprintf(key, sizeof(key), "%u %08x %s", fpinfo->user->umid,
			 hash_bytes((unsigned char *) llast(targets), strlen(llast(targets))),
			 (char *) llast(targets));
	entry = hash_search(RemoteEstimates, key, HASH_FIND, &found);
	if (found && !TimestampDifferenceExceeds(entry->fetched, GetCurrentTimestamp(),
											 REMOTE_ESTIMATE_TTL_MS))
		return entry->rows;

	cxt = AllocSetContextCreate(CurrentMemoryContext, "flowsvc_fdw estimate",
								ALLOCSET_SMALL_SIZES);
	scan_start(&scan, FlowsvcGetConnection(fpinfo->user, fpinfo->opts),
			   fpinfo->opts, fpinfo->resource, targets, false, cxt, cxt);
	rows = scan_fetch_count(&scan);
	MemoryContextDelete(cxt);

	/* a backend asking many different questions starts the cache afresh */
	if (hash_get_num_entries(RemoteEstimates) >= REMOTE_ESTIMATE_MAX_ENTRIES)
	{
		hash_destroy(RemoteEstimates);
		RemoteEstimates = NULL;
		return rows;
	}
	entry = hash_search(RemoteEstimates, key, HASH_ENTER, &found);
	entry->rows = rows;
	entry->fetched = GetCurrentTimestamp();
	return rows;
}

/*
 * flowsvcGetForeignPaths
 *		One unparameterized path, plus parameterized ones that fetch single
 *		items for joins on the id column.
 *
 * Costs: every request costs fdw_startup_cost (a round trip), every row
 * fdw_tuple_cost; a listing needs one request per page.
 */
static void
flowsvcGetForeignPaths(PlannerInfo *root, RelOptInfo *baserel,
					   Oid foreigntableid pg_attribute_unused())
{
	FlowsvcRelInfo *fpinfo = (FlowsvcRelInfo *) baserel->fdw_private;
	FlowsvcOptions *opts = fpinfo->opts;
	double		requests;
	Cost		startup_cost;
	Cost		total_cost;

	requests = fpinfo->has_id_lookup ? 1 :
		Max(1.0, ceil(fpinfo->fetched_rows / opts->page_size));
	startup_cost = opts->fdw_startup_cost;
	total_cost = requests * opts->fdw_startup_cost +
		fpinfo->fetched_rows * (opts->fdw_tuple_cost + cpu_tuple_cost) +
		fpinfo->fetched_rows * list_length(fpinfo->local_conds) * cpu_operator_cost;

	add_path(baserel, (Path *)
			 create_foreignscan_path(root, baserel, NULL, baserel->rows,
									 startup_cost, total_cost, NIL,
									 baserel->lateral_relids, NULL, NIL));

	/*
	 * The API sorts a listing by one field.  Batched IN lists come back
	 * sorted per batch only, so they cannot use it.
	 */
	if (root->query_pathkeys != NIL && !fpinfo->has_id_lookup &&
		!fpinfo->has_list_filter)
	{
		char	   *orderby = orderby_for_pathkeys(baserel, fpinfo,
												   root->query_pathkeys);

		if (orderby)
			add_path(baserel, (Path *)
					 create_foreignscan_path(root, baserel, NULL, baserel->rows,
											 startup_cost,
											 total_cost * SORTED_COST_MULTIPLIER,
											 root->query_pathkeys,
											 baserel->lateral_relids, NULL,
											 list_make1(makeString(orderby))));
	}

	if (fpinfo->id_column && !fpinfo->has_id_lookup)
		add_id_join_paths(root, baserel, fpinfo);
}

/*
 * orderby_for_pathkeys
 *		The API's orderby= value that yields rows in pathkeys' order, or NULL.
 *
 * Only one key, on a number or epoch-millisecond timestamp column (the
 * API's string order is not a collation's), in the type's default btree
 * order; and NULLs last, which is where the API puts items without the
 * field.
 */
static char *
orderby_for_pathkeys(RelOptInfo *baserel, FlowsvcRelInfo *fpinfo, List *pathkeys)
{
	PathKey    *pk;
	ListCell   *lc;

	if (list_length(pathkeys) != 1)
		return NULL;
	pk = (PathKey *) linitial(pathkeys);
	if (pk->pk_nulls_first || pk->pk_eclass->ec_has_volatile)
		return NULL;

	foreach(lc, pk->pk_eclass->ec_members)
	{
		EquivalenceMember *em = (EquivalenceMember *) lfirst(lc);
		Var		   *var = (Var *) em->em_expr;
		FlowsvcColumn *col;
		Oid			opclass;

		if (!IsA(var, Var) || var->varno != (int) baserel->relid ||
			var->varlevelsup != 0 || var->varattno <= 0)
			continue;
		col = fpinfo->columns[var->varattno - 1];
		if (col == NULL || !FlowsvcColumnOrderable(col))
			continue;
		opclass = GetDefaultOpClass(col->typid, BTREE_AM_OID);
		if (!OidIsValid(opclass) || get_opclass_family(opclass) != pk->pk_opfamily)
			continue;
		if (pk->pk_strategy == BTLessStrategyNumber)
			return pstrdup(col->path);
		if (pk->pk_strategy == BTGreaterStrategyNumber)
			return psprintf("-%s", col->path);
	}
	return NULL;
}

/*
 * ec_member_is_id
 *		Callback for generate_implied_equalities_for_column: is em the id
 *		column of rel?
 */
static bool
ec_member_is_id(PlannerInfo *root pg_attribute_unused(), RelOptInfo *rel, EquivalenceClass *ec pg_attribute_unused(),
				EquivalenceMember *em, void *arg)
{
	AttrNumber	id_attnum = *(AttrNumber *) arg;
	Expr	   *expr = em->em_expr;

	while (IsA(expr, RelabelType))
		expr = ((RelabelType *) expr)->arg;
	return IsA(expr, Var) &&
		((Var *) expr)->varno == (int) rel->relid &&
		((Var *) expr)->varattno == id_attnum &&
		((Var *) expr)->varlevelsup == 0;
}

/*
 * add_id_join_paths
 *		Parameterized paths for join clauses id = outer.x: each outer row
 *		costs one GET of one item.
 */
static void
add_id_join_paths(PlannerInfo *root, RelOptInfo *baserel, FlowsvcRelInfo *fpinfo)
{
	FlowsvcOptions *opts = fpinfo->opts;
	AttrNumber	id_attnum = fpinfo->id_column->attnum;
	List	   *clauses = NIL;
	List	   *done = NIL;
	ListCell   *lc;

	/* id = outer.x in an equivalence class, the common case */
	clauses = generate_implied_equalities_for_column(root, baserel,
													 ec_member_is_id,
													 &id_attnum,
													 baserel->lateral_referencers);
	/* and any other movable join clause on id */
	foreach(lc, baserel->joininfo)
	{
		RestrictInfo *ri = (RestrictInfo *) lfirst(lc);

		if (join_clause_is_movable_to(ri, baserel))
			clauses = lappend(clauses, ri);
	}

	foreach(lc, clauses)
	{
		RestrictInfo *ri = (RestrictInfo *) lfirst(lc);
		FlowsvcClauseMatch match;
		Relids		required_outer;
		ParamPathInfo *ppi;
		Cost		per_loop;

		if (!FlowsvcMatchClause(baserel, fpinfo->columns, ri->clause, &match) ||
			!match.is_id)
			continue;
		required_outer = bms_union(ri->clause_relids, baserel->lateral_relids);
		required_outer = bms_del_member(required_outer, baserel->relid);
		if (bms_is_empty(required_outer) ||
			list_member(done, required_outer))
			continue;
		done = lappend(done, required_outer);

		ppi = get_baserel_parampathinfo(root, baserel, required_outer);
		per_loop = opts->fdw_startup_cost + opts->fdw_tuple_cost + cpu_tuple_cost;
		add_path(baserel, (Path *)
				 create_foreignscan_path(root, baserel, NULL, ppi->ppi_rows,
										 opts->fdw_startup_cost, per_loop,
										 NIL, required_outer, NULL, NIL));
	}
}

/*
 * flowsvcGetForeignPlan
 *		Turn the chosen path into a ForeignScan: pick the request (one item
 *		or a filtered listing) and the quals left for local checking.
 */
static ForeignScan *
flowsvcGetForeignPlan(PlannerInfo *root, RelOptInfo *foreignrel,
					  Oid foreigntableid pg_attribute_unused(), ForeignPath *best_path,
					  List *tlist, List *scan_clauses, Plan *outer_plan)
{
	FlowsvcRelInfo *fpinfo = (FlowsvcRelInfo *) foreignrel->fdw_private;
	RelOptInfo *baserel = fpinfo->baserel;
	bool		count_only = IS_UPPER_REL(foreignrel);
	const char *orderby = NULL;
	List	   *local_exprs = NIL;
	List	   *fdw_exprs = NIL;
	List	   *filters = NIL;
	List	   *retrieved_attrs = NIL;
	List	   *matched = NIL;
	int			id_expr = -1;
	int			row_limit = -1;
	FlowsvcRequestShape shape = {0};
	ListCell   *lc;
	int			attnum;
	Bitmapset  *attrs_used = NULL;

	/* a pushed-down count(*) takes the quals of the table it counts */
	if (count_only)
		scan_clauses = fpinfo->remote_conds;
	if (best_path->fdw_private != NIL)
		orderby = strVal(linitial(best_path->fdw_private));

	/* first pass: find the clauses the API can take, and an id lookup */
	foreach(lc, scan_clauses)
	{
		RestrictInfo *ri = lfirst_node(RestrictInfo, lc);
		FlowsvcClauseMatch *match = palloc(sizeof(FlowsvcClauseMatch));

		if (ri->pseudoconstant ||
			!FlowsvcMatchClause(baserel, fpinfo->columns, ri->clause, match))
		{
			if (!ri->pseudoconstant)
				local_exprs = lappend(local_exprs, ri->clause);
			continue;
		}
		if (match->is_id && id_expr < 0)
		{
			fdw_exprs = lappend(fdw_exprs, match->value);
			id_expr = 0;
			continue;
		}
		match->clause = ri->clause;
		matched = lappend(matched, match);
	}

	/* second pass: with an id lookup the API takes no other filter */
	foreach(lc, matched)
	{
		FlowsvcClauseMatch *match = (FlowsvcClauseMatch *) lfirst(lc);
		FlowsvcFilter filter;

		if (id_expr >= 0)
		{
			local_exprs = lappend(local_exprs, match->clause);
			continue;
		}
		filter.path = match->column->path;
		filter.op = match->op;
		if (FlowsvcFilterInexact(match->column))
			filter.op = (filter.op == FLOWSVC_OP_LT) ? FLOWSVC_OP_LE :
				(filter.op == FLOWSVC_OP_GT) ? FLOWSVC_OP_GE : filter.op;
		filter.expr_index = list_length(fdw_exprs);
		filter.is_list = match->is_list;
		filter.typid = match->column->typid;
		filters = lappend(filters, FlowsvcFilterToList(&filter));
		fdw_exprs = lappend(fdw_exprs, match->value);

		/*
		 * A value known only at run time may prove inexpressible (a comma,
		 * an infinite timestamp); the filter is then not sent, so the qual
		 * is checked locally as well.
		 */
		if (!IsA(match->value, Const) || FlowsvcFilterInexact(match->column))
			local_exprs = lappend(local_exprs, match->clause);
	}

	if (count_only)
	{
		/* flowsvcGetForeignUpperPaths made sure every qual is exact */
		if (local_exprs != NIL || id_expr >= 0)
			elog(ERROR, "count(*) pushdown with local quals");
		shape.resource = fpinfo->resource;
		shape.id_expr = -1;
		shape.count_only = true;
		return make_foreignscan(tlist, NIL, 0, fdw_exprs,
								scan_private(&shape, NIL, filters, -1),
								tlist, NIL, outer_plan);
	}

	/* columns to convert: the output, the local quals, row identity */
	pull_varattnos((Node *) baserel->reltarget->exprs, baserel->relid, &attrs_used);
	pull_varattnos((Node *) local_exprs, baserel->relid, &attrs_used);
	for (attnum = 1; attnum <= fpinfo->natts; attnum++)
	{
		if (fpinfo->columns[attnum - 1] == NULL)
			continue;
		if (bms_is_member(attnum - FirstLowInvalidHeapAttributeNumber, attrs_used) ||
			bms_is_member(0 - FirstLowInvalidHeapAttributeNumber, attrs_used))
			retrieved_attrs = lappend_int(retrieved_attrs, attnum);
	}

	/*
	 * A LIMIT of a query that reads this table alone, without local quals
	 * and unsorted or sorted by the API, caps the rows we need: ask for
	 * pages no larger than that.
	 */
	if (root->limit_tuples >= 1 &&
		pathkeys_contained_in(root->sort_pathkeys, best_path->path.pathkeys) &&
		local_exprs == NIL && bms_membership(root->all_baserels) == BMS_SINGLETON)
		row_limit = (int) Min(root->limit_tuples, (double) INT_MAX);


	shape.resource = fpinfo->resource;
	shape.id_expr = id_expr;
	shape.orderby = orderby;
	shape.count_only = false;
	return make_foreignscan(tlist, local_exprs, baserel->relid, fdw_exprs,
							scan_private(&shape, retrieved_attrs, filters,
										 row_limit),
							NIL, NIL, outer_plan);
}

/*
 * scan_private
 *		The fdw_private list of a scan, in FdwScanPrivateIndex order.
 *
 * filter_lists holds the filters as FlowsvcFilterToList made them.
 */
static List *
scan_private(const FlowsvcRequestShape *shape, List *retrieved_attrs,
			 List *filter_lists, int row_limit)
{
	List	   *priv;

	priv = list_make5(makeString(pstrdup(shape->resource)), retrieved_attrs,
					  filter_lists, makeInteger(shape->id_expr),
					  makeInteger(row_limit));
	priv = lappend(priv, makeString(pstrdup(shape->orderby ? shape->orderby : "")));
	return lappend(priv, makeInteger(shape->count_only ? 1 : 0));
}

/*
 * flowsvcGetForeignUpperPaths
 *		Let the API count: SELECT count(*) FROM t [WHERE quals it evaluates
 *		exactly] becomes one count=true request.
 */
static void
flowsvcGetForeignUpperPaths(PlannerInfo *root, UpperRelationKind stage,
							RelOptInfo *input_rel, RelOptInfo *output_rel,
							void *extra pg_attribute_unused())
{
	FlowsvcRelInfo *fpinfo = (FlowsvcRelInfo *) input_rel->fdw_private;
	Query	   *parse = root->parse;
	PathTarget *target = root->upper_targets[UPPERREL_GROUP_AGG];
	ListCell   *lc;

	if (stage != UPPERREL_GROUP_AGG || output_rel->fdw_private != NULL ||
		input_rel->reloptkind != RELOPT_BASEREL || fpinfo == NULL)
		return;
	if (parse->groupClause || parse->groupingSets || parse->havingQual ||
		!parse->hasAggs || fpinfo->local_conds != NIL || fpinfo->has_id_lookup)
		return;

	/* a filter value known only at run time might not be sendable */
	foreach(lc, fpinfo->remote_conds)
	{
		FlowsvcClauseMatch match;

		if (!FlowsvcMatchClause(input_rel, fpinfo->columns,
								((RestrictInfo *) lfirst(lc))->clause, &match) ||
			!IsA(match.value, Const) || FlowsvcFilterInexact(match.column))
			return;
	}

	/* nothing but plain count(*) in the output */
	foreach(lc, target->exprs)
	{
		Aggref	   *agg = (Aggref *) lfirst(lc);

		if (!IsA(agg, Aggref) || agg->aggfnoid != F_COUNT_ || !agg->aggstar ||
			agg->aggfilter || agg->aggdistinct || agg->aggorder ||
			agg->aggkind != AGGKIND_NORMAL)
			return;
	}

	output_rel->fdw_private = fpinfo;
	add_path(output_rel, (Path *)
			 create_foreign_upper_path(root, output_rel, target, 1,
									   fpinfo->opts->fdw_startup_cost,
									   fpinfo->opts->fdw_startup_cost,
									   NIL, NULL, NIL));
}

/*
 * column_by_path
 *		The column mapped to a top-level API field, or NULL.
 */
static FlowsvcColumn *
column_by_path(FlowsvcColumn **columns, int natts, const char *path)
{
	int			i;

	for (i = 0; i < natts; i++)
	{
		if (columns[i] && strcmp(columns[i]->path, path) == 0)
			return columns[i];
	}
	return NULL;
}

/* ------------------------------------------------------------------------
 * Scanning
 * ------------------------------------------------------------------------
 */

/*
 * user_mapping_for
 *		The user mapping a scan or modification of rtindex runs under.
 */
static UserMapping *
user_mapping_for(EState *estate, Index rtindex, Oid relid)
{
	RangeTblEntry *rte = exec_rt_fetch(rtindex, estate);
	Oid			userid = OidIsValid(rte->checkAsUser) ? rte->checkAsUser : GetUserId();
	ForeignTable *table = GetForeignTable(relid);

	return GetUserMapping(userid, table->serverid);
}

/*
 * flowsvcBeginForeignScan
 *		Prepare a scan; no request is sent until the first row is asked for.
 */
static void
flowsvcBeginForeignScan(ForeignScanState *node, int eflags)
{
	ForeignScan *fsplan = (ForeignScan *) node->ss.ps.plan;
	EState	   *estate = node->ss.ps.state;
	List	   *priv = fsplan->fdw_private;
	FlowsvcScanState *fsstate;
	Relation	rel = node->ss.ss_currentRelation;
	Index		rtindex;
	Oid			relid;
	UserMapping *user;
	int			row_limit;
	ListCell   *lc;

	/* a pushed-down count(*) scans no relation of its own */
	rtindex = fsplan->scan.scanrelid > 0 ? fsplan->scan.scanrelid :
		(Index) bms_next_member(fsplan->fs_relids, -1);
	relid = exec_rt_fetch(rtindex, estate)->relid;
	user = user_mapping_for(estate, rtindex, relid);

	fsstate = palloc0(sizeof(FlowsvcScanState));
	node->fdw_state = fsstate;
	fsstate->rel = rel;
	fsstate->opts = FlowsvcGetOptions(GetForeignServer(GetForeignTable(relid)->serverid),
									  user);
	if (rel)
		fsstate->columns = FlowsvcGetColumns(rel);
	fsstate->retrieved_attrs = (List *) list_nth(priv, FdwScanPrivateRetrievedAttrs);

	fsstate->shape.resource = strVal(list_nth(priv, FdwScanPrivateResource));
	foreach(lc, (List *) list_nth(priv, FdwScanPrivateFilters))
		fsstate->shape.filters = lappend(fsstate->shape.filters,
										 FlowsvcFilterFromList((List *) lfirst(lc)));
	fsstate->shape.id_expr = intVal(list_nth(priv, FdwScanPrivateIdExpr));
	/* the lookup's value has the type of the column it was compared with */
	if (fsstate->shape.id_expr >= 0)
		fsstate->shape.id_typid =
			exprType((Node *) list_nth(fsplan->fdw_exprs, fsstate->shape.id_expr));
	fsstate->shape.page_size = fsstate->opts->page_size;
	row_limit = intVal(list_nth(priv, FdwScanPrivateRowLimit));
	if (row_limit > 0)
		fsstate->shape.page_size = Min(fsstate->shape.page_size, row_limit);
	if (strVal(list_nth(priv, FdwScanPrivateOrderBy))[0] != '\0')
		fsstate->shape.orderby = strVal(list_nth(priv, FdwScanPrivateOrderBy));
	fsstate->shape.count_only = intVal(list_nth(priv, FdwScanPrivateCountOnly)) != 0;
	/*
	 * A statement that writes may change a collection while one of its
	 * scans pages through it; with positional next links, a deleted item
	 * would shift a later one onto a page already read.  In such a
	 * statement, listings read every page before returning a row.
	 */
	fsstate->materialize = fsstate->shape.id_expr < 0 && !fsstate->shape.count_only &&
		statement_writes_foreign_table(estate);
	fsstate->row_limit = row_limit;
	fsstate->scan.resource = fsstate->shape.resource;

	fsstate->tuple_cxt = AllocSetContextCreate(estate->es_query_cxt,
											   "flowsvc_fdw tuple",
											   ALLOCSET_SMALL_SIZES);
	fsstate->start_cxt = AllocSetContextCreate(estate->es_query_cxt,
											   "flowsvc_fdw scan start",
											   ALLOCSET_SMALL_SIZES);

	if (eflags & EXEC_FLAG_EXPLAIN_ONLY)
		return;

	fsstate->value_states = ExecInitExprList(fsplan->fdw_exprs, (PlanState *) node);
	fsstate->scan.conn = FlowsvcGetConnection(user, fsstate->opts);
}

/*
 * statement_writes_foreign_table
 *		Does the executing statement write to a foreign (or partitioned)
 *		table, whose collection may change under a scan of it?
 */
static bool
statement_writes_foreign_table(EState *estate)
{
	ListCell   *lc;

	foreach(lc, estate->es_plannedstmt->resultRelations)
	{
		RangeTblEntry *rte = exec_rt_fetch(lfirst_int(lc), estate);

		if (rte->relkind == RELKIND_FOREIGN_TABLE ||
			rte->relkind == RELKIND_PARTITIONED_TABLE)
			return true;
	}
	return false;
}

/*
 * start_foreign_scan
 *		Evaluate the filter values and start walking the request targets.
 */
static void
start_foreign_scan(ForeignScanState *node, FlowsvcScanState *fsstate)
{
	ExprContext *econtext = node->ss.ps.ps_ExprContext;
	int			n = list_length(fsstate->value_states);
	Datum	   *values;
	bool	   *nulls;
	MemoryContext oldcxt;
	List	   *targets;
	ListCell   *lc;
	int			i = 0;

	/* a rescan (each outer row of a join) starts from an empty context */
	MemoryContextReset(fsstate->start_cxt);
	values = MemoryContextAllocZero(fsstate->start_cxt, sizeof(Datum) * (n + 1));
	nulls = MemoryContextAllocZero(fsstate->start_cxt, sizeof(bool) * (n + 1));

	oldcxt = MemoryContextSwitchTo(econtext->ecxt_per_tuple_memory);
	foreach(lc, fsstate->value_states)
	{
		values[i] = ExecEvalExpr((ExprState *) lfirst(lc), econtext, &nulls[i]);
		i++;
	}
	MemoryContextSwitchTo(oldcxt);

	/* targets outlive this row's expression memory */
	oldcxt = MemoryContextSwitchTo(fsstate->start_cxt);
	targets = FlowsvcBuildRequestTargets(&fsstate->shape, values, nulls);
	MemoryContextSwitchTo(oldcxt);

	scan_start(&fsstate->scan, fsstate->scan.conn, fsstate->opts,
			   fsstate->shape.resource,
			   targets, fsstate->shape.id_expr >= 0, fsstate->start_cxt,
			   node->ss.ps.state->es_query_cxt);
	if (fsstate->shape.id_expr >= 0 && !nulls[fsstate->shape.id_expr])
	{
		char	   *id = FlowsvcIdText(values[fsstate->shape.id_expr],
									   fsstate->shape.id_typid);

		fsstate->scan.lookup_id = MemoryContextStrdup(fsstate->start_cxt,
													  pg_server_to_any(id, strlen(id),
																	   PG_UTF8));
		fsstate->scan.lookup_exact = (fsstate->shape.id_typid == TEXTOID);
	}
	fsstate->scan.exact_json = fsstate->rel &&
		reads_json_columns(fsstate->columns, fsstate->retrieved_attrs);
	fsstate->started = true;
}

/*
 * scan_start
 *		Set up a walk over the items the targets return.
 *
 * scan_cxt must live as long as the walk; the page context, made once, is a
 * child of page_parent.
 */
static void
scan_start(FlowsvcScan *scan, FlowsvcConnection *conn, FlowsvcOptions *opts,
		   const char *resource, List *targets, bool id_lookup,
		   MemoryContext scan_cxt, MemoryContext page_parent)
{
	scan->conn = conn;
	scan->opts = opts;
	scan->resource = resource;
	scan->targets = targets;
	scan->id_lookup = id_lookup;
	scan->next_href = NULL;
	scan->current = NULL;
	scan->cursor = NULL;
	scan->lookup_id = NULL;
	scan->scan_cxt = scan_cxt;
	if (scan->page_cxt == NULL)
		scan->page_cxt = AllocSetContextCreate(page_parent, "flowsvc_fdw page",
											   ALLOCSET_DEFAULT_SIZES);
	else
		MemoryContextReset(scan->page_cxt);
}

/*
 * scan_next_item
 *		The next item of the walk, fetching the next page when the one in
 *		hand is used up; NULL at the end.
 *
 * A page is fetched only when its first item is needed, so a LIMIT never
 * costs a page more than it uses.
 */
static cJSON *
scan_next_item(FlowsvcScan *scan)
{
	for (;;)
	{
		if (scan->cursor != NULL)
		{
			cJSON	   *item = scan->cursor;

			/* a lookup yields the one item it asked for, nothing else */
			scan->cursor = scan->id_lookup ? NULL : item->next;
			scan->exact_item = scan->exact_items ?
				FlowsvcExactItem(scan->exact_items, scan->item_index) : NULL;
			scan->item_index++;
			if (!cJSON_IsObject(item))
				ereport(ERROR,
						(errcode(ERRCODE_FDW_ERROR),
						 errmsg("invalid response from flow service"),
						 errdetail("An element of \"items\" is not a JSON object."),
						 errcontext("Flow Service request: GET %s", scan->current)));
			return item;
		}
		if (scan->next_href != NULL)
			scan_fetch_page(scan, scan->next_href);
		else if (scan->targets != NIL)
		{
			char	   *target = linitial(scan->targets);

			scan->targets = list_delete_first(scan->targets);
			scan_fetch_page(scan, target);
		}
		else
			return NULL;
	}
}

/*
 * scan_fetch_page
 *		GET one page into a fresh page context and note its next link.
 *
 * The next link is followed only if it is relative to the server url (or
 * spells it out): the credentials never go to another host.
 */
static void
scan_fetch_page(FlowsvcScan *scan, const char *target)
{
	FlowsvcResponse resp;
	MemoryContext oldcxt;
	cJSON	   *root;
	cJSON	   *items;
	cJSON	   *href;
	char	   *previous;
	long		status;
	const char *url = scan->opts->url;

	/* the target may live in the page context that is about to be reset */
	previous = MemoryContextStrdup(scan->scan_cxt, target);
	MemoryContextReset(scan->page_cxt);
	if (scan->current)
		pfree(scan->current);
	scan->current = previous;
	scan->cursor = NULL;
	scan->next_href = NULL;
	scan->exact_items = NULL;
	scan->exact_item = NULL;

	oldcxt = MemoryContextSwitchTo(scan->page_cxt);
	status = FlowsvcRequest(scan->conn, scan->opts, "GET", scan->current, NULL, NULL,
							scan->id_lookup ? FLOWSVC_ACCEPT_404 : 0,
							&resp, &scan->stats);
	if (status == 404)
	{
		/* get by id: no such item, no row */
		MemoryContextSwitchTo(oldcxt);
		return;
	}
	scan->stats.pages++;

	root = FlowsvcParseJson(resp.body, resp.body_len, scan->page_cxt,
							"GET", scan->current);
	items = FlowsvcResponseItems(root, "GET", scan->current);
	scan->cursor = items->child;

	/* an item other than the one asked for is no answer to the lookup */
	if (scan->id_lookup && scan->lookup_id && scan->cursor &&
		(scan->lookup_exact ?
		 strcmp(FlowsvcItemId(scan->cursor), scan->lookup_id) :
		 pg_strcasecmp(FlowsvcItemId(scan->cursor), scan->lookup_id)) != 0)
		scan->cursor = NULL;
	scan->item_index = 0;
	scan->exact_items = scan->exact_json ?
		FlowsvcExactItems(resp.body, resp.body_len) : NULL;
	pfree(resp.body);

	href = cJSON_GetObjectItemCaseSensitive(root, "_links");
	href = cJSON_GetObjectItemCaseSensitive(href, "next");
	href = cJSON_GetObjectItemCaseSensitive(href, "href");
	if (cJSON_IsString(href) && href->valuestring[0] != '\0')
	{
		const char *next = href->valuestring;
		size_t		urllen = strlen(url);

		if (strncmp(next, url, urllen) == 0 && next[urllen] == '/')
			next += urllen;
		if (next[0] != '/' || next[1] == '/')
			ereport(ERROR,
					(errcode(ERRCODE_FDW_ERROR),
					 errmsg("invalid next link from flow service"),
					 errdetail("The next link \"%s\" is not relative to the server url.",
							   next),
					 errcontext("Flow Service request: GET %s", scan->current)));
		if (strcmp(next, scan->current) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_ERROR),
					 errmsg("invalid next link from flow service"),
					 errdetail("The next link repeats the page just read, which would loop forever."),
					 errcontext("Flow Service request: GET %s", scan->current)));
		scan->next_href = pstrdup(next);	/* in the page context */
	}
	MemoryContextSwitchTo(oldcxt);
}

/*
 * scan_fetch_count
 *		Send each count=true target of the walk and add up the counts (IN
 *		batches partition the values, so the sum is exact).
 */
static double
scan_fetch_count(FlowsvcScan *scan)
{
	double		total = 0;

	while (scan->targets != NIL)
	{
		char	   *target = linitial(scan->targets);
		FlowsvcResponse resp;
		MemoryContext oldcxt;
		cJSON	   *root;
		cJSON	   *count;

		scan->targets = list_delete_first(scan->targets);
		MemoryContextReset(scan->page_cxt);
		oldcxt = MemoryContextSwitchTo(scan->page_cxt);
		FlowsvcRequest(scan->conn, scan->opts, "GET", target, NULL, NULL, 0, &resp,
					   &scan->stats);
		scan->stats.pages++;
		root = FlowsvcParseJson(resp.body, resp.body_len, scan->page_cxt,
								"GET", target);
		count = cJSON_GetObjectItemCaseSensitive(root, "count");
		if (!cJSON_IsNumber(count) || count->valuedouble < 0 ||
			count->valuedouble != floor(count->valuedouble))
			ereport(ERROR,
					(errcode(ERRCODE_FDW_ERROR),
					 errmsg("invalid response from flow service"),
					 errdetail("Expected {\"count\": N} with a whole number N."),
					 errcontext("Flow Service request: GET %s", target)));
		total += count->valuedouble;
		MemoryContextSwitchTo(oldcxt);
	}
	return total;
}

/*
 * item_to_values
 *		Convert the attrs of one item into values/nulls (all others NULL).
 *
 * json(b) and exact numeric columns come from exact_item when there is one
 * (see FlowsvcExactItems), everything else from the cJSON item.
 */
static void
item_to_values(cJSON *item, struct JsonbContainer *exact_item,
			   FlowsvcColumn **columns, List *attrs, const char *resource,
			   Datum *values, bool *nulls)
{
	const char *id = FlowsvcItemId(item);
	ListCell   *lc;

	foreach(lc, attrs)
	{
		int			attnum = lfirst_int(lc);
		FlowsvcColumn *col = columns[attnum - 1];

		values[attnum - 1] =
			FlowsvcJsonToDatum(FlowsvcJsonLookup(item, col->path_parts),
							   exact_item, col, resource, id, &nulls[attnum - 1]);
	}
}

/*
 * reads_json_columns
 *		Is any of attrs read from the exact parse (FlowsvcExactReadable)?
 */
static bool
reads_json_columns(FlowsvcColumn **columns, List *attrs)
{
	ListCell   *lc;

	foreach(lc, attrs)
	{
		if (FlowsvcExactReadable(columns[lfirst_int(lc) - 1]))
			return true;
	}
	return false;
}

/*
 * flowsvcIterateForeignScan
 *		The next row, or an empty slot at the end.
 */
static TupleTableSlot *
flowsvcIterateForeignScan(ForeignScanState *node)
{
	FlowsvcScanState *fsstate = (FlowsvcScanState *) node->fdw_state;
	TupleTableSlot *slot = node->ss.ss_ScanTupleSlot;
	cJSON	   *item;
	MemoryContext oldcxt;

	if (!fsstate->started)
		start_foreign_scan(node, fsstate);

	ExecClearTuple(slot);
	if (fsstate->shape.count_only)
	{
		/* one row; every column is the same count(*) */
		int			natts = slot->tts_tupleDescriptor->natts;
		int64		count;
		int			i;

		if (fsstate->count_done)
			return slot;
		fsstate->count_done = true;
		count = (int64) scan_fetch_count(&fsstate->scan);
		for (i = 0; i < natts; i++)
		{
			slot->tts_values[i] = Int64GetDatum(count);
			slot->tts_isnull[i] = false;
		}
		return ExecStoreVirtualTuple(slot);
	}

	if (fsstate->materialize)
	{
		if (fsstate->rows == NULL)
			read_all_rows(node, fsstate);
		if (tuplestore_gettupleslot(fsstate->rows, true, false, fsstate->row_slot))
			ExecCopySlot(slot, fsstate->row_slot);
		return slot;
	}

	item = scan_next_item(&fsstate->scan);
	if (item == NULL)
		return slot;

	/* the previous row's values are no longer referenced */
	MemoryContextReset(fsstate->tuple_cxt);
	oldcxt = MemoryContextSwitchTo(fsstate->tuple_cxt);
	memset(slot->tts_isnull, true, sizeof(bool) * slot->tts_tupleDescriptor->natts);
	item_to_values(item, fsstate->scan.exact_item, fsstate->columns,
				   fsstate->retrieved_attrs,
				   fsstate->scan.resource, slot->tts_values, slot->tts_isnull);
	MemoryContextSwitchTo(oldcxt);
	return ExecStoreVirtualTuple(slot);
}

/*
 * read_all_rows
 *		Read every page of the scan into a tuplestore (in memory up to
 *		work_mem, then on disk), before the write it feeds changes anything.
 */
static void
read_all_rows(ForeignScanState *node, FlowsvcScanState *fsstate)
{
	TupleDesc	tupdesc = node->ss.ss_ScanTupleSlot->tts_tupleDescriptor;
	Datum	   *values = palloc(sizeof(Datum) * tupdesc->natts);
	bool	   *nulls = palloc(sizeof(bool) * tupdesc->natts);
	MemoryContext oldcxt;
	cJSON	   *item;

	oldcxt = MemoryContextSwitchTo(node->ss.ps.state->es_query_cxt);
	fsstate->rows = tuplestore_begin_heap(false, false, work_mem);
	if (fsstate->row_slot == NULL)
		fsstate->row_slot = MakeSingleTupleTableSlot(tupdesc, &TTSOpsMinimalTuple);
	MemoryContextSwitchTo(oldcxt);

	/* a LIMIT bounds the read-ahead too: no page beyond what it needs */
	while ((fsstate->row_limit < 0 ||
			tuplestore_tuple_count(fsstate->rows) < fsstate->row_limit) &&
		   (item = scan_next_item(&fsstate->scan)) != NULL)
	{
		MemoryContextReset(fsstate->tuple_cxt);
		oldcxt = MemoryContextSwitchTo(fsstate->tuple_cxt);
		memset(nulls, true, sizeof(bool) * tupdesc->natts);
		item_to_values(item, fsstate->scan.exact_item, fsstate->columns,
				   fsstate->retrieved_attrs,
					   fsstate->scan.resource, values, nulls);
		MemoryContextSwitchTo(oldcxt);
		tuplestore_putvalues(fsstate->rows, tupdesc, values, nulls);
	}
	pfree(values);
	pfree(nulls);
}

/*
 * flowsvcReScanForeignScan
 *		Start over; parameters may have changed, so the requests are built
 *		again.
 */
static void
flowsvcReScanForeignScan(ForeignScanState *node)
{
	FlowsvcScanState *fsstate = (FlowsvcScanState *) node->fdw_state;

	fsstate->started = false;
	fsstate->count_done = false;
	if (fsstate->rows)
	{
		tuplestore_end(fsstate->rows);
		fsstate->rows = NULL;
	}
	fsstate->scan.cursor = NULL;
	fsstate->scan.next_href = NULL;
	fsstate->scan.targets = NIL;
	if (fsstate->scan.page_cxt)
		MemoryContextReset(fsstate->scan.page_cxt);
}

/*
 * flowsvcEndForeignScan
 *		Release the page in hand (and its JSON tree).
 */
static void
flowsvcEndForeignScan(ForeignScanState *node)
{
	FlowsvcScanState *fsstate = (FlowsvcScanState *) node->fdw_state;

	if (fsstate == NULL)
		return;
	if (fsstate->scan.page_cxt)
		MemoryContextDelete(fsstate->scan.page_cxt);
	fsstate->scan.page_cxt = NULL;
	if (fsstate->rows)
		tuplestore_end(fsstate->rows);
	if (fsstate->row_slot)
		ExecDropSingleTupleTableSlot(fsstate->row_slot);
	MemoryContextDelete(fsstate->tuple_cxt);
	MemoryContextDelete(fsstate->start_cxt);
}

/*
 * flowsvcExplainForeignScan
 *		Show the request a scan makes; with ANALYZE, what it really sent.
 */
static void
flowsvcExplainForeignScan(ForeignScanState *node, ExplainState *es)
{
	FlowsvcScanState *fsstate = (FlowsvcScanState *) node->fdw_state;
	ForeignScan *fsplan = (ForeignScan *) node->ss.ps.plan;

	if (es->verbose)
		ExplainPropertyText("Remote request",
							FlowsvcDescribeRequest(&fsstate->shape,
												   fsplan->fdw_exprs,
												   es->deparse_cxt),
							es);
	if (es->verbose && fsstate->materialize)
		ExplainPropertyText("Remote read", "all pages before the first write", es);
	if (es->analyze)
		explain_stats(&fsstate->scan.stats, es);
}

/*
 * explain_stats
 *		EXPLAIN ANALYZE's account of the requests a node sent.
 */
static void
explain_stats(FlowsvcRequestStats *stats, ExplainState *es)
{
	if (es->format == EXPLAIN_FORMAT_TEXT)
	{
		ExplainPropertyText("Remote traffic",
							psprintf("requests=" INT64_FORMAT " pages=" INT64_FORMAT
									 " retries=" INT64_FORMAT " received=" INT64_FORMAT
									 "B sent=" INT64_FORMAT "B",
									 stats->requests, stats->pages, stats->retries,
									 stats->bytes_received, stats->bytes_sent),
							es);
		return;
	}
	ExplainPropertyInteger("Remote Requests", NULL, stats->requests, es);
	ExplainPropertyInteger("Remote Pages", NULL, stats->pages, es);
	ExplainPropertyInteger("Remote Retries", NULL, stats->retries, es);
	ExplainPropertyInteger("Remote Bytes Received", "bytes", stats->bytes_received, es);
	ExplainPropertyInteger("Remote Bytes Sent", "bytes", stats->bytes_sent, es);
}

/* ------------------------------------------------------------------------
 * Modification
 * ------------------------------------------------------------------------
 */

/*
 * updated_columns
 *		The attribute numbers an UPDATE assigns.
 */
static List *
updated_columns(RangeTblEntry *rte)
{
	List	   *result = NIL;
	int			col = -1;

	while ((col = bms_next_member(rte->updatedCols, col)) >= 0)
	{
		AttrNumber	attnum = col + FirstLowInvalidHeapAttributeNumber;

		if (attnum > 0)
			result = lappend_int(result, attnum);
	}
	return result;
}

/*
 * flowsvcAddForeignUpdateTargets
 *		Make the scan fetch id and version for every row an UPDATE or DELETE
 *		touches, and the old values the write needs.
 *
 * An UPDATE of a column the API does not let us change is refused here,
 * at plan time, before any request is sent.
 */
static void
flowsvcAddForeignUpdateTargets(PlannerInfo *root, Index rtindex,
							   RangeTblEntry *target_rte,
							   Relation target_relation)
{
	const FlowsvcResource *resource =
		FlowsvcLookupResource(FlowsvcGetTableResourceName(RelationGetRelid(target_relation)));
	FlowsvcColumn **columns = FlowsvcGetColumns(target_relation);
	int			natts = RelationGetNumberOfAttributes(target_relation);
	FlowsvcColumn *id = column_by_path(columns, natts, "id");
	FlowsvcColumn *version = column_by_path(columns, natts, "version");
	List	   *old_attrs = NIL;
	ListCell   *lc;

	if (id == NULL || version == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("foreign table \"%s\" has no column mapped to \"%s\"",
						RelationGetRelationName(target_relation),
						id == NULL ? "id" : "version"),
				 errdetail("UPDATE and DELETE identify an item by its id and send its version as If-Match."),
				 errhint("Add a text column named %s, or one with OPTIONS (path '%s').",
						 id == NULL ? "id" : "version",
						 id == NULL ? "id" : "version")));

	if (root->parse->commandType == CMD_UPDATE)
	{
		foreach(lc, updated_columns(target_rte))
		{
			FlowsvcColumn *col = columns[lfirst_int(lc) - 1];

			if (!column_patchable(resource, col))
				refuse_column_update(resource, col, target_relation);
		}
		/* the old values of what may change, to patch only differences */
		old_attrs = update_target_columns(target_rte, target_relation);
	}
	else if (root->parse->commandType == CMD_DELETE)
	{
		Bitmapset  *used = NULL;
		int			attnum;

		/* DELETE ... RETURNING returns the row as the scan read it */
		pull_varattnos((Node *) root->parse->returningList, rtindex, &used);
		for (attnum = 1; attnum <= natts; attnum++)
		{
			if (columns[attnum - 1] &&
				(bms_is_member(attnum - FirstLowInvalidHeapAttributeNumber, used) ||
				 bms_is_member(0 - FirstLowInvalidHeapAttributeNumber, used)))
				old_attrs = lappend_int(old_attrs, attnum);
		}
	}

	add_row_identity_var(root, makeVar(rtindex, id->attnum, id->typid, id->typmod,
									   get_typcollation(id->typid), 0),
						 rtindex, "flowsvc_id");
	add_row_identity_var(root, makeVar(rtindex, version->attnum, version->typid,
									   version->typmod,
									   get_typcollation(version->typid), 0),
						 rtindex, "flowsvc_version");
	foreach(lc, old_attrs)
	{
		FlowsvcColumn *col = columns[lfirst_int(lc) - 1];

		add_row_identity_var(root, makeVar(rtindex, col->attnum, col->typid,
										   col->typmod,
										   get_typcollation(col->typid), 0),
							 rtindex, psprintf("flowsvc_old_%d", col->attnum));
	}
}

/*
 * column_patchable
 *		May PATCH change the field col maps?
 */
static bool
column_patchable(const FlowsvcResource *resource, FlowsvcColumn *col)
{
	const char *top = strVal(linitial(col->path_parts));
	const char *const *p;

	for (p = resource->patchable; *p; p++)
	{
		if (strcmp(*p, top) == 0)
			return true;
	}
	return false;
}

/*
 * refuse_column_update
 *		Raise the ERROR for an UPDATE of a column PATCH may not change.
 */
static void
refuse_column_update(const FlowsvcResource *resource, FlowsvcColumn *col,
					 Relation rel)
{
	StringInfoData names;
	const char *const *p;

	initStringInfo(&names);
	for (p = resource->patchable; *p; p++)
		appendStringInfo(&names, "%s%s", names.len ? ", " : "", *p);
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("column \"%s\" of foreign table \"%s\" cannot be updated",
					col->attname, RelationGetRelationName(rel)),
			 names.len ?
			 errdetail("Flow Service lets you change only these fields of %s: %s.",
					   resource->name, names.data) :
			 errdetail("Flow Service does not let you change %s.",
					   resource->name)));
}

/*
 * update_target_columns
 *		The columns an UPDATE may change: those it assigns, or every column
 *		when a BEFORE ROW trigger may change any of them.
 */
static List *
update_target_columns(RangeTblEntry *rte, Relation rel)
{
	TupleDesc	tupdesc = RelationGetDescr(rel);
	List	   *result = NIL;
	int			attnum;

	if (!(rel->trigdesc && rel->trigdesc->trig_update_before_row))
		return updated_columns(rte);
	for (attnum = 1; attnum <= tupdesc->natts; attnum++)
	{
		if (!TupleDescAttr(tupdesc, attnum - 1)->attisdropped)
			result = lappend_int(result, attnum);
	}
	return result;
}

/*
 * returning_needs_refetch
 *		Does RETURNING use a column the write's own answer cannot supply?
 *
 * After a PATCH or POST we know the assigned values, the id and the new
 * version (the etag in the answer); anything else (updated_at, say) must be
 * read back.
 */
static bool
returning_needs_refetch(List *returning, Index rtindex, Relation rel,
						List *target_attrs)
{
	FlowsvcColumn **columns = FlowsvcGetColumns(rel);
	Bitmapset  *used = NULL;
	int			natts = RelationGetNumberOfAttributes(rel);
	int			attnum;

	if (returning == NIL)
		return false;
	pull_varattnos((Node *) returning, rtindex, &used);
	for (attnum = 1; attnum <= natts; attnum++)
	{
		FlowsvcColumn *col = columns[attnum - 1];

		if (col == NULL ||
			!(bms_is_member(attnum - FirstLowInvalidHeapAttributeNumber, used) ||
			  bms_is_member(0 - FirstLowInvalidHeapAttributeNumber, used)))
			continue;
		if (list_member_int(target_attrs, attnum) ||
			strcmp(col->path, "id") == 0 || strcmp(col->path, "version") == 0 ||
			strcmp(col->path, "etag") == 0)
			continue;
		return true;
	}
	return false;
}

/*
 * flowsvcPlanForeignModify
 *		Note the columns a row-by-row write sends and whether RETURNING needs
 *		the row read back.
 */
static List *
flowsvcPlanForeignModify(PlannerInfo *root, ModifyTable *plan,
						 Index resultRelation, int subplan_index)
{
	CmdType		operation = plan->operation;
	RangeTblEntry *rte = planner_rt_fetch(resultRelation, root);
	Relation	rel = table_open(rte->relid, NoLock);
	List	   *target_attrs = NIL;
	List	   *returning = NIL;
	bool		refetch = false;

	if (operation == CMD_UPDATE)
		target_attrs = update_target_columns(rte, rel);
	else if (operation == CMD_INSERT)
	{
		TupleDesc	tupdesc = RelationGetDescr(rel);
		int			attnum;

		for (attnum = 1; attnum <= tupdesc->natts; attnum++)
		{
			if (!TupleDescAttr(tupdesc, attnum - 1)->attisdropped)
				target_attrs = lappend_int(target_attrs, attnum);
		}
	}

	if (plan->returningLists)
		returning = (List *) list_nth(plan->returningLists, subplan_index);
	/*
	 * RETURNING, and AFTER ROW triggers, see the row as written: read it
	 * back unless the write's own answer supplies all they use.  Only the
	 * columns the statement assigns are known after it (a BEFORE ROW trigger
	 * widens target_attrs, not what is known).
	 */
	if (operation != CMD_DELETE)
		refetch = returning_needs_refetch(returning, resultRelation, rel,
										  operation == CMD_UPDATE ?
										  updated_columns(rte) : NIL) ||
			(rel->trigdesc &&
			 (operation == CMD_UPDATE ? rel->trigdesc->trig_update_after_row :
			  rel->trigdesc->trig_insert_after_row));
	table_close(rel, NoLock);

	return list_make2(target_attrs, makeInteger(refetch ? 1 : 0));
}

/*
 * create_modify_state
 *		Execution state shared by row-by-row and direct writes.
 */
static FlowsvcModifyState *
create_modify_state(Relation rel, CmdType operation, EState *estate,
					Index rtindex)
{
	FlowsvcModifyState *fmstate = palloc0(sizeof(FlowsvcModifyState));
	Oid			relid = RelationGetRelid(rel);
	UserMapping *user = user_mapping_for(estate, rtindex, relid);
	int			natts = RelationGetNumberOfAttributes(rel);
	FlowsvcColumn *col;

	fmstate->rel = rel;
	fmstate->operation = operation;
	fmstate->opts = FlowsvcGetOptions(GetForeignServer(GetForeignTable(relid)->serverid),
									  user);
	fmstate->resource = FlowsvcLookupResource(FlowsvcGetTableResourceName(relid));
	fmstate->columns = FlowsvcGetColumns(rel);
	col = column_by_path(fmstate->columns, natts, "id");
	fmstate->id_attnum = col ? col->attnum : InvalidAttrNumber;
	col = column_by_path(fmstate->columns, natts, "version");
	fmstate->version_attnum = col ? col->attnum : InvalidAttrNumber;
	col = column_by_path(fmstate->columns, natts, "etag");
	fmstate->etag_attnum = col ? col->attnum : InvalidAttrNumber;
	fmstate->temp_cxt = AllocSetContextCreate(estate->es_query_cxt,
											  "flowsvc_fdw modify",
											  ALLOCSET_SMALL_SIZES);
	fmstate->progress.verb = operation == CMD_INSERT ? "inserted" :
		operation == CMD_UPDATE ? "updated" : "deleted";
	initStringInfo(&fmstate->progress.ids);
	fmstate->conn = FlowsvcGetConnection(user, fmstate->opts);
	return fmstate;
}

/*
 * flowsvcBeginForeignModify
 *		Prepare a row-by-row write: find the junk columns the scan fills.
 */
static void
flowsvcBeginForeignModify(ModifyTableState *mtstate, ResultRelInfo *rinfo,
						  List *fdw_private, int subplan_index pg_attribute_unused(), int eflags)
{
	FlowsvcModifyState *fmstate;
	Relation	rel = rinfo->ri_RelationDesc;
	CmdType		operation = mtstate->operation;
	int			natts = RelationGetNumberOfAttributes(rel);
	int			attnum;

	if (eflags & EXEC_FLAG_EXPLAIN_ONLY)
		return;

	fmstate = create_modify_state(rel, operation, mtstate->ps.state,
								  rinfo->ri_RangeTableIndex);
	fmstate->target_attrs = (List *) list_nth(fdw_private, FdwModifyPrivateTargetAttrs);
	fmstate->refetch = intVal(list_nth(fdw_private, FdwModifyPrivateRefetch)) != 0;

	if (operation == CMD_UPDATE || operation == CMD_DELETE)
	{
		List	   *tlist = outerPlanState(mtstate)->plan->targetlist;

		fmstate->id_junk = ExecFindJunkAttributeInTlist(tlist, "flowsvc_id");
		fmstate->version_junk = ExecFindJunkAttributeInTlist(tlist, "flowsvc_version");
		if (!AttributeNumberIsValid(fmstate->id_junk) ||
			!AttributeNumberIsValid(fmstate->version_junk))
			elog(ERROR, "could not find junk id or version column");
		fmstate->old_junk = palloc0(sizeof(AttrNumber) * natts);
		for (attnum = 1; attnum <= natts; attnum++)
		{
			char		name[32];

			snprintf(name, sizeof(name), "flowsvc_old_%d", attnum);
			fmstate->old_junk[attnum - 1] = ExecFindJunkAttributeInTlist(tlist, name);
		}
	}

	rinfo->ri_FdwState = fmstate;
	current_progress = &fmstate->progress;
	/* the pointer dies with the statement's memory, however it ends */
	{
		MemoryContextCallback *cb = MemoryContextAlloc(mtstate->ps.state->es_query_cxt,
													   sizeof(MemoryContextCallback));

		cb->func = forget_write_progress;
		cb->arg = &fmstate->progress;
		MemoryContextRegisterResetCallback(mtstate->ps.state->es_query_cxt, cb);
	}
}

/*
 * json_pointer
 *		The JSON Pointer of a column's path ("/auth/params"), or of one key
 *		below it, in UTF-8; "~" and "/" in names are escaped as RFC 6901
 *		says.
 */
static char *
json_pointer(FlowsvcColumn *col, const char *key)
{
	StringInfoData buf;
	ListCell   *lc;
	List	   *parts = list_copy(col->path_parts);
	const char *p;

	if (key)
		parts = lappend(parts, makeString((char *) key));
	initStringInfo(&buf);
	foreach(lc, parts)
	{
		appendStringInfoChar(&buf, '/');
		for (p = strVal(lfirst(lc)); *p; p++)
		{
			if (*p == '~')
				appendStringInfoString(&buf, "~0");
			else if (*p == '/')
				appendStringInfoString(&buf, "~1");
			else
				appendStringInfoChar(&buf, *p);
		}
	}
	return server_to_utf8(buf.data);
}

/*
 * add_patch_op
 *		Append {"op", "path", "value"} to a JSON Patch; value may be NULL
 *		(remove) and becomes part of the patch, whose owner frees it.
 */
static void
add_patch_op(cJSON *patch, const char *op, const char *path, cJSON *value)
{
	cJSON	   *entry = cJSON_CreateObject();

	if (entry == NULL)
	{
		cJSON_Delete(value);
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	}
	cJSON_AddItemToArray(patch, entry);
	if (!cJSON_AddStringToObject(entry, "op", op) ||
		!cJSON_AddStringToObject(entry, "path", path))
	{
		cJSON_Delete(value);
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	}
	if (value)
		cJSON_AddItemToObject(entry, "value", value);
}

/*
 * server_to_utf8
 *		A name or value in the database encoding, in UTF-8 for the API.
 */
static char *
server_to_utf8(const char *s)
{
	return pg_server_to_any(s, strlen(s), PG_UTF8);
}

/*
 * jsonb_text
 *		The exact JSON text (UTF-8) of a jsonb.
 */
static char *
jsonb_text(Jsonb *jb)
{
	return server_to_utf8(JsonbToCString(NULL, &jb->root, VARSIZE(jb)));
}

/*
 * as_jsonb
 *		A json or jsonb Datum as jsonb.
 */
static Jsonb *
as_jsonb(Datum value, FlowsvcColumn *col)
{
	if (col->typid == JSONBOID)
		return DatumGetJsonbP(value);
	return DatumGetJsonbP(DirectFunctionCall1(jsonb_in,
											  CStringGetDatum(OutputFunctionCall(&col->outfunc,
																				 value))));
}

/*
 * add_key_ops
 *		One JSON Patch operation per top-level key that differs between two
 *		json objects: add, replace or remove at "column path/key".
 */
static void
add_key_ops(cJSON *patch, FlowsvcColumn *col, Jsonb *newj, Jsonb *oldj)
{
	Jsonb	   *pair[2] = {newj, oldj};
	int			side;

	for (side = 0; side < 2; side++)
	{
		JsonbIterator *it = JsonbIteratorInit(&pair[side]->root);
		JsonbValue	key;
		JsonbIteratorToken token;

		while ((token = JsonbIteratorNext(&it, &key, true)) != WJB_DONE)
		{
			char	   *name;
			JsonbValue *before;
			JsonbValue *after;
			char	   *path;
			char	   *text;

			if (token != WJB_KEY)
				continue;
			name = pnstrdup(key.val.string.val, key.val.string.len);
			after = getKeyJsonValueFromContainer(&newj->root, key.val.string.val,
												 key.val.string.len, NULL);
			before = getKeyJsonValueFromContainer(&oldj->root, key.val.string.val,
												  key.val.string.len, NULL);
			path = json_pointer(col, name);
			if (side == 1)
			{
				/* keys only the old value has */
				if (after == NULL)
					add_patch_op(patch, "remove", path, NULL);
				continue;
			}
			text = jsonb_text(JsonbValueToJsonb(after));
			if (before == NULL)
				add_patch_op(patch, "add", path, FlowsvcRawJson(text));
			else if (strcmp(text, jsonb_text(JsonbValueToJsonb(before))) != 0)
				add_patch_op(patch, "replace", path, FlowsvcRawJson(text));
		}
	}
}

/*
 * add_column_ops
 *		The JSON Patch operations that turn a column's old value into its new
 *		one: replace a present field, add an absent one, remove for NULL.  A
 *		json(b) object yields one operation per changed key under the
 *		column's path.  Values are compared and sent as exact JSON text.
 */
static void
add_column_ops(cJSON *patch, FlowsvcColumn *col, Datum newval, bool newnull,
			   Datum oldval, bool oldnull)
{
	char	   *path = json_pointer(col, NULL);
	char	   *newtext;

	if (newnull)
	{
		if (!oldnull)
			add_patch_op(patch, "remove", path, NULL);
		return;
	}
	if (oldnull)
	{
		add_patch_op(patch, "add", path,
					 FlowsvcDatumToJson(newval, col->typid, &col->outfunc));
		return;
	}

	if (col->typid == JSONBOID || col->typid == JSONOID)
	{
		Jsonb	   *newj = as_jsonb(newval, col);
		Jsonb	   *oldj = as_jsonb(oldval, col);

		if (JB_ROOT_IS_OBJECT(newj) && JB_ROOT_IS_OBJECT(oldj))
		{
			add_key_ops(patch, col, newj, oldj);
			return;
		}
		newtext = jsonb_text(newj);
		if (strcmp(newtext, jsonb_text(oldj)) != 0)
			add_patch_op(patch, "replace", path, FlowsvcRawJson(newtext));
		return;
	}

	newtext = FlowsvcJsonText(newval, col->typid, &col->outfunc);
	if (strcmp(newtext, FlowsvcJsonText(oldval, col->typid, &col->outfunc)) != 0)
		add_patch_op(patch, "replace", path, FlowsvcRawJson(newtext));
}

/*
 * FlowsvcWriteProgressDetail
 *		"N rows were already ... remotely" for the DETAIL of an error during
 *		a write, or NULL if nothing was changed yet.
 */
char *
FlowsvcWriteProgressDetail(void)
{
	if (current_progress == NULL || current_progress->count == 0)
		return NULL;
	return psprintf(INT64_FORMAT " %s already %s remotely and stay%s so, "
					"as HTTP cannot roll back: %s.",
					current_progress->count,
					current_progress->count == 1 ? "row was" : "rows were",
					current_progress->verb,
					current_progress->count == 1 ? "s" : "",
					current_progress->ids.data);
}

/*
 * record_write
 *		Count one row changed remotely and remember its id for messages.
 */
static void
record_write(FlowsvcModifyState *fmstate, const char *id)
{
	FlowsvcWriteProgress *progress = &fmstate->progress;
	MemoryContext oldcxt = MemoryContextSwitchTo(GetMemoryChunkContext(fmstate));

	progress->count++;
	if (progress->count <= 20)
		appendStringInfo(&progress->ids, "%s%s", progress->ids.len ? ", " : "", id);
	else if (progress->count == 21)
		appendStringInfoString(&progress->ids, ", ...");
	MemoryContextSwitchTo(oldcxt);
}

/*
 * report_version_conflict
 *		Raise the serialization failure for a write that found the item
 *		changed (412) or gone (404) since the scan read it.
 */
static void
report_version_conflict(const char *verb, const char *resource, const char *id,
						FlowsvcResponse *resp)
{
	char	   *api = FlowsvcApiErrorText(resp->body, resp->body_len);
	char	   *progress = FlowsvcWriteProgressDetail();
	StringInfoData detail;

	initStringInfo(&detail);
	appendStringInfo(&detail, "HTTP status %ld: %s", resp->status,
					 api ? api : "(no message).");
	if (progress)
		appendStringInfo(&detail, " %s", progress);

	ereport(ERROR,
			(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
			 resp->status == 404 ?
			 errmsg("could not %s item \"%s\" of %s: it no longer exists",
					verb, id, resource) :
			 errmsg("could not %s item \"%s\" of %s: its version changed since it was read",
					verb, id, resource),
			 errdetail_internal("%s", detail.data),
			 errhint("Someone else changed the item concurrently. Retry the statement: it reads the current version."),
			 errcontext("Flow Service request: %s %s",
						strcmp(verb, "delete") == 0 ? "DELETE" : "PATCH",
						FlowsvcItemTarget(resource, id))));
}

/*
 * store_identity
 *		Put an item's id and version into the columns of slot that map
 *		them; the etag column gets the version too, as the API keeps the
 *		two equal.  A NULL argument leaves its columns as they are.
 */
static void
store_identity(FlowsvcModifyState *fmstate, TupleTableSlot *slot,
			   const char *id, const char *version)
{
	const AttrNumber attnums[] = {fmstate->id_attnum, fmstate->version_attnum,
	fmstate->etag_attnum};
	const char *texts[] = {id, version, version};
	int			i;

	for (i = 0; i < (int) lengthof(attnums); i++)
	{
		FlowsvcColumn *col;

		if (!AttributeNumberIsValid(attnums[i]) || texts[i] == NULL)
			continue;
		col = fmstate->columns[attnums[i] - 1];
		slot->tts_values[attnums[i] - 1] = col->typid == TEXTOID ?
			CStringGetTextDatum(texts[i]) :
			InputFunctionCall(&col->infunc, (char *) texts[i], col->typioparam,
							  col->typmod);
		slot->tts_isnull[attnums[i] - 1] = false;
	}
}

/*
 * answer_etag
 *		The new version a successful write's answer carries as "etag", or
 *		NULL; the answer's tree is owned by the per-row context.
 *
 * The write has happened: an answer that is not JSON leaves the version
 * (and, for id, the new item's id) unknown rather than failing the row.
 */
static char *
answer_etag(FlowsvcModifyState *fmstate, FlowsvcResponse *resp, char **id)
{
	cJSON	   *root = FlowsvcTryParseJson(resp->body, resp->body_len,
										   fmstate->temp_cxt);
	cJSON	   *etag = cJSON_GetObjectItemCaseSensitive(root, "etag");

	if (id)
	{
		cJSON	   *item_id = cJSON_GetObjectItemCaseSensitive(root, "id");

		*id = cJSON_IsString(item_id) ? pstrdup(item_id->valuestring) : NULL;
	}
	return cJSON_IsString(etag) ? pstrdup(etag->valuestring) : NULL;
}

/*
 * refetch_into_slot
 *		Read an item back after a write and store every column into slot,
 *		for a RETURNING that needs more than the write's answer.
 */
static void
refetch_into_slot(FlowsvcModifyState *fmstate, const char *id,
				  TupleTableSlot *slot)
{
	FlowsvcResponse resp;
	char	   *target = FlowsvcItemTarget(fmstate->resource->name, id);
	cJSON	   *root;
	cJSON	   *items;
	struct JsonbContainer *exact_item = NULL;
	List	   *attrs = NIL;
	int			natts = slot->tts_tupleDescriptor->natts;
	int			attnum;

	FlowsvcRequest(fmstate->conn, fmstate->opts, "GET", target, NULL, NULL, 0, &resp,
				   &fmstate->stats);
	fmstate->stats.pages++;
	root = FlowsvcParseJson(resp.body, resp.body_len, fmstate->temp_cxt,
							"GET", target);
	items = FlowsvcResponseItems(root, "GET", target);
	if (!cJSON_IsObject(items->child))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("invalid response from flow service"),
				 errdetail("The item just written was not returned."),
				 errcontext("Flow Service request: GET %s", target)));
	for (attnum = 1; attnum <= natts; attnum++)
	{
		if (fmstate->columns[attnum - 1])
			attrs = lappend_int(attrs, attnum);
	}
	if (reads_json_columns(fmstate->columns, attrs))
	{
		struct JsonbContainer *exact_items = FlowsvcExactItems(resp.body,
															   resp.body_len);

		if (exact_items)
			exact_item = FlowsvcExactItem(exact_items, 0);
	}
	item_to_values(items->child, exact_item, fmstate->columns, attrs,
				   fmstate->resource->name, slot->tts_values, slot->tts_isnull);
}

/*
 * already_written
 *		Has this statement already written item id?  Remembers it if not.
 *
 * A join can match one item with several rows.  As for a local table, the
 * first match counts; writing again would fail on the version the first
 * write replaced, looking like someone else's change.
 */
static bool
already_written(FlowsvcModifyState *fmstate, const char *id)
{
	char		key[WRITTEN_ID_MAX];
	bool		found;

	if (strlen(id) >= sizeof(key))
		return false;			/* too long to remember; such ids do not occur */
	if (fmstate->written == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(key);
		ctl.entrysize = sizeof(key);
		ctl.hcxt = GetMemoryChunkContext(fmstate);
		fmstate->written = hash_create("flowsvc_fdw written ids", 64, &ctl,
									   HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	}
	memset(key, 0, sizeof(key));
	strlcpy(key, id, sizeof(key));
	hash_search(fmstate->written, key, HASH_ENTER, &found);
	return found;
}

/*
 * row_identity
 *		The id and version the scan read for the row an UPDATE or DELETE
 *		(verb) changes; both are required.
 */
static void
row_identity(FlowsvcModifyState *fmstate, TupleTableSlot *planSlot,
			 const char *verb, char **id, char **version)
{
	Datum		datum;
	bool		isnull;

	datum = ExecGetJunkAttribute(planSlot, fmstate->id_junk, &isnull);
	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("cannot %s an item of %s that has no id",
						verb, fmstate->resource->name)));
	*id = FlowsvcIdText(datum, fmstate->columns[fmstate->id_attnum - 1]->typid);
	datum = ExecGetJunkAttribute(planSlot, fmstate->version_junk, &isnull);
	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("cannot %s item \"%s\" of %s: it has no version",
						verb, *id, fmstate->resource->name),
				 errdetail("The version is sent as If-Match, so that a concurrent change is never overwritten unseen.")));
	*version = FlowsvcIdText(datum,
							 fmstate->columns[fmstate->version_attnum - 1]->typid);
}

/*
 * flowsvcExecForeignUpdate
 *		PATCH one row with If-Match set to the version the scan read.
 */
static TupleTableSlot *
flowsvcExecForeignUpdate(EState *estate pg_attribute_unused(), ResultRelInfo *rinfo,
						 TupleTableSlot *slot, TupleTableSlot *planSlot)
{
	FlowsvcModifyState *fmstate = (FlowsvcModifyState *) rinfo->ri_FdwState;
	MemoryContext oldcxt;
	char	   *id;
	char	   *version;
	char	   *etag;
	cJSON	   *patch;
	ListCell   *lc;
	FlowsvcResponse resp;
	long		status;

	/* the slot's values are read by RETURNING after we return: keep them */
	MemoryContextReset(fmstate->temp_cxt);
	oldcxt = MemoryContextSwitchTo(fmstate->temp_cxt);
	slot_getallattrs(slot);

	row_identity(fmstate, planSlot, "update", &id, &version);
	if (already_written(fmstate, id))
	{
		MemoryContextSwitchTo(oldcxt);
		return NULL;
	}

	patch = FlowsvcNewOwnedJson(true, fmstate->temp_cxt);
	foreach(lc, fmstate->target_attrs)
	{
		AttrNumber	attnum = lfirst_int(lc);
		FlowsvcColumn *col = fmstate->columns[attnum - 1];
		bool		oldnull = true;
		Datum		oldval = (Datum) 0;

		if (AttributeNumberIsValid(fmstate->old_junk[attnum - 1]))
			oldval = ExecGetJunkAttribute(planSlot, fmstate->old_junk[attnum - 1],
										  &oldnull);

		/* only a BEFORE ROW trigger can have changed such a column */
		if (!column_patchable(fmstate->resource, col))
		{
			bool		newnull = slot->tts_isnull[attnum - 1];

			if (newnull != oldnull ||
				(!newnull &&
				 !datumIsEqual(slot->tts_values[attnum - 1], oldval,
							   TupleDescAttr(slot->tts_tupleDescriptor, attnum - 1)->attbyval,
							   TupleDescAttr(slot->tts_tupleDescriptor, attnum - 1)->attlen) &&
				 strcmp(OutputFunctionCall(&col->outfunc, slot->tts_values[attnum - 1]),
						OutputFunctionCall(&col->outfunc, oldval)) != 0))
				refuse_column_update(fmstate->resource, col, fmstate->rel);
			continue;
		}
		add_column_ops(patch, col, slot->tts_values[attnum - 1],
					   slot->tts_isnull[attnum - 1], oldval, oldnull);
	}

	store_identity(fmstate, slot, id, version);

	/* nothing changes: no request, as an UPDATE of equal values changes nothing */
	if (cJSON_GetArraySize(patch) == 0)
	{
		if (fmstate->refetch)
			refetch_into_slot(fmstate, id, slot);
		rebuild_slot(slot);
		MemoryContextSwitchTo(oldcxt);
		return slot;
	}

	status = FlowsvcRequest(fmstate->conn, fmstate->opts, "PATCH",
							FlowsvcItemTarget(fmstate->resource->name, id), version,
							FlowsvcJsonPrintUtf8(patch),
							FLOWSVC_ACCEPT_404 | FLOWSVC_ACCEPT_412,
							&resp, &fmstate->stats);
	if (status == 404 || status == 412)
		report_version_conflict("update", fmstate->resource->name, id, &resp);
	record_write(fmstate, id);

	/* the answer carries the new version as etag; without it, it is unknown */
	etag = answer_etag(fmstate, &resp, NULL);
	if (etag)
		store_identity(fmstate, slot, NULL, etag);
	else
	{
		if (AttributeNumberIsValid(fmstate->version_attnum))
			slot->tts_isnull[fmstate->version_attnum - 1] = true;
		if (AttributeNumberIsValid(fmstate->etag_attnum))
			slot->tts_isnull[fmstate->etag_attnum - 1] = true;
	}

	if (fmstate->refetch)
		refetch_into_slot(fmstate, id, slot);
	rebuild_slot(slot);
	MemoryContextSwitchTo(oldcxt);
	return slot;
}

/*
 * rebuild_slot
 *		Make the values written into slot's arrays its tuple.
 *
 * A foreign table's slot may hold a materialized heap tuple, which AFTER ROW
 * triggers read; values changed in place (the new version, a row read back)
 * would reach RETURNING but not them.  The values are copied (they may
 * point into that tuple), stored anew and materialized in the slot.
 */
static void
rebuild_slot(TupleTableSlot *slot)
{
	TupleDesc	tupdesc = slot->tts_tupleDescriptor;
	Datum	   *values = palloc(sizeof(Datum) * tupdesc->natts);
	bool	   *nulls = palloc(sizeof(bool) * tupdesc->natts);
	int			i;

	for (i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(tupdesc, i);

		nulls[i] = slot->tts_isnull[i];
		values[i] = nulls[i] ? (Datum) 0 :
			datumCopy(slot->tts_values[i], attr->attbyval, attr->attlen);
	}
	ExecClearTuple(slot);
	memcpy(slot->tts_values, values, sizeof(Datum) * tupdesc->natts);
	memcpy(slot->tts_isnull, nulls, sizeof(bool) * tupdesc->natts);
	ExecStoreVirtualTuple(slot);
	ExecMaterializeSlot(slot);
}

/*
 * location_id
 *		The id of the item a Location header names, ".../{resource}/{id}"
 *		with an optional query, percent-decoded; NULL if it names none.
 */
static char *
location_id(const char *location, const char *resource)
{
	char	   *path = pnstrdup(location, strcspn(location, "?#"));
	char	   *marker = psprintf("/%s/", resource);
	char	   *found = NULL;
	char	   *p;
	StringInfoData id;

	for (p = strstr(path, marker); p; p = strstr(p + 1, marker))
		found = p;
	if (found == NULL)
		return NULL;
	p = found + strlen(marker);
	if (*p == '\0' || strchr(p, '/') != NULL)
		return NULL;

	initStringInfo(&id);
	for (; *p; p++)
	{
		if (p[0] == '%' && isxdigit((unsigned char) p[1]) &&
			isxdigit((unsigned char) p[2]))
		{
			char		hex[3] = {p[1], p[2], '\0'};

			appendStringInfoChar(&id, (char) strtol(hex, NULL, 16));
			p += 2;
		}
		else
			appendStringInfoChar(&id, *p);
	}
	return pg_any_to_server(id.data, id.len, PG_UTF8);
}

/*
 * flowsvcExecForeignInsert
 *		POST one row: every non-null column at its path, nested paths built
 *		as objects.
 */
static TupleTableSlot *
flowsvcExecForeignInsert(EState *estate pg_attribute_unused(), ResultRelInfo *rinfo,
						 TupleTableSlot *slot, TupleTableSlot *planSlot pg_attribute_unused())
{
	FlowsvcModifyState *fmstate = (FlowsvcModifyState *) rinfo->ri_FdwState;
	MemoryContext oldcxt;
	cJSON	   *body;
	ListCell   *lc;
	FlowsvcResponse resp;
	char	   *id;
	char	   *etag;
	char	   *target = psprintf("/%s", fmstate->resource->name);

	MemoryContextReset(fmstate->temp_cxt);
	oldcxt = MemoryContextSwitchTo(fmstate->temp_cxt);
	slot_getallattrs(slot);

	body = FlowsvcNewOwnedJson(false, fmstate->temp_cxt);
	foreach(lc, fmstate->target_attrs)
	{
		AttrNumber	attnum = lfirst_int(lc);
		FlowsvcColumn *col = fmstate->columns[attnum - 1];
		cJSON	   *parent = body;
		ListCell   *part;
		char	   *leaf;
		cJSON	   *value;

		if (col == NULL || slot->tts_isnull[attnum - 1])
			continue;
		if (!FlowsvcFieldInsertable(fmstate->resource, strVal(linitial(col->path_parts))))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("column \"%s\" cannot be set by INSERT into %s",
							col->attname, fmstate->resource->name),
					 FlowsvcWriteProgressDetail() ?
					 errdetail("The API assigns field \"%s\" itself. %s", col->path,
							   FlowsvcWriteProgressDetail()) :
					 errdetail("The API assigns field \"%s\" itself.", col->path),
					 errhint("Leave the column out of the INSERT, or insert NULL.")));

		/* walk or create the objects above the leaf (names in UTF-8) */
		for (part = list_head(col->path_parts); lnext(col->path_parts, part);
			 part = lnext(col->path_parts, part))
		{
			char	   *name = server_to_utf8(strVal(lfirst(part)));
			cJSON	   *child = cJSON_GetObjectItemCaseSensitive(parent, name);

			if (child == NULL)
			{
				child = cJSON_AddObjectToObject(parent, name);
				if (child == NULL)
					ereport(ERROR,
							(errcode(ERRCODE_OUT_OF_MEMORY),
							 errmsg("out of memory")));
			}
			else if (!cJSON_IsObject(child))
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("column \"%s\" conflicts with another column's path",
								col->attname)));
			parent = child;
		}
		leaf = server_to_utf8(strVal(llast(col->path_parts)));
		value = FlowsvcDatumToJson(slot->tts_values[attnum - 1], col->typid,
								   &col->outfunc);
		cJSON_AddItemToObject(parent, leaf, value);
	}

	FlowsvcRequest(fmstate->conn, fmstate->opts, "POST", target, NULL, FlowsvcJsonPrintUtf8(body), 0,
				   &resp, &fmstate->stats);
	etag = answer_etag(fmstate, &resp, &id);
	/* without an id in the body, the Location header names the new item */
	if (id == NULL && resp.location)
		id = location_id(resp.location, fmstate->resource->name);
	if (id == NULL)
	{
		char	   *progress = FlowsvcWriteProgressDetail();

		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("invalid response from flow service"),
				 errdetail("The answer to a POST names no new item, which may have been created nonetheless.%s%s",
						   progress ? " " : "", progress ? progress : ""),
				 errcontext("Flow Service request: POST %s", target)));
	}
	record_write(fmstate, id);

	store_identity(fmstate, slot, id, etag);
	if (fmstate->refetch)
		refetch_into_slot(fmstate, id, slot);
	rebuild_slot(slot);
	MemoryContextSwitchTo(oldcxt);
	return slot;
}

/*
 * flowsvcExecForeignDelete
 *		DELETE one row, with If-Match set to the version the scan read.
 */
static TupleTableSlot *
flowsvcExecForeignDelete(EState *estate pg_attribute_unused(), ResultRelInfo *rinfo,
						 TupleTableSlot *slot, TupleTableSlot *planSlot)
{
	FlowsvcModifyState *fmstate = (FlowsvcModifyState *) rinfo->ri_FdwState;
	MemoryContext oldcxt;
	char	   *id;
	char	   *version;
	FlowsvcResponse resp;
	long		status;
	int			natts = slot->tts_tupleDescriptor->natts;
	int			attnum;

	MemoryContextReset(fmstate->temp_cxt);
	oldcxt = MemoryContextSwitchTo(fmstate->temp_cxt);

	row_identity(fmstate, planSlot, "delete", &id, &version);
	if (already_written(fmstate, id))
	{
		MemoryContextSwitchTo(oldcxt);
		return NULL;
	}

	status = FlowsvcRequest(fmstate->conn, fmstate->opts, "DELETE",
							FlowsvcItemTarget(fmstate->resource->name, id), version,
							NULL, FLOWSVC_ACCEPT_404 | FLOWSVC_ACCEPT_412,
							&resp, &fmstate->stats);
	if (status == 404 || status == 412)
		report_version_conflict("delete", fmstate->resource->name, id, &resp);
	record_write(fmstate, id);

	/* RETURNING shows the row as the scan read it */
	ExecClearTuple(slot);
	for (attnum = 1; attnum <= natts; attnum++)
	{
		slot->tts_isnull[attnum - 1] = true;
		if (AttributeNumberIsValid(fmstate->old_junk[attnum - 1]))
			slot->tts_values[attnum - 1] =
				ExecGetJunkAttribute(planSlot, fmstate->old_junk[attnum - 1],
									 &slot->tts_isnull[attnum - 1]);
	}
	store_identity(fmstate, slot, id, version);
	ExecStoreVirtualTuple(slot);
	MemoryContextSwitchTo(oldcxt);
	return slot;
}

/*
 * flowsvcEndForeignModify
 *		Finish a row-by-row write.
 */
static void
flowsvcEndForeignModify(EState *estate pg_attribute_unused(), ResultRelInfo *rinfo)
{
	FlowsvcModifyState *fmstate = (FlowsvcModifyState *) rinfo->ri_FdwState;

	if (fmstate == NULL)
		return;
	if (current_progress == &fmstate->progress)
		current_progress = NULL;
	MemoryContextDelete(fmstate->temp_cxt);
}

/*
 * flowsvcIsForeignRelUpdatable
 *		Which statements the table's collection accepts.
 */
static int
flowsvcIsForeignRelUpdatable(Relation rel)
{
	const FlowsvcResource *resource =
		FlowsvcLookupResource(FlowsvcGetTableResourceName(RelationGetRelid(rel)));
	int			kinds = 0;

	if (resource == NULL)
		return 0;
	if (resource->patchable[0] != NULL)
		kinds |= (1 << CMD_UPDATE);
	if (resource->insertable[0] != NULL)
		kinds |= (1 << CMD_INSERT) | (1 << CMD_DELETE);
	return kinds;
}

/*
 * flowsvcExplainForeignModify
 *		Show the request each row of a write sends.
 */
static void
flowsvcExplainForeignModify(ModifyTableState *mtstate, ResultRelInfo *rinfo,
							List *fdw_private, int subplan_index pg_attribute_unused(),
							ExplainState *es)
{
	const char *resource =
		FlowsvcGetTableResourceName(RelationGetRelid(rinfo->ri_RelationDesc));
	FlowsvcModifyState *fmstate = (FlowsvcModifyState *) rinfo->ri_FdwState;

	if (es->verbose)
	{
		switch (mtstate->operation)
		{
			case CMD_UPDATE:
				ExplainPropertyText("Remote request",
									psprintf("PATCH /%s/{id} per row, If-Match: the version the scan read",
											 resource), es);
				break;
			case CMD_DELETE:
				ExplainPropertyText("Remote request",
									psprintf("DELETE /%s/{id} per row, If-Match: the version the scan read",
											 resource), es);
				break;
			case CMD_INSERT:
				ExplainPropertyText("Remote request",
									psprintf("POST /%s per row", resource), es);
				break;
			default:
				break;
		}
		if (intVal(list_nth(fdw_private, FdwModifyPrivateRefetch)))
			ExplainPropertyText("Read back for RETURNING",
								psprintf("GET /%s/{id} per row", resource), es);
	}
	if (es->analyze && fmstate)
		explain_stats(&fmstate->stats, es);
}

/* ------------------------------------------------------------------------
 * Direct modification: UPDATE ... WHERE id = 'x' AND version = 'v'
 * ------------------------------------------------------------------------
 */

/*
 * flowsvcPlanDirectModify
 *		Replace scan-then-PATCH by one PATCH when the statement names one item
 *		and its version by constants and assigns constants.
 *
 * The meaning stays the same: a stale version or unknown id changes no row,
 * exactly as if the scan had read the row and the WHERE clause had filtered
 * it out.
 */
static bool
flowsvcPlanDirectModify(PlannerInfo *root, ModifyTable *plan,
						Index resultRelation, int subplan_index)
{
	Plan	   *subplan = outerPlan(plan);
	ForeignScan *fscan;
	RangeTblEntry *rte = planner_rt_fetch(resultRelation, root);
	Relation	rel;
	FlowsvcColumn **columns;
	int			natts;
	FlowsvcColumn *version_col;
	Expr	   *id_value;
	Const	   *version_value = NULL;
	List	   *processed_tlist = NIL;
	List	   *target_attrs = NIL;
	List	   *values = NIL;
	List	   *returning = NIL;
	cJSON	   *patch;
	MemoryContext cxt;
	char	   *body;
	bool		refetch;
	ListCell   *lc;
	ListCell   *lc2;
	int			id_expr;

	if (plan->operation != CMD_UPDATE || subplan == NULL ||
		!IsA(subplan, ForeignScan))
		return false;
	fscan = (ForeignScan *) subplan;
	if (fscan->scan.scanrelid != resultRelation || fscan->fdw_private == NIL ||
		list_length(fscan->fdw_private) != FdwScanPrivateCount)
		return false;
	id_expr = intVal(list_nth(fscan->fdw_private, FdwScanPrivateIdExpr));
	if (id_expr < 0)
		return false;
	id_value = list_nth(fscan->fdw_exprs, id_expr);
	if (!IsA(id_value, Const) || list_length(fscan->fdw_exprs) != 1)
		return false;
	/* ids no item has: the scan finds no row and sends nothing; so be it */
	{
		char	   *id = FlowsvcIdText(((Const *) id_value)->constvalue,
									   ((Const *) id_value)->consttype);

		if (id[0] == '\0' || strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
			return false;
	}

	rel = table_open(rte->relid, NoLock);
	columns = FlowsvcGetColumns(rel);
	natts = RelationGetNumberOfAttributes(rel);
	table_close(rel, NoLock);
	version_col = column_by_path(columns, natts, "version");
	if (version_col == NULL || version_col->typid != TEXTOID)
		return false;

	/* the only local qual must be version = 'v' */
	if (list_length(fscan->scan.plan.qual) != 1)
		return false;
	{
		Expr	   *qual = linitial(fscan->scan.plan.qual);
		OpExpr	   *op;
		Expr	   *left;
		Expr	   *right;

		if (!IsA(qual, OpExpr))
			return false;
		op = (OpExpr *) qual;
		/* If-Match compares exactly, as only a deterministic collation does */
		if (op->opno != TextEqualOperator || list_length(op->args) != 2 ||
			!OidIsValid(op->inputcollid) ||
			!get_collation_isdeterministic(op->inputcollid))
			return false;
		left = linitial(op->args);
		right = lsecond(op->args);
		if (IsA(left, Const))
		{
			Expr	   *tmp = left;

			left = right;
			right = tmp;
		}
		if (!IsA(left, Var) || ((Var *) left)->varno != (int) resultRelation ||
			((Var *) left)->varattno != version_col->attnum ||
			!IsA(right, Const) || ((Const *) right)->constisnull)
			return false;
		version_value = (Const *) right;

		/*
		 * If-Match must carry one strong entity tag, as the API returns
		 * versions: "*", a list or a weak tag would match where the SQL
		 * comparison does not.
		 */
		{
			char	   *v = TextDatumGetCString(version_value->constvalue);
			size_t		len = strlen(v);

			if (len < 2 || v[0] != '"' || v[len - 1] != '"' ||
				strpbrk(pnstrdup(v + 1, len - 2), "\",") != NULL)
				return false;
		}
	}

	/* assigned values: non-null constants of non-json columns */
	get_translated_update_targetlist(root, resultRelation, &processed_tlist,
									 &target_attrs);
	forboth(lc, processed_tlist, lc2, target_attrs)
	{
		TargetEntry *tle = lfirst_node(TargetEntry, lc);
		FlowsvcColumn *col = columns[lfirst_int(lc2) - 1];

		if (!IsA(tle->expr, Const) || ((Const *) tle->expr)->constisnull ||
			col == NULL || col->typid == JSONBOID || col->typid == JSONOID)
			return false;
		values = lappend(values, tle->expr);
	}
	if (target_attrs == NIL)
		return false;

	/* the patch is built now: "add" sets a member whether present or not */
	cxt = AllocSetContextCreate(CurrentMemoryContext, "flowsvc_fdw plan",
								ALLOCSET_SMALL_SIZES);
	patch = FlowsvcNewOwnedJson(true, cxt);
	forboth(lc, values, lc2, target_attrs)
	{
		FlowsvcColumn *col = columns[lfirst_int(lc2) - 1];
		Const	   *c = (Const *) lfirst(lc);
		char	   *path = json_pointer(col, NULL);

		add_patch_op(patch, "add", path,
					 FlowsvcDatumToJson(c->constvalue, col->typid, &col->outfunc));
	}
	body = FlowsvcJsonPrintUtf8(patch);
	MemoryContextDelete(cxt);

	if (plan->returningLists)
		returning = (List *) list_nth(plan->returningLists, subplan_index);
	rel = table_open(rte->relid, NoLock);
	refetch = returning_needs_refetch(returning, resultRelation, rel, target_attrs);
	table_close(rel, NoLock);

	fscan->operation = CMD_UPDATE;
	fscan->resultRelation = resultRelation;
	fscan->scan.plan.qual = NIL;
	fscan->fdw_exprs = NIL;
	fscan->fdw_private =
		list_make5(list_nth(fscan->fdw_private, FdwScanPrivateResource),
				   makeString(FlowsvcIdText(((Const *) id_value)->constvalue,
											((Const *) id_value)->consttype)),
				   makeString(FlowsvcIdText(version_value->constvalue,
											version_value->consttype)),
				   makeString(body),
				   target_attrs);
	fscan->fdw_private = lappend(fscan->fdw_private, values);
	fscan->fdw_private = lappend(fscan->fdw_private, makeInteger(refetch ? 1 : 0));
	return true;
}

/*
 * flowsvcBeginDirectModify
 *		Prepare the single PATCH of a direct UPDATE.
 */
static void
flowsvcBeginDirectModify(ForeignScanState *node, int eflags)
{
	ForeignScan *fsplan = (ForeignScan *) node->ss.ps.plan;
	FlowsvcModifyState *fmstate;
	List	   *priv = fsplan->fdw_private;

	if (eflags & EXEC_FLAG_EXPLAIN_ONLY)
		return;

	fmstate = create_modify_state(node->ss.ss_currentRelation, CMD_UPDATE,
								  node->ss.ps.state, fsplan->resultRelation);
	fmstate->direct_id = strVal(list_nth(priv, FdwDirectModifyPrivateId));
	fmstate->direct_version = strVal(list_nth(priv, FdwDirectModifyPrivateVersion));
	fmstate->direct_body = strVal(list_nth(priv, FdwDirectModifyPrivateBody));
	fmstate->target_attrs = (List *) list_nth(priv, FdwDirectModifyPrivateTargetAttrs);
	fmstate->direct_values = (List *) list_nth(priv, FdwDirectModifyPrivateValues);
	fmstate->refetch = intVal(list_nth(priv, FdwDirectModifyPrivateRefetch)) != 0;
	node->fdw_state = fmstate;
}

/*
 * flowsvcIterateDirectModify
 *		Send the PATCH on the first call; return the RETURNING row, if any.
 */
static TupleTableSlot *
flowsvcIterateDirectModify(ForeignScanState *node)
{
	FlowsvcModifyState *fmstate = (FlowsvcModifyState *) node->fdw_state;
	EState	   *estate = node->ss.ps.state;
	ResultRelInfo *rinfo = node->resultRelInfo;
	TupleTableSlot *slot = node->ss.ss_ScanTupleSlot;
	FlowsvcResponse resp;
	long		status;
	char	   *target;
	char	   *etag = NULL;
	ListCell   *lc;
	ListCell   *lc2;
	int			natts = slot->tts_tupleDescriptor->natts;

	ExecClearTuple(slot);
	if (fmstate->direct_done)
		return slot;
	fmstate->direct_done = true;

	target = FlowsvcItemTarget(fmstate->resource->name, fmstate->direct_id);
	status = FlowsvcRequest(fmstate->conn, fmstate->opts, "PATCH", target, fmstate->direct_version,
							fmstate->direct_body,
							FLOWSVC_ACCEPT_404 | FLOWSVC_ACCEPT_412,
							&resp, &fmstate->stats);
	if (status == 404 || status == 412)
		return slot;			/* no such row, or not that version: UPDATE 0 */

	etag = answer_etag(fmstate, &resp, NULL);
	fmstate->direct_rows = 1;
	estate->es_processed += 1;

	/* a returned row is counted by the executor, a row without RETURNING not */
	if (rinfo->ri_projectReturning == NULL)
	{
		if (node->ss.ps.instrument)
			node->ss.ps.instrument->tuplecount += 1;
		return slot;
	}

	/* the RETURNING row: assigned values, id, the new version; or read back */
	memset(slot->tts_isnull, true, sizeof(bool) * natts);
	forboth(lc, fmstate->target_attrs, lc2, fmstate->direct_values)
	{
		AttrNumber	attnum = lfirst_int(lc);

		slot->tts_values[attnum - 1] = ((Const *) lfirst(lc2))->constvalue;
		slot->tts_isnull[attnum - 1] = false;
	}
	store_identity(fmstate, slot, fmstate->direct_id, etag);
	if (fmstate->refetch)
		refetch_into_slot(fmstate, fmstate->direct_id, slot);
	ExecStoreVirtualTuple(slot);
	rinfo->ri_projectReturning->pi_exprContext->ecxt_scantuple = slot;
	/* es_processed counted above; ModifyTable does not count direct rows */
	return slot;
}

/*
 * flowsvcEndDirectModify
 *		Finish a direct UPDATE.
 */
static void
flowsvcEndDirectModify(ForeignScanState *node)
{
	FlowsvcModifyState *fmstate = (FlowsvcModifyState *) node->fdw_state;

	if (fmstate)
		MemoryContextDelete(fmstate->temp_cxt);
}

/*
 * flowsvcExplainDirectModify
 *		Show the single PATCH of a direct UPDATE.
 */
static void
flowsvcExplainDirectModify(ForeignScanState *node, ExplainState *es)
{
	List	   *priv = ((ForeignScan *) node->ss.ps.plan)->fdw_private;
	FlowsvcModifyState *fmstate = (FlowsvcModifyState *) node->fdw_state;

	if (es->verbose)
	{
		ExplainPropertyText("Remote request",
							psprintf("PATCH %s, If-Match: %s",
									 FlowsvcItemTarget(strVal(list_nth(priv, FdwDirectModifyPrivateResource)),
												 strVal(list_nth(priv, FdwDirectModifyPrivateId))),
									 strVal(list_nth(priv, FdwDirectModifyPrivateVersion))),
							es);
		ExplainPropertyText("Remote patch",
							pg_any_to_server(strVal(list_nth(priv, FdwDirectModifyPrivateBody)),
											 strlen(strVal(list_nth(priv, FdwDirectModifyPrivateBody))),
											 PG_UTF8),
							es);
		if (intVal(list_nth(priv, FdwDirectModifyPrivateRefetch)))
			ExplainPropertyText("Read back for RETURNING",
								psprintf("GET %s",
										 FlowsvcItemTarget(strVal(list_nth(priv, FdwDirectModifyPrivateResource)),
														   strVal(list_nth(priv, FdwDirectModifyPrivateId)))),
								es);
	}
	if (es->analyze && fmstate)
		explain_stats(&fmstate->stats, es);
}

/* ------------------------------------------------------------------------
 * IMPORT FOREIGN SCHEMA and ANALYZE
 * ------------------------------------------------------------------------
 */

/*
 * flowsvcImportForeignSchema
 *		CREATE FOREIGN TABLE commands for the collections the wrapper knows.
 *
 * The only remote schema is "flowsvc"; LIMIT TO and EXCEPT name tables.
 */
static List *
flowsvcImportForeignSchema(ImportForeignSchemaStmt *stmt, Oid serverOid)
{
	ForeignServer *server = GetForeignServer(serverOid);
	const FlowsvcResource *resources;
	List	   *commands = NIL;
	int			count;
	int			i;

	if (stmt->options != NIL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
				 errmsg("invalid option \"%s\"",
						((DefElem *) linitial(stmt->options))->defname),
				 errhint("IMPORT FOREIGN SCHEMA of flowsvc_fdw takes no options.")));
	if (strcmp(stmt->remote_schema, "flowsvc") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_SCHEMA_NOT_FOUND),
				 errmsg("remote schema \"%s\" does not exist", stmt->remote_schema),
				 errhint("Flow Service has one schema: IMPORT FOREIGN SCHEMA flowsvc.")));

	resources = FlowsvcResourceList(&count);
	for (i = 0; i < count; i++)
	{
		const FlowsvcResource *r = &resources[i];
		bool		wanted = (stmt->list_type == FDW_IMPORT_SCHEMA_ALL);
		ListCell   *lc;

		if (stmt->list_type != FDW_IMPORT_SCHEMA_ALL)
		{
			bool		listed = false;

			foreach(lc, stmt->table_list)
				listed |= strcmp(((RangeVar *) lfirst(lc))->relname, r->table_name) == 0;
			wanted = (stmt->list_type == FDW_IMPORT_SCHEMA_LIMIT_TO) ? listed : !listed;
		}
		if (!wanted)
			continue;

		commands = lappend(commands,
						   psprintf("CREATE FOREIGN TABLE %s (%s) SERVER %s OPTIONS (resource %s)",
									quote_identifier(r->table_name), r->columns,
									quote_identifier(server->servername),
									quote_literal_cstr(r->name)));
	}
	return commands;
}

/*
 * acquire_sample_rows
 *		ANALYZE's sample: read the whole collection, keeping a reservoir of
 *		targrows rows (Vitter's algorithm, as file_fdw does).
 */
static int
acquire_sample_rows(Relation relation, int elevel, HeapTuple *rows,
					int targrows, double *totalrows, double *totaldeadrows)
{
	Oid			relid = RelationGetRelid(relation);
	ForeignTable *table = GetForeignTable(relid);
	UserMapping *user = GetUserMapping(relation->rd_rel->relowner, table->serverid);
	FlowsvcOptions *opts = FlowsvcGetOptions(GetForeignServer(table->serverid), user);
	TupleDesc	tupdesc = RelationGetDescr(relation);
	FlowsvcColumn **columns = FlowsvcGetColumns(relation);
	List	   *attrs = NIL;
	FlowsvcScan scan = {0};
	const char *resource = FlowsvcGetTableResourceName(relid);
	Datum	   *values = palloc(sizeof(Datum) * tupdesc->natts);
	bool	   *nulls = palloc(sizeof(bool) * tupdesc->natts);
	MemoryContext tuple_cxt;
	MemoryContext oldcxt;
	ReservoirStateData rstate;
	double		rowstoskip = -1;
	int			numrows = 0;
	double		seen = 0;
	cJSON	   *item;
	int			attnum;

	for (attnum = 1; attnum <= tupdesc->natts; attnum++)
	{
		if (columns[attnum - 1])
			attrs = lappend_int(attrs, attnum);
	}

	tuple_cxt = AllocSetContextCreate(CurrentMemoryContext, "flowsvc_fdw analyze",
									  ALLOCSET_DEFAULT_SIZES);
	scan_start(&scan, FlowsvcGetConnection(user, opts), opts, resource,
			   list_make1(psprintf("/%s?limit=%d", resource, opts->page_size)),
			   false, CurrentMemoryContext, CurrentMemoryContext);
	scan.exact_json = reads_json_columns(columns, attrs);
	reservoir_init_selection_state(&rstate, targrows);

	while ((item = scan_next_item(&scan)) != NULL)
	{
		vacuum_delay_point();
		seen += 1;

		if (numrows < targrows)
			attnum = numrows++;
		else
		{
			if (rowstoskip < 0)
				rowstoskip = reservoir_get_next_S(&rstate, seen, targrows);
			if (rowstoskip > 0)
			{
				rowstoskip -= 1;
				continue;
			}
			attnum = (int) (targrows * sampler_random_fract(&rstate.randstate));
			heap_freetuple(rows[attnum]);
			rowstoskip = -1;
		}

		MemoryContextReset(tuple_cxt);
		oldcxt = MemoryContextSwitchTo(tuple_cxt);
		memset(nulls, true, sizeof(bool) * tupdesc->natts);
		item_to_values(item, scan.exact_item, columns, attrs, resource,
					   values, nulls);
		MemoryContextSwitchTo(oldcxt);
		/* the sample tuple lives in the caller's context */
		rows[attnum] = heap_form_tuple(tupdesc, values, nulls);
	}

	MemoryContextDelete(scan.page_cxt);
	MemoryContextDelete(tuple_cxt);
	*totalrows = seen;
	*totaldeadrows = 0;
	ereport(elevel,
			(errmsg("\"%s\": collection %s holds %.0f items, %d rows in sample, %ld requests",
					RelationGetRelationName(relation), resource, seen, numrows,
					(long) scan.stats.requests)));
	return numrows;
}

/*
 * flowsvcAnalyzeForeignTable
 *		ANALYZE reads the whole collection (a page at a time) for its sample.
 */
static bool
flowsvcAnalyzeForeignTable(Relation relation pg_attribute_unused(), AcquireSampleRowsFunc *func,
						   BlockNumber *totalpages)
{
	*func = acquire_sample_rows;
	*totalpages = 1;
	return true;
}
