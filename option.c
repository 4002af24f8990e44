/*-------------------------------------------------------------------------
 *
 * option.c
 *		  Options of flowsvc_fdw: the table of valid options, the validator,
 *		  and the lookups the planner and executor use.
 *
 * Every option is declared once in flowsvc_options[] with the catalog it
 * belongs to and how its value is checked; the validator and the readers
 * both work from that table.  The known API collections live here too.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "access/reloptions.h"
#include "catalog/pg_foreign_data_wrapper.h"
#include "catalog/pg_foreign_server.h"
#include "catalog/pg_foreign_table.h"
#include "catalog/pg_user_mapping.h"
#include "catalog/pg_attribute.h"
#include "commands/defrem.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/varlena.h"

#include "flowsvc_fdw.h"

/* How an option's value is checked */
typedef enum FlowsvcOptionKind
{
	OPTKIND_STRING,				/* any non-empty string */
	OPTKIND_HEADER,				/* non-empty, sent in an HTTP header */
	OPTKIND_URL,				/* http:// or https:// URL */
	OPTKIND_SANDBOX,			/* lower-case sandbox name */
	OPTKIND_INT,				/* integer within [min, max] */
	OPTKIND_REAL,				/* non-negative real */
	OPTKIND_BOOL,				/* boolean */
	OPTKIND_RESOURCE,			/* a known API collection */
	OPTKIND_PATH				/* dotted JSON path */
} FlowsvcOptionKind;

/* One valid option */
typedef struct FlowsvcOptionDef
{
	const char *name;
	Oid			catalog;		/* where it may appear */
	FlowsvcOptionKind kind;
	int			min;			/* bounds for OPTKIND_INT */
	int			max;
	bool		superuser_only; /* only a superuser may set it */
} FlowsvcOptionDef;

static const FlowsvcOptionDef flowsvc_options[] = {
	/* server */
	{"url", ForeignServerRelationId, OPTKIND_URL, 0, 0, false},
	{"ims_org", ForeignServerRelationId, OPTKIND_HEADER, 0, 0, false},
	{"sandbox", ForeignServerRelationId, OPTKIND_SANDBOX, 0, 0, false},
	{"token_url", ForeignServerRelationId, OPTKIND_URL, 0, 0, false},
	{"ca_file", ForeignServerRelationId, OPTKIND_STRING, 0, 0, true},
	{"timeout_ms", ForeignServerRelationId, OPTKIND_INT, 1, 3600000, false},
	{"connect_timeout_ms", ForeignServerRelationId, OPTKIND_INT, 1, 600000, false},
	{"max_retries", ForeignServerRelationId, OPTKIND_INT, 0, 10, false},
	{"page_size", ForeignServerRelationId, OPTKIND_INT, 1, 100, false},
	{"use_remote_estimate", ForeignServerRelationId, OPTKIND_BOOL, 0, 0, false},
	{"fdw_startup_cost", ForeignServerRelationId, OPTKIND_REAL, 0, 0, false},
	{"fdw_tuple_cost", ForeignServerRelationId, OPTKIND_REAL, 0, 0, false},
	/* user mapping */
	{"api_key", UserMappingRelationId, OPTKIND_HEADER, 0, 0, false},
	{"access_token", UserMappingRelationId, OPTKIND_HEADER, 0, 0, false},
	{"client_id", UserMappingRelationId, OPTKIND_STRING, 0, 0, false},
	{"client_secret", UserMappingRelationId, OPTKIND_STRING, 0, 0, false},
	{"scope", UserMappingRelationId, OPTKIND_STRING, 0, 0, false},
	/* foreign table */
	{"resource", ForeignTableRelationId, OPTKIND_RESOURCE, 0, 0, false},
	{"use_remote_estimate", ForeignTableRelationId, OPTKIND_BOOL, 0, 0, false},
	/* column */
	{"path", AttributeRelationId, OPTKIND_PATH, 0, 0, false},
	{NULL, InvalidOid, OPTKIND_STRING, 0, 0, false}
};

#define DEFAULT_URL			"https://platform.adobe.io/data/foundation/flowservice"
#define DEFAULT_TOKEN_URL	"https://ims-na1.adobelogin.com/ims/token/v3"
#define DEFAULT_SANDBOX		"prod"

/*
 * The API collections the wrapper knows, with what PATCH may change and the
 * columns IMPORT FOREIGN SCHEMA creates.  The connections column list is the
 * contract of design.md and must not change.
 */
#define COMMON_HEAD \
	"id text, name text, description text, state text, "
