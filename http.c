/*-------------------------------------------------------------------------
 *
 * http.c
 *		  HTTP for flowsvc_fdw: the per-backend handle cache, requests,
 *		  retries, timeouts, cancellation and OAuth tokens.
 *
 * Each backend keeps one curl easy handle and one multi handle per user
 * mapping, so connections are kept alive across pages and statements.
 * Transfers are driven through the multi interface while waiting on curl's
 * sockets and the process latch in one WaitEventSet: a cancel or statement
 * timeout is served at once, with the usual SQLSTATE 57014.
 *
 * curl callbacks run inside libcurl's frames, so they never palloc or
 * ereport: they record into the connection struct and return curl's abort
 * code; the failure is reported after the transfer returns.  Everything
 * curl allocates (header lists, handles) is released on every path,
 * ERROR included.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>
#include <curl/curl.h>
#include <cJSON.h>

#include "common/hashfn.h"
#include "common/pg_prng.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "storage/latch.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

#include "flowsvc_fdw.h"

/* Largest response body we accept; a page of 100 items is far smaller */
#define FLOWSVC_MAX_RESPONSE	(64 * 1024 * 1024)
/* Above this size the receive buffer is released after the request */
#define FLOWSVC_KEEP_BUFFER		(1024 * 1024)
/* Sockets curl may ask us to watch at once for one transfer */
#define FLOWSVC_MAX_SOCKETS		8
/* Backoff between retries: base, cap, and the longest Retry-After we wait */
#define RETRY_BASE_MS			200
#define RETRY_CAP_MS			8000
#define RETRY_AFTER_MAX_S		60
/* Refresh a fetched token this long before it expires */
#define TOKEN_MARGIN_S			300

/* A socket curl wants watched, and for what */
typedef struct WatchedSocket
{
	curl_socket_t fd;
	int			what;			/* CURL_POLL_IN, _OUT or _INOUT */
} WatchedSocket;

/*
 * Per-backend state for one user mapping.  Lives in the cache hash table in
 * CacheMemoryContext for the life of the backend.
 */
struct FlowsvcConnection
{
	Oid			umid;			/* hash key: user mapping OID */
	CURLM	   *multi;			/* drives transfers; owns the connection pool */
	CURL	   *easy;			/* reused; NULL after a failed transfer */
	FlowsvcOptions *opts;		/* options of the request in progress: set by
								 * FlowsvcRequest, valid only during it */

	/* transfer state written by callbacks; malloc'd, never palloc'd */
	char	   *buf;			/* response body */
	size_t		buf_len;
	size_t		buf_cap;
	bool		buf_overflow;	/* body exceeded FLOWSVC_MAX_RESPONSE */
	bool		buf_nomem;		/* realloc failed */
	int			retry_after_s;	/* Retry-After of the last response, or -1 */
	char		location[2048]; /* Location header of the last response */
	WatchedSocket socks[FLOWSVC_MAX_SOCKETS];
	int			nsocks;
	bool		socks_overflow; /* curl wanted more sockets than we watch */
	long		timer_ms;		/* curl's requested timeout, -1 for none */
	char		errbuf[CURL_ERROR_SIZE];	/* curl's words on a failure */
	bool		connect_timed_out;	/* the last failure: no connection in time */
	WaitEventSet *wait_set;		/* set being waited on, freed on error */
	struct curl_slist *headers; /* header list of the running request */

	/* OAuth token fetched with client credentials */
	char	   *token;			/* in CacheMemoryContext, or NULL */
	TimestampTz token_expires;
	uint32		token_key;		/* hash of the credentials it was fetched with */
};

static HTAB *ConnectionHash = NULL;
static bool curl_initialized = false;

static void init_connection(FlowsvcConnection *conn);
static long perform_request(FlowsvcConnection *conn, const char *method,
							const char *url, const char *token,
							const char *if_match, const char *body,
							const char *content_type, bool api_request,
							CURLcode *result);
static CURLcode run_transfer(FlowsvcConnection *conn);
static void abort_transfer(FlowsvcConnection *conn);
static void release_big_buffer(FlowsvcConnection *conn);
static void wipe_buffer(FlowsvcConnection *conn);
static void rethrow_with_write_progress(MemoryContext cxt) pg_attribute_noreturn();
static char *with_write_progress(char *detail);
static char *api_text(const char *s, size_t len);
static void add_header(FlowsvcConnection *conn, const char *name,
					   const char *prefix, const char *value, bool secret);
static const char *bearer_token(FlowsvcConnection *conn, bool refresh,
								FlowsvcRequestStats *stats);
static void fetch_token(FlowsvcConnection *conn, FlowsvcRequestStats *stats);
static uint32 credentials_key(FlowsvcOptions *opts);
static bool retryable_transport_error(CURLcode rc, bool idempotent);
static void sleep_before_retry(FlowsvcConnection *conn, int attempt,
							   long status, const char *method,
							   const char *target);
static void report_transport_error(FlowsvcConnection *conn, CURLcode rc,
								   const char *method, const char *target,
								   bool token_request) pg_attribute_noreturn();
static size_t write_callback(char *ptr, size_t size, size_t nmemb, void *userdata);
static size_t header_callback(char *ptr, size_t size, size_t nmemb, void *userdata);
static int	socket_callback(CURL *easy, curl_socket_t fd, int what,
							void *userp, void *socketp);
static int	timer_callback(CURLM *multi, long timeout_ms, void *userp);

/*
 * FlowsvcGetConnection
 *		The cached HTTP state for a user mapping, created on first use.
 *
 * The connection outlives statements, so it keeps no pointer to opts: each
 * request is given the options of its own statement.
 */
FlowsvcConnection *
FlowsvcGetConnection(UserMapping *user, FlowsvcOptions *opts)
{
	FlowsvcConnection *conn;
	bool		found;

	if (!curl_initialized)
	{
		if (curl_global_init(CURL_GLOBAL_ALL) != CURLE_OK)
			elog(ERROR, "could not initialize libcurl");
		curl_initialized = true;
	}

	if (ConnectionHash == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(FlowsvcConnection);
		ctl.hcxt = CacheMemoryContext;
		ConnectionHash = hash_create("flowsvc_fdw connections", 8, &ctl,
									 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}

	conn = hash_search(ConnectionHash, &user->umid, HASH_ENTER, &found);
	if (!found)
	{
		memset(((char *) conn) + sizeof(Oid), 0,
			   sizeof(FlowsvcConnection) - sizeof(Oid));
		conn->multi = NULL;
	}
	if (conn->multi == NULL)
		init_connection(conn);

	/* credentials changed since the token was fetched: forget it */
	if (conn->token && conn->token_key != credentials_key(opts))
	{
		pfree(conn->token);
		conn->token = NULL;
	}
	return conn;
}

/*
 * init_connection
 *		Create the multi handle of a cache entry and hook up its callbacks.
 */
static void
init_connection(FlowsvcConnection *conn)
{
	conn->multi = curl_multi_init();
	if (conn->multi == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory"),
				 errdetail("Could not create a libcurl multi handle.")));
	curl_multi_setopt(conn->multi, CURLMOPT_SOCKETFUNCTION, socket_callback);
	curl_multi_setopt(conn->multi, CURLMOPT_SOCKETDATA, conn);
	curl_multi_setopt(conn->multi, CURLMOPT_TIMERFUNCTION, timer_callback);
	curl_multi_setopt(conn->multi, CURLMOPT_TIMERDATA, conn);
	conn->nsocks = 0;
	conn->timer_ms = -1;
}

/*
 * FlowsvcRequest
 *		Send one API request, retrying what may be retried, and return the
 *		HTTP status with the body in resp.
 *
 * target is the path and query relative to the server's url.  A 2xx status
 * is returned, as is a 404 or 412 the caller accepts; any other status is
 * raised as an ERROR.  GETs are retried on connection failures and on 429,
 * 502, 503 and 504; other methods only when the request surely did not reach
 * the API (connect failures, 429).  A 401 with client credentials fetches a
 * new token and tries once more.
 */
long
FlowsvcRequest(FlowsvcConnection *conn, FlowsvcOptions *opts,
			   const char *method, const char *target, const char *if_match,
			   const char *body, int accept, FlowsvcResponse *resp,
			   FlowsvcRequestStats *stats)
{
	bool		idempotent = (strcmp(method, "GET") == 0);
	bool		refreshed = false;
	int			attempt = 0;
	char	   *url = psprintf("%s%s", opts->url, target);
	const char *token;
	long		status;

	conn->opts = opts;
	for (;;)
	{
		CURLcode	rc;

		token = bearer_token(conn, false, stats);
		status = perform_request(conn, method, url, token, if_match, body,
								 body ? "application/json" : NULL, true, &rc);
		stats->requests++;
		if (body)
			stats->bytes_sent += strlen(body);

		if (rc != CURLE_OK)
		{
			if (attempt < opts->max_retries &&
				retryable_transport_error(rc, idempotent))
			{
				sleep_before_retry(conn, attempt++, status, method, target);
				stats->retries++;
				continue;
			}
			report_transport_error(conn, rc, method, target, false);
		}
		stats->bytes_received += conn->buf_len;

		if (status == 401 && opts->client_id && !refreshed)
		{
			/* the cached token may have been revoked: fetch a new one once */
			refreshed = true;
			bearer_token(conn, true, stats);
			stats->retries++;
			continue;
		}

		if (attempt < opts->max_retries &&
			(status == 429 ||
			 (idempotent && (status == 502 || status == 503 || status == 504))))
		{
			sleep_before_retry(conn, attempt++, status, method, target);
			stats->retries++;
			continue;
		}
		break;
	}

	resp->status = status;
	resp->body = palloc(conn->buf_len + 1);
	memcpy(resp->body, conn->buf ? conn->buf : "", conn->buf_len);
	resp->body[conn->buf_len] = '\0';
	resp->body_len = conn->buf_len;
	resp->location = conn->location[0] ? pstrdup(conn->location) : NULL;

	release_big_buffer(conn);

	if ((status >= 200 && status < 300) ||
		(status == 404 && (accept & FLOWSVC_ACCEPT_404)) ||
		(status == 412 && (accept & FLOWSVC_ACCEPT_412)))
		return status;

	FlowsvcReportHttpError(method, target, resp);
}

/*
 * perform_request
 *		Set up the easy handle for one request and run it to completion.
 *
 * Returns the HTTP status (0 if none) and curl's result in *result.  An API
 * request carries the API's four identifying headers; a token request not.
 * Header values are checked for line breaks, which would let a value (a
 * version read from the API, say) inject headers.
 */