#define COMMON_TAIL \
	"version text, etag text, " \
	"created_at timestamptz, updated_at timestamptz, " \
	"created_by text, updated_by text, " \
	"created_client text, updated_client text, " \
	"sandbox_name text, sandbox_id text, ims_org_id text"
#define SPEC_COLUMNS \
	"connection_spec_id text OPTIONS (path 'connectionSpec.id'), " \
	"connection_spec_version text OPTIONS (path 'connectionSpec.version'), "

static const char *const connection_patchable[] = {"name", "description", "auth", NULL};
static const char *const flow_patchable[] = {"name", "description", NULL};
static const char *const nothing[] = {NULL};
static const char *const connection_insertable[] = {"name", "description",
"auth", "connectionSpec", NULL};
static const char *const source_target_insertable[] = {"name", "description",
"baseConnectionId", "connectionSpec", "data", "params", "auth", NULL};
static const char *const flow_insertable[] = {"name", "description",
	"flowSpec", "sourceConnectionIds", "targetConnectionIds",
"transformations", "scheduleParams", NULL};

static const FlowsvcResource flowsvc_resources[] = {
	{"connections", "connections", connection_patchable, connection_insertable,
		COMMON_HEAD SPEC_COLUMNS "auth jsonb, " COMMON_TAIL},
	{"sourceConnections", "source_connections", connection_patchable, source_target_insertable,
		COMMON_HEAD "base_connection_id text, " SPEC_COLUMNS
		"data jsonb, params jsonb, auth jsonb, " COMMON_TAIL},
	{"targetConnections", "target_connections", connection_patchable, source_target_insertable,
		COMMON_HEAD "base_connection_id text, " SPEC_COLUMNS
		"data jsonb, params jsonb, auth jsonb, " COMMON_TAIL},
	{"flows", "flows", flow_patchable, flow_insertable,
		COMMON_HEAD "flow_spec_id text OPTIONS (path 'flowSpec.id'), "
		"flow_spec_version text OPTIONS (path 'flowSpec.version'), "
		"source_connection_ids jsonb, target_connection_ids jsonb, "
		"transformations jsonb, schedule_params jsonb, " COMMON_TAIL},
	{"runs", "runs", nothing, nothing,
		"id text, flow_id text, "
		"state text OPTIONS (path 'metrics.statusSummary.status'), "
		"metrics jsonb, activities jsonb, "
		"created_at timestamptz, updated_at timestamptz, "
		"created_by text, updated_by text, "
		"sandbox_name text, sandbox_id text, ims_org_id text"},
	{"connectionSpecs", "connection_specs", nothing, nothing,
		"id text, name text, provider_id text, version text, "
		"attributes jsonb, auth_spec jsonb, source_spec jsonb, target_spec jsonb"},
	{"flowSpecs", "flow_specs", nothing, nothing,
		"id text, name text, provider_id text, version text, "
		"source_connection_spec_ids jsonb, target_connection_spec_ids jsonb, "
		"attributes jsonb"},
};

static void validate_option_value(const FlowsvcOptionDef *def, DefElem *def_elem);
static const char *closest_match(const char *target, Oid catalog, bool resources);
static bool option_valid_in(const char *name, Oid catalog);
static char *valid_options_list(Oid catalog);
static bool valid_path(const char *path);
static int	parse_int_option(DefElem *def);
static double parse_real_option(DefElem *def);

PG_FUNCTION_INFO_V1(flowsvc_fdw_validator);

/*
 * flowsvc_fdw_validator
 *		Check the options of a server, user mapping, foreign table or
 *		column using flowsvc_fdw.
 *
 * Raises an ERROR for an unknown or misplaced option (with a hint naming the
 * closest valid one), a repeated option, or a value that does not parse.
 */