static long
perform_request(FlowsvcConnection *conn, const char *method, const char *url,
				const char *token, const char *if_match, const char *body,
				const char *content_type, bool api_request, CURLcode *result)
{
	FlowsvcOptions *opts = conn->opts;
	CURL	   *easy;
	long		status = 0;

	if (conn->easy == NULL)
	{
		conn->easy = curl_easy_init();
		if (conn->easy == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory"),
					 errdetail("Could not create a libcurl handle.")));
	}
	else
		curl_easy_reset(conn->easy);
	easy = conn->easy;

	conn->buf_len = 0;
	conn->buf_overflow = false;
	conn->buf_nomem = false;
	conn->retry_after_s = -1;
	conn->location[0] = '\0';
	conn->socks_overflow = false;

	if (conn->headers)
	{
		curl_slist_free_all(conn->headers);
		conn->headers = NULL;
	}
	if (api_request)
	{
		if (token == NULL)
			add_header(conn, "Authorization", "", NULL, true);
		add_header(conn, "Authorization", "Bearer ", token, true);
		add_header(conn, "x-api-key", "", opts->api_key, true);
		add_header(conn, "x-gw-ims-org-id", "", opts->ims_org, false);
		add_header(conn, "x-sandbox-name", "", opts->sandbox, false);
		add_header(conn, "Accept", "", "application/json", false);
	}
	if (content_type)
		add_header(conn, "Content-Type", "", content_type, false);
	if (if_match)
		add_header(conn, "If-Match", "", if_match, false);
	/* no "Expect: 100-continue" round trip for small bodies */
	add_header(conn, "Expect", "", "", false);

	curl_easy_setopt(easy, CURLOPT_URL, url);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
	/* ids are percent-encoded; never let curl rewrite the path */
	curl_easy_setopt(easy, CURLOPT_PATH_AS_IS, 1L);
	curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
	/*
	 * ca_file replaces libcurl's CA bundle file; the system CA directory
	 * (Debian's libcurl: /etc/ssl/certs) stays trusted, so the file adds.
	 */
	if (opts->ca_file)
		curl_easy_setopt(easy, CURLOPT_CAINFO, opts->ca_file);
	curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, (long) opts->timeout_ms);
	curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
					 (long) opts->connect_timeout_ms);
	curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(easy, CURLOPT_USERAGENT, "flowsvc_fdw/1.0");
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, conn->headers);
	conn->errbuf[0] = '\0';
	curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, conn->errbuf);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, write_callback);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, conn);
	curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, header_callback);
	curl_easy_setopt(easy, CURLOPT_HEADERDATA, conn);

	if (strcmp(method, "GET") != 0)
	{
		/*
		 * On a reused connection that turns out closed, libcurl silently
		 * sends the request again on a new one, even if the server may have
		 * read it.  A write must never be sent twice: give it a connection
		 * of its own.
		 */
		curl_easy_setopt(easy, CURLOPT_FRESH_CONNECT, 1L);
		curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, method);
		if (body)
		{
			curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, (long) strlen(body));
			curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body);
		}
	}

	*result = run_transfer(conn);

	curl_slist_free_all(conn->headers);
	conn->headers = NULL;

	if (*result == CURLE_OK)
		curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
	else
	{
		curl_off_t	pretransfer = 0;

		/*
		 * A timeout before the request went out is a connect failure: it
		 * may be retried, writes included, and is reported as one.
		 */
		curl_easy_getinfo(easy, CURLINFO_PRETRANSFER_TIME_T, &pretransfer);
		conn->connect_timed_out = (*result == CURLE_OPERATION_TIMEDOUT &&
								   pretransfer == 0);
		if (conn->connect_timed_out)
			*result = CURLE_COULDNT_CONNECT;

		/* a handle in an unknown state is not reused */
		curl_easy_cleanup(conn->easy);
		conn->easy = NULL;
		release_big_buffer(conn);
	}
	return status;
}

/*
 * add_header
 *		Append "name: prefix value" to the request's header list.
 *
 * A missing value of a required header is a user error (an incomplete user
 * mapping); the message names the option, never its value.
 */
static void
add_header(FlowsvcConnection *conn, const char *name, const char *prefix,
		   const char *value, bool secret)
{
	struct curl_slist *list;
	char	   *line;

	if (value == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("no value for the %s header", name),
				 strcmp(name, "Authorization") == 0 ?
				 errhint("Add access_token, or client_id and client_secret, to the user mapping.") :
				 strcmp(name, "x-api-key") == 0 ?
				 errhint("Add api_key to the user mapping.") :
				 errhint("Set option ims_org on the server.")));
	if (strpbrk(value, "\r\n") != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_STRING_FORMAT),
				 errmsg("invalid value for the %s header", name),
				 secret ? 0 : errdetail("The value contains a line break.")));

	line = psprintf("%s: %s%s", name, prefix, value);
	list = curl_slist_append(conn->headers, line);
	/* line may hold a secret: do not leave it lying around in palloc memory */
	explicit_bzero(line, strlen(line));
	pfree(line);
	if (list == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	conn->headers = list;
}

/*
 * run_transfer
 *		Drive the easy handle through the multi handle until it completes,
 *		serving interrupts while waiting.
 *
 * On an ERROR (cancel, statement timeout) the transfer is abandoned and its
 * handle destroyed before the error propagates.
 */
static CURLcode
run_transfer(FlowsvcConnection *conn)
{
	CURLcode	result;
	int			running = 1;
	CURLMsg    *msg;
	int			pending;
	MemoryContext caller_cxt = CurrentMemoryContext;

	if (curl_multi_add_handle(conn->multi, conn->easy) != CURLM_OK)
		elog(ERROR, "could not add a transfer to the libcurl multi handle");

	PG_TRY();
	{
		curl_multi_socket_action(conn->multi, CURL_SOCKET_TIMEOUT, 0, &running);
		while (running)
		{
			WaitEvent	events[FLOWSVC_MAX_SOCKETS + 2];
			int			nevents;
			long		timeout = conn->timer_ms;
			int			i;

			/* served here too, should curl never let us sleep */
			CHECK_FOR_INTERRUPTS();
			if (conn->socks_overflow)
				break;

			/* wake at least once a second, whatever curl asked for */
			if (timeout < 0 || timeout > 1000)
				timeout = 1000;

			if (timeout > 0)
			{
				conn->wait_set = CreateWaitEventSet(CurrentMemoryContext,
													conn->nsocks + 2);
				AddWaitEventToSet(conn->wait_set, WL_LATCH_SET, PGINVALID_SOCKET,
								  MyLatch, NULL);
				AddWaitEventToSet(conn->wait_set, WL_EXIT_ON_PM_DEATH,
								  PGINVALID_SOCKET, NULL, NULL);
				for (i = 0; i < conn->nsocks; i++)
				{
					uint32		wanted = 0;

					if (conn->socks[i].what & CURL_POLL_IN)
						wanted |= WL_SOCKET_READABLE;
					if (conn->socks[i].what & CURL_POLL_OUT)
						wanted |= WL_SOCKET_WRITEABLE;
					AddWaitEventToSet(conn->wait_set, wanted,
									  conn->socks[i].fd, NULL, NULL);
				}
				nevents = WaitEventSetWait(conn->wait_set, timeout, events,
										   lengthof(events), PG_WAIT_EXTENSION);
				FreeWaitEventSet(conn->wait_set);
				conn->wait_set = NULL;
			}
			else
				nevents = 0;

			for (i = 0; i < nevents; i++)
			{
				if (events[i].events & WL_LATCH_SET)
				{
					ResetLatch(MyLatch);
					CHECK_FOR_INTERRUPTS();
				}
				else
				{
					int			flags = 0;

					if (events[i].events & WL_SOCKET_READABLE)
						flags |= CURL_CSELECT_IN;
					if (events[i].events & WL_SOCKET_WRITEABLE)
						flags |= CURL_CSELECT_OUT;
					curl_multi_socket_action(conn->multi, events[i].fd, flags,
											 &running);
				}
			}
			/* let curl run its timers: timeouts, connect progress */
			if (running)
				curl_multi_socket_action(conn->multi, CURL_SOCKET_TIMEOUT, 0,
										 &running);
		}
	}
	PG_CATCH();
	{
		abort_transfer(conn);
		rethrow_with_write_progress(caller_cxt);
	}
	PG_END_TRY();

	if (conn->socks_overflow)
	{
		abort_transfer(conn);
		return CURLE_OUT_OF_MEMORY;
	}

	result = CURLE_OK;
	while ((msg = curl_multi_info_read(conn->multi, &pending)) != NULL)
	{
		if (msg->msg == CURLMSG_DONE && msg->easy_handle == conn->easy)
			result = msg->data.result;
	}
	curl_multi_remove_handle(conn->multi, conn->easy);
	return result;
}

/*
 * rethrow_with_write_progress
 *		Re-raise the current error (a cancel, say), its DETAIL extended by
 *		what a failing write already changed remotely.
 */
static void
rethrow_with_write_progress(MemoryContext cxt)
{
	char	   *progress;
	ErrorData  *edata;

	MemoryContextSwitchTo(cxt);
	progress = FlowsvcWriteProgressDetail();
	if (progress == NULL)
		PG_RE_THROW();
	edata = CopyErrorData();
	FlushErrorState();
	edata->detail = edata->detail ? psprintf("%s %s", edata->detail, progress) : progress;
	ReThrowError(edata);
}

/*
 * abort_transfer
 *		Abandon a running transfer: detach and destroy its handle, which closes
 *		its connection, and release what the request allocated.
 *
 * Runs while an ERROR propagates, so it must not raise one.
 */
static void
abort_transfer(FlowsvcConnection *conn)
{
	if (conn->wait_set)
	{
		FreeWaitEventSet(conn->wait_set);
		conn->wait_set = NULL;
	}
	if (conn->easy)
	{
		curl_multi_remove_handle(conn->multi, conn->easy);
		curl_easy_cleanup(conn->easy);
		conn->easy = NULL;
	}
	if (conn->headers)
	{
		curl_slist_free_all(conn->headers);
		conn->headers = NULL;
	}
	release_big_buffer(conn);
}

/*
 * wipe_buffer
 *		Zero what the buffer holds (a token, say), then release it.
 */
static void
wipe_buffer(FlowsvcConnection *conn)
{
	if (conn->buf)
		explicit_bzero(conn->buf, conn->buf_len);
	release_big_buffer(conn);
}