Datum
flowsvc_fdw_validator(PG_FUNCTION_ARGS)
{
	List	   *options_list = untransformRelOptions(PG_GETARG_DATUM(0));
	Oid			catalog = PG_GETARG_OID(1);
	ListCell   *cell;
	List	   *seen = NIL;
	bool		has_token = false;
	bool		has_client_id = false;
	bool		has_client_secret = false;
	bool		has_ims_org = false;

	foreach(cell, options_list)
	{
		DefElem    *def = (DefElem *) lfirst(cell);
		const FlowsvcOptionDef *opt;
		ListCell   *lc;

		for (opt = flowsvc_options; opt->name; opt++)
		{
			if (opt->catalog == catalog && strcmp(opt->name, def->defname) == 0)
				break;
		}

		if (opt->name == NULL)
		{
			const char *match = closest_match(def->defname, catalog, false);
			char	   *valid = valid_options_list(catalog);

			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
					 errmsg("invalid option \"%s\"", def->defname),
					 option_valid_in(def->defname, InvalidOid) ?
					 errdetail("Option \"%s\" is not valid in this context.",
							   def->defname) : 0,
					 match ?
					 errhint("Perhaps you meant the option \"%s\".", match) :
					 valid[0] ?
					 errhint("Valid options in this context are: %s", valid) :
					 errhint("There are no valid options in this context.")));
		}

		foreach(lc, seen)
		{
			if (strcmp((char *) lfirst(lc), def->defname) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_SYNTAX_ERROR),
						 errmsg("conflicting or redundant options"),
						 errdetail("Option \"%s\" is given more than once.",
								   def->defname)));
		}
		seen = lappend(seen, def->defname);

		if (opt->superuser_only && !superuser())
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("permission denied to set option \"%s\"",
							def->defname),
					 errhint("Only superusers may set option \"%s\".",
							 def->defname)));

		validate_option_value(opt, def);

		if (strcmp(def->defname, "access_token") == 0)
			has_token = true;
		else if (strcmp(def->defname, "client_id") == 0)
			has_client_id = true;
		else if (strcmp(def->defname, "client_secret") == 0)
			has_client_secret = true;
		else if (strcmp(def->defname, "ims_org") == 0)
			has_ims_org = true;
	}

	if (catalog == UserMappingRelationId)
	{
		if (has_token && (has_client_id || has_client_secret))
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
					 errmsg("conflicting credentials in user mapping"),
					 errdetail("Option \"access_token\" cannot be combined with \"client_id\" or \"client_secret\"."),
					 errhint("Give either a ready access_token, or client_id and client_secret to fetch one.")));
		if (has_client_id != has_client_secret)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
					 errmsg("incomplete client credentials in user mapping"),
					 errdetail("Options \"client_id\" and \"client_secret\" must be given together.")));
	}

	if (catalog == ForeignServerRelationId && !has_ims_org)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("server option \"ims_org\" is required"),
				 errhint("Set it to the IMS organization id, e.g. OPTIONS (ims_org 'ABC123@AdobeOrg').")));

	PG_RETURN_VOID();
}

/*
 * validate_option_value
 *		Check that an option's value parses as its kind requires.
 */