/*
 * release_big_buffer
 *		Forget the body received; give a large buffer back rather than keep
 *		it for the life of the backend.
 */
static void
release_big_buffer(FlowsvcConnection *conn)
{
	if (conn->buf_cap > FLOWSVC_KEEP_BUFFER)
	{
		free(conn->buf);
		conn->buf = NULL;
		conn->buf_cap = 0;
	}
	conn->buf_len = 0;
}

/*
 * write_callback
 *		Append received body bytes to the connection's buffer.
 *
 * Returns 0 (curl then aborts with CURLE_WRITE_ERROR) when the body grows
 * past FLOWSVC_MAX_RESPONSE or memory runs out; the caller reports which.
 */
static size_t
write_callback(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	FlowsvcConnection *conn = (FlowsvcConnection *) userdata;
	size_t		n = size * nmemb;

	if (conn->buf_len + n + 1 > conn->buf_cap)
	{
		size_t		newcap = Max(conn->buf_cap * 2, 65536);
		char	   *p;

		if (conn->buf_len + n > FLOWSVC_MAX_RESPONSE)
		{
			conn->buf_overflow = true;
			return 0;
		}
		while (newcap < conn->buf_len + n + 1)
			newcap *= 2;
		p = realloc(conn->buf, newcap);
		if (p == NULL)
		{
			conn->buf_nomem = true;
			return 0;
		}
		conn->buf = p;
		conn->buf_cap = newcap;
	}
	memcpy(conn->buf + conn->buf_len, ptr, n);
	conn->buf_len += n;
	return n;
}

/*
 * header_callback
 *		Note the response headers we use: Retry-After and Location.
 */
static size_t
header_callback(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	FlowsvcConnection *conn = (FlowsvcConnection *) userdata;
	size_t		n = size * nmemb;
	char		line[2048];
	size_t		len = Min(n, sizeof(line) - 1);
	char	   *value;

	/* a header longer than we keep is of no use to us, cut or not */
	if (n >= sizeof(line))
		return n;
	memcpy(line, ptr, len);
	line[len] = '\0';
	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n' ||
					   line[len - 1] == ' ' || line[len - 1] == '\t'))
		line[--len] = '\0';

	/* a new status line starts a new header block */
	if (strncmp(line, "HTTP/", 5) == 0)
	{
		conn->retry_after_s = -1;
		conn->location[0] = '\0';
		return n;
	}

	value = strchr(line, ':');
	if (value == NULL)
		return n;
	*value++ = '\0';
	while (*value == ' ' || *value == '\t')
		value++;

	if (pg_strcasecmp(line, "Retry-After") == 0)
	{
		char	   *end;
		long		seconds = strtol(value, &end, 10);

		if (end != value && *end == '\0' && seconds >= 0)
			conn->retry_after_s = (int) Min(seconds, INT_MAX);
		else
		{
			/* an HTTP date */
			time_t		when = curl_getdate(value, NULL);

			if (when > 0)
				conn->retry_after_s = (int) Max(when - time(NULL), 0);
		}
	}
	else if (pg_strcasecmp(line, "Location") == 0)
		strlcpy(conn->location, value, sizeof(conn->location));
	return n;
}

/*
 * socket_callback
 *		Track which sockets curl wants watched, and for what.
 */
static int
socket_callback(CURL *easy pg_attribute_unused(), curl_socket_t fd, int what, void *userp,
				void *socketp pg_attribute_unused())
{
	FlowsvcConnection *conn = (FlowsvcConnection *) userp;
	int			i;

	for (i = 0; i < conn->nsocks; i++)
	{
		if (conn->socks[i].fd == fd)
			break;
	}

	if (what == CURL_POLL_REMOVE)
	{
		if (i < conn->nsocks)
			conn->socks[i] = conn->socks[--conn->nsocks];
		return 0;
	}

	if (i == conn->nsocks)
	{
		if (conn->nsocks >= FLOWSVC_MAX_SOCKETS)
		{
			conn->socks_overflow = true;
			return -1;
		}
		conn->nsocks++;
	}
	conn->socks[i].fd = fd;
	conn->socks[i].what = what;
	return 0;
}

/*
 * timer_callback
 *		Remember when curl wants to be called for its timers.
 */
static int
timer_callback(CURLM *multi pg_attribute_unused(), long timeout_ms, void *userp)
{
	FlowsvcConnection *conn = (FlowsvcConnection *) userp;

	conn->timer_ms = timeout_ms;
	return 0;
}

/*
 * retryable_transport_error
 *		May a request that failed with rc be sent again?
 *
 * A non-idempotent request is repeated only if it surely never reached the
 * server: name resolution and connection failures.
 */
static bool
retryable_transport_error(CURLcode rc, bool idempotent)
{
	switch (rc)
	{
		case CURLE_COULDNT_RESOLVE_HOST:
		case CURLE_COULDNT_CONNECT:
			return true;
		case CURLE_SEND_ERROR:
		case CURLE_RECV_ERROR:
		case CURLE_GOT_NOTHING:
		case CURLE_PARTIAL_FILE:
			return idempotent;
		default:
			return false;
	}
}

/*
 * sleep_before_retry
 *		Wait before retry number attempt+1: Retry-After if the server sent one,
 *		else capped exponential backoff with jitter.  Interrupts are served.
 */