static void
validate_option_value(const FlowsvcOptionDef *opt, DefElem *def)
{
	char	   *value = defGetString(def);

	switch (opt->kind)
	{
		case OPTKIND_HEADER:
			{
				const char *p;

				/* a line break would end the header; the value is not shown */
				for (p = value; *p; p++)
				{
					if ((unsigned char) *p < 0x20 || *p == 0x7F)
						ereport(ERROR,
								(errcode(ERRCODE_FDW_INVALID_STRING_FORMAT),
								 errmsg("invalid value for option \"%s\"", def->defname),
								 errdetail("The value is sent in an HTTP header and must not contain control characters.")));
				}
			}
			/* FALLTHROUGH */
		case OPTKIND_STRING:
			if (value[0] == '\0')
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("option \"%s\" must not be empty", def->defname)));
			break;
		case OPTKIND_URL:
			if (pg_strncasecmp(value, "https://", 8) != 0 &&
				pg_strncasecmp(value, "http://", 7) != 0)
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_STRING_FORMAT),
						 errmsg("invalid value for option \"%s\"", def->defname),
						 errdetail("Only http:// and https:// URLs are supported."),
						 errhint("Use a URL such as \"%s\".",
								 strcmp(def->defname, "url") == 0 ?
								 DEFAULT_URL : DEFAULT_TOKEN_URL)));
			if (strchr(value, '?') || strchr(value, '#') ||
				value[strcspn(value, ":") + 3] == '\0' ||
				value[strcspn(value, ":") + 3] == '/' ||
				value[strcspn(value, ":") + 3] == ':' ||
				strpbrk(value, " \t\r\n") != NULL)
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_STRING_FORMAT),
						 errmsg("invalid value for option \"%s\"", def->defname),
						 errdetail("The URL must name a host and carry no spaces, query or fragment.")));
			{
				const char *authority = value + strcspn(value, ":") + 3;
				size_t		authority_len = strcspn(authority, "/");

				/* user:password@host would put a secret where messages show it */
				if (memchr(authority, '@', authority_len) != NULL)
					ereport(ERROR,
							(errcode(ERRCODE_FDW_INVALID_STRING_FORMAT),
							 errmsg("invalid value for option \"%s\"", def->defname),
							 errdetail("The URL must not carry a user name or password."),
							 errhint("Credentials belong in the user mapping.")));
			}
			break;
		case OPTKIND_SANDBOX:
			{
				const char *p;

				if (value[0] == '\0')
					ereport(ERROR,
							(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
							 errmsg("option \"%s\" must not be empty", def->defname)));
				for (p = value; *p; p++)
				{
					if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
						  *p == '-' || *p == '_'))
						ereport(ERROR,
								(errcode(ERRCODE_FDW_INVALID_STRING_FORMAT),
								 errmsg("invalid value for option \"%s\": \"%s\"",
										def->defname, value),
								 errdetail("Sandbox names are lower-case letters, digits, hyphens and underscores.")));
				}
				break;
			}
		case OPTKIND_INT:
			{
				int			n = parse_int_option(def);

				if (n < opt->min || n > opt->max)
					ereport(ERROR,
							(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
							 errmsg("value %d is out of range for option \"%s\"",
									n, def->defname),
							 errdetail("Valid values are between %d and %d.",
									   opt->min, opt->max)));
				break;
			}
		case OPTKIND_REAL:
			(void) parse_real_option(def);
			break;
		case OPTKIND_BOOL:
			(void) defGetBoolean(def);
			break;
		case OPTKIND_RESOURCE:
			if (FlowsvcLookupResource(value) == NULL)
			{
				const char *match = closest_match(value, InvalidOid, true);

				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("unknown Flow Service resource \"%s\"", value),
						 errdetail("Valid resources are connections, sourceConnections, targetConnections, flows, runs, connectionSpecs and flowSpecs."),
						 match ? errhint("Perhaps you meant \"%s\".", match) : 0));
			}
			break;
		case OPTKIND_PATH:
			{
				if (!valid_path(value))
					ereport(ERROR,
							(errcode(ERRCODE_FDW_INVALID_STRING_FORMAT),
							 errmsg("invalid value for option \"path\": \"%s\"", value),
							 errdetail("A path is one or more JSON field names separated by dots, such as \"connectionSpec.id\".")));
				break;
			}
	}
}

/*
 * valid_path
 *		Is path one or more non-empty field names separated by dots?
 */
static bool
valid_path(const char *path)
{
	size_t		len = strlen(path);

	return len > 0 && path[0] != '.' && path[len - 1] != '.' &&
		strstr(path, "..") == NULL;
}

/*
 * valid_options_list
 *		"a, b, c": the options valid in catalog, in table order.
 */
static char *
valid_options_list(Oid catalog)
{
	StringInfoData buf;
	const FlowsvcOptionDef *opt;

	initStringInfo(&buf);
	for (opt = flowsvc_options; opt->name; opt++)
	{
		if (opt->catalog == catalog)
			appendStringInfo(&buf, "%s%s", buf.len ? ", " : "", opt->name);
	}
	return buf.data;
}

/*
 * parse_int_option
 *		The integer value of an option, or an ERROR.
 */
static int
parse_int_option(DefElem *def)
{
	char	   *value = defGetString(def);
	char	   *end;
	long		n;

	errno = 0;
	n = strtol(value, &end, 10);
	if (errno != 0 || end == value || *end != '\0' || n < INT_MIN || n > INT_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("invalid value for integer option \"%s\": \"%s\"",
						def->defname, value)));
	return (int) n;
}

/*
 * parse_real_option
 *		The non-negative real value of an option, or an ERROR.
 */
static double
parse_real_option(DefElem *def)
{
	char	   *value = defGetString(def);
	char	   *end;
	double		d;

	errno = 0;
	d = strtod(value, &end);
	if (errno != 0 || end == value || *end != '\0' || isnan(d) || isinf(d) || d < 0)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("invalid value for option \"%s\": \"%s\"",
						def->defname, value),
				 errdetail("A non-negative number is required.")));
	return d;
}

/*
 * option_valid_in
 *		Is name a valid option in catalog (any catalog if InvalidOid)?
 */
static bool
option_valid_in(const char *name, Oid catalog)
{
	const FlowsvcOptionDef *opt;

	for (opt = flowsvc_options; opt->name; opt++)
	{
		if ((catalog == InvalidOid || opt->catalog == catalog) &&
			strcmp(opt->name, name) == 0)
			return true;
	}
	return false;
}