static void
sleep_before_retry(FlowsvcConnection *conn, int attempt, long status,
				   const char *method, const char *target)
{
	long		delay_ms;
	TimestampTz wake;

	if (conn->retry_after_s >= 0)
	{
		if (conn->retry_after_s > RETRY_AFTER_MAX_S)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_ERROR),
					 errmsg("flow service asked to retry after %d seconds",
							conn->retry_after_s),
					 errdetail_internal("%s",
										with_write_progress(psprintf("HTTP status %ld with Retry-After: %d; waits longer than %d seconds are not made.",
																	 status, conn->retry_after_s,
																	 RETRY_AFTER_MAX_S))),
					 errhint("Try the statement again later."),
					 errcontext("Flow Service request: %s %s", method, target)));
		delay_ms = conn->retry_after_s * 1000L;
	}
	else
	{
		long		ceiling = RETRY_BASE_MS << Min(attempt, 10);

		ceiling = Min(ceiling, RETRY_CAP_MS);
		/* "equal jitter": half fixed, half random */
		delay_ms = ceiling / 2 + (long) (pg_prng_double(&pg_global_prng_state) * (ceiling / 2));
	}

	wake = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), delay_ms);
	for (;;)
	{
		long		left = TimestampDifferenceMilliseconds(GetCurrentTimestamp(), wake);

		if (left <= 0)
			break;
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 left, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
}

/*
 * with_write_progress
 *		A DETAIL text followed by what a failing write already changed
 *		remotely, if anything.
 */
static char *
with_write_progress(char *detail)
{
	char	   *progress = FlowsvcWriteProgressDetail();

	return progress ? psprintf("%s %s", detail, progress) : detail;
}

/*
 * report_transport_error
 *		Raise the ERROR for a request that got no usable HTTP answer.
 *
 * token_request: the request went to the token endpoint, not the API.
 */
static void
report_transport_error(FlowsvcConnection *conn, CURLcode rc, const char *method,
					   const char *target, bool token_request)
{
	int			sqlstate = ERRCODE_FDW_ERROR;
	const char *message = gettext_noop("flow service request failed");
	char	   *detail = psprintf("%s.", curl_easy_strerror(rc));
	const char *hint = NULL;

	if (conn->buf_overflow)
	{
		message = gettext_noop("flow service response is too large");
		detail = psprintf("The response exceeded %d MB.",
						  FLOWSVC_MAX_RESPONSE / (1024 * 1024));
	}
	else if (conn->buf_nomem || conn->socks_overflow || rc == CURLE_OUT_OF_MEMORY)
	{
		sqlstate = ERRCODE_OUT_OF_MEMORY;
		message = gettext_noop("out of memory while receiving a flow service response");
	}
	else if (rc == CURLE_OPERATION_TIMEDOUT)
	{
		sqlstate = ERRCODE_QUERY_CANCELED;
		message = gettext_noop("flow service request timed out");
		detail = psprintf("No complete answer within %d ms.", conn->opts->timeout_ms);
		hint = gettext_noop("Raise the server option timeout_ms, or try again later.");
	}
	else if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
			 rc == CURLE_COULDNT_RESOLVE_PROXY)
	{
		sqlstate = ERRCODE_FDW_UNABLE_TO_ESTABLISH_CONNECTION;
		message = token_request ? gettext_noop("could not connect to the token endpoint") :
			gettext_noop("could not connect to flow service");
		if (conn->connect_timed_out)
			detail = psprintf("No connection within %d ms (server option connect_timeout_ms).",
							  conn->opts->connect_timeout_ms);
		hint = token_request ? gettext_noop("Check the server option token_url and the network.") :
			gettext_noop("Check the server option url and the network.");
	}
	else if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CONNECT_ERROR ||
			 rc == CURLE_SSL_CACERT_BADFILE || rc == CURLE_SSL_CERTPROBLEM)
	{
		sqlstate = ERRCODE_FDW_UNABLE_TO_ESTABLISH_CONNECTION;
		message = gettext_noop("could not establish a secure connection to flow service");
		/* curl's own words name the certificate problem (never a secret) */
		if (conn->errbuf[0] != '\0')
			detail = psprintf("%s.", conn->errbuf);
		hint = gettext_noop("Check that the url names the host the certificate was issued for; a private CA can be trusted with the server option ca_file.");
	}

	ereport(ERROR,
			(errcode(sqlstate),
			 errmsg_internal("%s", _(message)),
			 errdetail_internal("%s", with_write_progress(detail)),
			 hint ? errhint("%s", _(hint)) : 0,
			 token_request ?
			 errcontext("Flow Service token request: %s %s", method, target) :
			 errcontext("Flow Service request: %s %s", method, target)));
	pg_unreachable();
}

/*
 * FlowsvcReportHttpError
 *		Raise the ERROR for an HTTP status the caller does not handle.
 *
 * The status picks the SQLSTATE; the API's own error code and message go to
 * DETAIL, the request to CONTEXT.
 */
void
FlowsvcReportHttpError(const char *method, const char *target,
					   FlowsvcResponse *resp)
{
	char	   *api = FlowsvcApiErrorText(resp->body, resp->body_len);
	int			sqlstate;
	const char *message;
	const char *hint = NULL;

	switch (resp->status)
	{
		case 401:
			sqlstate = ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION;
			message = gettext_noop("flow service rejected the credentials");
			hint = gettext_noop("Check access_token (or client_id and client_secret) and api_key in the user mapping.");
			break;
		case 403:
			sqlstate = ERRCODE_INSUFFICIENT_PRIVILEGE;
			message = gettext_noop("flow service denied access");
			hint = gettext_noop("Check api_key, the server options ims_org and sandbox, and the permissions of the credentials.");
			break;
		case 404:
			sqlstate = ERRCODE_FDW_TABLE_NOT_FOUND;
			message = gettext_noop("flow service resource not found");
			break;
		case 412:
			sqlstate = ERRCODE_T_R_SERIALIZATION_FAILURE;
			message = gettext_noop("flow service refused a stale version");
			break;
		case 429:
			sqlstate = ERRCODE_FDW_ERROR;
			message = gettext_noop("flow service rate limit exceeded");
			hint = gettext_noop("Try again later, or raise the server option max_retries.");
			break;
		default:
			sqlstate = ERRCODE_FDW_ERROR;
			message = resp->status >= 500 ?
				gettext_noop("flow service failed to answer the request") :
				gettext_noop("flow service rejected the request");
			break;
	}

	ereport(ERROR,
			(errcode(sqlstate),
			 errmsg_internal("%s", _(message)),
			 errdetail_internal("%s",
								with_write_progress(api ?
													psprintf("HTTP status %ld: %s", resp->status, api) :
													psprintf("HTTP status %ld.", resp->status))),
			 hint ? errhint("%s", _(hint)) : 0,
			 errcontext("Flow Service request: %s %s", method, target)));
	pg_unreachable();
}

/*
 * FlowsvcApiErrorText
 *		"CODE: message" from an error body in any of the API's shapes (Flow
 *		Service, gateway, IMS), the start of a non-JSON body, or NULL.
 */
char *
FlowsvcApiErrorText(const char *body, size_t len)
{
	cJSON	   *root;
	StringInfoData buf;
	/* volatile: live across the PG_TRY below */
	const char *volatile code = NULL;
	const char *volatile text = NULL;
	const char *volatile detail = NULL;
	cJSON	   *item;
	int			i;
	static const char *const text_fields[] = {"errorMessage", "title", "message",
	"error_description"};

	if (body == NULL || len == 0)
		return NULL;

	root = cJSON_ParseWithLength(body, len);
	if (root == NULL || !cJSON_IsObject(root))
	{
		int			clip = pg_encoding_mbcliplen(PG_UTF8, body, (int) Min(len, INT_MAX), 200);

		/* a cut multibyte character at the end must not lead past it */
		clip = Min((size_t) clip, len);

		cJSON_Delete(root);
		return psprintf("%s%s", api_text(body, clip), len > (size_t) clip ? "..." : "");
	}

	/* pick the fields of whichever shape this is */
	item = cJSON_GetObjectItemCaseSensitive(root, "type");
	if (cJSON_IsString(item))
		code = strrchr(item->valuestring, '/') ? strrchr(item->valuestring, '/') + 1 :
			item->valuestring;
	item = cJSON_GetObjectItemCaseSensitive(root, "error_code");
	if (!code && cJSON_IsString(item))
		code = item->valuestring;
	item = cJSON_GetObjectItemCaseSensitive(root, "error");
	if (!code && cJSON_IsString(item))
		code = item->valuestring;
	for (i = 0; i < (int) lengthof(text_fields) && text == NULL; i++)
	{
		item = cJSON_GetObjectItemCaseSensitive(root, text_fields[i]);
		if (cJSON_IsString(item) && item->valuestring[0])
			text = item->valuestring;
	}
	item = cJSON_GetObjectItemCaseSensitive(root, "report");
	item = cJSON_GetObjectItemCaseSensitive(item, "detailed-message");
	if (cJSON_IsString(item) && item->valuestring[0] &&
		(text == NULL || strcmp(text, item->valuestring) != 0))
		detail = item->valuestring;

	/* palloc may fail while the tree is alive: free it whatever happens */
	PG_TRY();
	{
		initStringInfo(&buf);
		if (code)
			appendStringInfo(&buf, "%s: ", api_text((const char *) code,
													strlen((const char *) code)));
		appendStringInfoString(&buf, text ?
							   api_text((const char *) text, strlen((const char *) text)) :
							   "(no message)");
		if (detail)
			appendStringInfo(&buf, " (%s)",
							 api_text((const char *) detail, strlen((const char *) detail)));
		if (buf.len > 0 && buf.data[buf.len - 1] != '.')
			appendStringInfoChar(&buf, '.');
	}
	PG_FINALLY();
	{
		cJSON_Delete(root);
	}
	PG_END_TRY();
	return buf.data;
}

/*
 * api_text
 *		A UTF-8 text from the API, fit for a message in the database
 *		encoding.
 *
 * Never raises: an error message must not be replaced by a conversion
 * error, so outside UTF-8 databases non-ASCII characters become "?".
 */
static char *
api_text(const char *s, size_t len)
{
	StringInfoData buf;
	size_t		i;

	if (GetDatabaseEncoding() == PG_UTF8 &&
		pg_verify_mbstr(PG_UTF8, s, (int) len, true))
		return pnstrdup(s, len);

	initStringInfo(&buf);
	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (c < 0x80)
			appendStringInfoChar(&buf, (char) c);
		else if ((c & 0xC0) != 0x80)	/* one "?" per multibyte character */
			appendStringInfoChar(&buf, '?');
	}
	return buf.data;
}