/*
 * closest_match
 *		The valid option of catalog (or the resource name, if resources)
 *		closest to target, or NULL if none is reasonably close.
 *
 * An exact name of a misplaced option is not "close": the hint would be
 * nonsense, so such names are skipped and the detail explains instead.
 */
static const char *
closest_match(const char *target, Oid catalog, bool resources)
{
	const char *best = NULL;
	int			best_distance = INT_MAX;
	int			tlen = strlen(target);
	int			n;

	for (n = 0;; n++)
	{
		const char *candidate;
		int			distance;
		int			max_distance;

		if (resources)
		{
			if (n >= (int) lengthof(flowsvc_resources))
				break;
			candidate = flowsvc_resources[n].name;
		}
		else
		{
			if (flowsvc_options[n].name == NULL)
				break;
			if (flowsvc_options[n].catalog != catalog)
				continue;
			candidate = flowsvc_options[n].name;
		}

		/* allow about a third of the longer name to differ */
		max_distance = Max(tlen, (int) strlen(candidate)) / 3 + 1;
		distance = varstr_levenshtein_less_equal(target, tlen,
												 candidate, strlen(candidate),
												 1, 1, 1, max_distance, true);
		if (distance <= max_distance && distance < best_distance)
		{
			best = candidate;
			best_distance = distance;
		}
	}
	return best;
}

/*
 * FlowsvcLookupResource
 *		The description of a known API collection, or NULL.
 */
const FlowsvcResource *
FlowsvcLookupResource(const char *name)
{
	int			i;

	for (i = 0; i < (int) lengthof(flowsvc_resources); i++)
	{
		if (strcmp(flowsvc_resources[i].name, name) == 0)
			return &flowsvc_resources[i];
	}
	return NULL;
}

/*
 * FlowsvcFieldInsertable
 *		May an INSERT into resource set this top-level field?
 */
bool
FlowsvcFieldInsertable(const FlowsvcResource *resource, const char *field)
{
	const char *const *p;

	for (p = resource->insertable; *p; p++)
	{
		if (strcmp(*p, field) == 0)
			return true;
	}
	return false;
}

/*
 * FlowsvcResourceList
 *		All known collections, for IMPORT FOREIGN SCHEMA.
 */
const FlowsvcResource *
FlowsvcResourceList(int *count)
{
	*count = lengthof(flowsvc_resources);
	return flowsvc_resources;
}

/*
 * FlowsvcGetOptions
 *		The options of a server and user mapping, with defaults filled in.
 */
FlowsvcOptions *
FlowsvcGetOptions(ForeignServer *server, UserMapping *user)
{
	FlowsvcOptions *opts = palloc0(sizeof(FlowsvcOptions));
	ListCell   *lc;
	size_t		len;

	opts->url = DEFAULT_URL;
	opts->sandbox = DEFAULT_SANDBOX;
	opts->token_url = DEFAULT_TOKEN_URL;
	opts->timeout_ms = 30000;
	opts->connect_timeout_ms = 5000;
	opts->max_retries = 4;
	opts->page_size = 100;
	opts->fdw_startup_cost = 100.0;
	opts->fdw_tuple_cost = 0.05;

	foreach(lc, server->options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);

		if (strcmp(def->defname, "url") == 0)
			opts->url = pstrdup(defGetString(def));
		else if (strcmp(def->defname, "ims_org") == 0)
			opts->ims_org = defGetString(def);
		else if (strcmp(def->defname, "sandbox") == 0)
			opts->sandbox = defGetString(def);
		else if (strcmp(def->defname, "token_url") == 0)
			opts->token_url = defGetString(def);
		else if (strcmp(def->defname, "ca_file") == 0)
			opts->ca_file = defGetString(def);
		else if (strcmp(def->defname, "timeout_ms") == 0)
			opts->timeout_ms = parse_int_option(def);
		else if (strcmp(def->defname, "connect_timeout_ms") == 0)
			opts->connect_timeout_ms = parse_int_option(def);
		else if (strcmp(def->defname, "max_retries") == 0)
			opts->max_retries = parse_int_option(def);
		else if (strcmp(def->defname, "page_size") == 0)
			opts->page_size = parse_int_option(def);
		else if (strcmp(def->defname, "use_remote_estimate") == 0)
			opts->use_remote_estimate = defGetBoolean(def);
		else if (strcmp(def->defname, "fdw_startup_cost") == 0)
			opts->fdw_startup_cost = parse_real_option(def);
		else if (strcmp(def->defname, "fdw_tuple_cost") == 0)
			opts->fdw_tuple_cost = parse_real_option(def);
	}

	/* the API's paths are relative to the base: drop a trailing slash */
	len = strlen(opts->url);
	if (len > 0 && opts->url[len - 1] == '/')
	{
		opts->url = pstrdup(opts->url);
		opts->url[len - 1] = '\0';
	}

	if (user != NULL)
	{
		foreach(lc, user->options)
		{
			DefElem    *def = (DefElem *) lfirst(lc);

			if (strcmp(def->defname, "api_key") == 0)
				opts->api_key = defGetString(def);
			else if (strcmp(def->defname, "access_token") == 0)
				opts->access_token = defGetString(def);
			else if (strcmp(def->defname, "client_id") == 0)
				opts->client_id = defGetString(def);
			else if (strcmp(def->defname, "client_secret") == 0)
				opts->client_secret = defGetString(def);
			else if (strcmp(def->defname, "scope") == 0)
				opts->scope = defGetString(def);
		}
	}

	return opts;
}