/*
 * credentials_key
 *		A hash of what a fetched token depends on, to notice changes.
 */
static uint32
credentials_key(FlowsvcOptions *opts)
{
	StringInfoData buf;
	uint32		key;

	initStringInfo(&buf);
	appendStringInfo(&buf, "%s|%s|%s|%s",
					 opts->token_url,
					 opts->client_id ? opts->client_id : "",
					 opts->client_secret ? opts->client_secret : "",
					 opts->scope ? opts->scope : "");
	key = hash_bytes((unsigned char *) buf.data, buf.len);
	explicit_bzero(buf.data, buf.len);
	pfree(buf.data);
	return key;
}

/*
 * bearer_token
 *		Make sure conn has the token for the next request: the user mapping's
 *		access_token, or one fetched with client credentials, fetched anew
 *		when close to expiry or when refresh is set (after a 401).
 */
static const char *
bearer_token(FlowsvcConnection *conn, bool refresh, FlowsvcRequestStats *stats)
{
	FlowsvcOptions *opts = conn->opts;

	if (opts->client_id == NULL)
		return opts->access_token;

	if (refresh || conn->token == NULL ||
		GetCurrentTimestamp() >= conn->token_expires)
		fetch_token(conn, stats);
	return conn->token;
}

/*
 * fetch_token
 *		POST the client credentials to token_url and cache the access token
 *		until shortly before it expires.
 */
static void
fetch_token(FlowsvcConnection *conn, FlowsvcRequestStats *stats)
{
	FlowsvcOptions *opts = conn->opts;
	StringInfoData form;
	CURLcode	rc;
	long		status;
	cJSON	   *root;
	cJSON	   *token;
	cJSON	   *expires;
	double		expires_in;
	char	   *token_copy;

	if (conn->token)
	{
		pfree(conn->token);
		conn->token = NULL;
	}

	initStringInfo(&form);
	appendStringInfoString(&form, "grant_type=client_credentials&client_id=");
	FlowsvcAppendEncoded(&form, opts->client_id);
	appendStringInfoString(&form, "&client_secret=");
	FlowsvcAppendEncoded(&form, opts->client_secret);
	if (opts->scope)
	{
		appendStringInfoString(&form, "&scope=");
		FlowsvcAppendEncoded(&form, opts->scope);
	}

	/* the form holds the client secret: wipe it however the request ends */
	PG_TRY();
	{
		status = perform_request(conn, "POST", opts->token_url, NULL, NULL,
								 form.data, "application/x-www-form-urlencoded",
								 false, &rc);
	}
	PG_FINALLY();
	{
		explicit_bzero(form.data, form.len);
	}
	PG_END_TRY();
	pfree(form.data);
	stats->requests++;
	if (rc != CURLE_OK)
		report_transport_error(conn, rc, "POST", opts->token_url, true);
	stats->bytes_received += conn->buf_len;

	if (status != 200)
	{
		char	   *api = FlowsvcApiErrorText(conn->buf, conn->buf_len);

		wipe_buffer(conn);
		ereport(ERROR,
				(errcode(status == 401 || status == 400 ?
						 ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION :
						 ERRCODE_FDW_UNABLE_TO_ESTABLISH_CONNECTION),
				 errmsg("could not obtain an access token"),
				 api ? errdetail("HTTP status %ld: %s", status, api) :
				 errdetail("HTTP status %ld.", status),
				 errhint("Check client_id, client_secret and scope in the user mapping, and the server option token_url."),
				 errcontext("Flow Service token request: POST %s", opts->token_url)));
	}

	/* the answer holds the token: wipe it from the buffer once parsed */
	root = cJSON_ParseWithLength(conn->buf ? conn->buf : "", conn->buf_len);
	wipe_buffer(conn);
	token = cJSON_GetObjectItemCaseSensitive(root, "access_token");
	expires = cJSON_GetObjectItemCaseSensitive(root, "expires_in");
	if (!cJSON_IsString(token) || token->valuestring[0] == '\0' ||
		!cJSON_IsNumber(expires) || !(expires->valuedouble > 0) ||
		isinf(expires->valuedouble))
	{
		cJSON_Delete(root);
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("invalid response from the token endpoint"),
				 errdetail("Expected a JSON object with \"access_token\" and a positive \"expires_in\"."),
				 errcontext("Flow Service token request: POST %s", opts->token_url)));
	}
	/* no token lives longer than a week; keeps the arithmetic below sane */
	expires_in = Min(expires->valuedouble, 7 * 24 * 3600.0);
	/* copy with malloc-free code only, then release the tree before palloc */
	token_copy = strdup(token->valuestring);
	cJSON_Delete(root);
	if (token_copy == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	conn->token = MemoryContextStrdup(CacheMemoryContext, token_copy);
	explicit_bzero(token_copy, strlen(token_copy));
	free(token_copy);
	conn->token_key = credentials_key(opts);

	/* refresh a little early; very short lifetimes keep a tenth as margin */
	if (expires_in > 10.0 * TOKEN_MARGIN_S)
		expires_in -= TOKEN_MARGIN_S;
	else
		expires_in *= 0.9;
	conn->token_expires = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
													  (int64) (expires_in * 1000.0));
}