/*
 * FlowsvcGetTableResourceName
 *		The API collection a foreign table maps; "connections" by default.
 */
const char *
FlowsvcGetTableResourceName(Oid relid)
{
	ForeignTable *table = GetForeignTable(relid);
	ListCell   *lc;

	foreach(lc, table->options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);

		if (strcmp(def->defname, "resource") == 0)
			return defGetString(def);
	}
	return "connections";
}

/*
 * FlowsvcTableUseRemoteEstimate
 *		use_remote_estimate of a table, falling back to the server's.
 */
bool
FlowsvcTableUseRemoteEstimate(Oid relid, bool server_default)
{
	ForeignTable *table = GetForeignTable(relid);
	ListCell   *lc;

	foreach(lc, table->options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);

		if (strcmp(def->defname, "use_remote_estimate") == 0)
			return defGetBoolean(def);
	}
	return server_default;
}

/*
 * FlowsvcColumnPath
 *		The JSON path a column maps: its path option, or its name turned
 *		from snake_case into camelCase.
 */
char *
FlowsvcColumnPath(Oid relid, AttrNumber attnum, const char *attname)
{
	List	   *options = GetForeignColumnOptions(relid, attnum);
	ListCell   *lc;

	foreach(lc, options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);

		if (strcmp(def->defname, "path") == 0)
			return pstrdup(defGetString(def));
	}
	return FlowsvcSnakeToCamel(attname);
}

/*
 * FlowsvcGetColumns
 *		Mapping and conversion details of every live column of rel, indexed
 *		by attribute number minus one (NULL for dropped columns).
 */
FlowsvcColumn **
FlowsvcGetColumns(Relation rel)
{
	TupleDesc	tupdesc = RelationGetDescr(rel);
	FlowsvcColumn **columns;
	int			i;

	columns = palloc0(sizeof(FlowsvcColumn *) * tupdesc->natts);
	for (i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(tupdesc, i);
		FlowsvcColumn *col;
		Oid			infunc;
		Oid			outfunc;
		bool		isvarlena;
		char	   *part;
		char	   *saveptr;

		if (attr->attisdropped)
			continue;

		col = palloc0(sizeof(FlowsvcColumn));
		col->attnum = attr->attnum;
		col->attname = pstrdup(NameStr(attr->attname));
		col->path = FlowsvcColumnPath(RelationGetRelid(rel), attr->attnum,
									  col->attname);
		/* a path derived from a column name must be a path too */
		if (!valid_path(col->path))
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_STRING_FORMAT),
					 errmsg("column \"%s\" of foreign table \"%s\" does not name a JSON field",
							col->attname, RelationGetRelationName(rel)),
					 errdetail("Its name maps to the path \"%s\", which has an empty field name.",
							   col->path),
					 errhint("Give the column OPTIONS (path '...'), e.g. path 'connectionSpec.id'.")));
		for (part = strtok_r(pstrdup(col->path), ".", &saveptr); part;
			 part = strtok_r(NULL, ".", &saveptr))
			col->path_parts = lappend(col->path_parts, makeString(part));
		col->typid = attr->atttypid;
		col->typmod = attr->atttypmod;
		getTypeInputInfo(col->typid, &infunc, &col->typioparam);
		fmgr_info(infunc, &col->infunc);
		getTypeOutputInfo(col->typid, &outfunc, &isvarlena);
		fmgr_info(outfunc, &col->outfunc);
		columns[i] = col;
	}
	return columns;
}
