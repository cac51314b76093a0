/* commands.c - the table of `yunwei` subcommands. */
#include "../core/yw.h"
#include "cli.h"

const struct cli_command cli_commands[] = {
	{ "init", cmd_init, "yunwei init [--db PATH] [--demo]",
	  "Creates the database, or migrates it to this version's schema. On a new\n"
	  "database creates the user 'admin' with the password in YUNWEI_ADMIN_PASSWORD,\n"
	  "or a generated one that is printed once. --demo loads the demo department\n"
	  "(groups, engineers, a customer organisation, categories, tickets) once.\n"
	  "--db defaults to $YUNWEI_DB, then var/yunwei.db." },
	{ "serve", cmd_serve, "yunwei serve [--db PATH] [--listen ADDR:PORT] [--threads N] [--web-root DIR]\n"
	  "             [--trusted-proxy CIDR[,CIDR...]] [--max-connections N] [--h2c] [--tls-proxy]",
	  "Runs the HTTP server: the JSON API under /api/v1/ and the web UI at /.\n"
	  "--listen defaults to 127.0.0.1:8080; --threads to one worker per core.\n"
	  "--trusted-proxy (repeatable; else $YUNWEI_TRUSTED_PROXIES) names the reverse\n"
	  "proxies whose X-Forwarded-For gives the client's address (for the login\n"
	  "throttle and the audit log); from any other peer the header is ignored.\n"
	  "--max-connections caps open connections (default 512; beyond it a new\n"
	  "one gets 503): each holds at most one 1 MiB body, so bodies in flight\n"
	  "hold at most N MiB. --h2c accepts cleartext HTTP/2 (off by default).\n"
	  "--tls-proxy says a TLS-terminating proxy is in front: the session cookie\n"
	  "is then marked Secure.\n"
	  "SIGINT or SIGTERM stops it cleanly: requests in flight finish and the\n"
	  "database is closed." },
	{ "token", cmd_token, "yunwei token create USER [--name NAME] [--db PATH] | yunwei token revoke ID [--db PATH]",
	  "Creates a bearer token for USER and prints it once (only its hash is\n"
	  "stored), or revokes the token with the given id. Scripts send it as\n"
	  "'Authorization: Bearer <token>'; the CLI's ticket commands read it from\n"
	  "YUNWEI_TOKEN." },
	{ "ticket", cmd_ticket,
	  "yunwei ticket create|list|show|comment|assign|resolve ... [--server URL] [--json]",
	  "Works tickets on a running server (--server, default $YUNWEI_SERVER or\n"
	  "http://127.0.0.1:8080) with the bearer token in $YUNWEI_TOKEN.\n\n"
	  "  ticket create --title T [--type incident|request] [--description D]\n"
	  "                [--category ID] [--channel phone|email|web|portal|monitoring|onsite]\n"
	  "                [--impact 1-3] [--urgency 1-3] [--requester ID] [--org ID]\n"
	  "                [--group ID] [--assignee ID]\n"
	  "  ticket list [--status S] [--type T] [--priority P] [--group G] [--assignee A]\n"
	  "              [--organization O] [--q TEXT] [--sort S] [--limit N] [--cursor C]\n"
	  "  ticket show ID\n"
	  "  ticket comment ID --body TEXT|- [--internal]\n"
	  "  ticket assign ID [--group ID] [--assignee ID]\n"
	  "  ticket resolve ID --code CODE [--notes TEXT]\n\n"
	  "Output is a readable table or text; --json prints the API's JSON.\n"
	  "Exit status: 0 ok, 1 the server refused or was unreachable, 2 usage." },
	{ "user", cmd_user,
	  "yunwei user add LOGIN --name NAME --role ROLE [--email E] [--phone P] [--org ORG] [--group G]... [--password-stdin] [--db PATH]"
	  " | yunwei user list [--json] | yunwei user passwd LOGIN [--password-stdin] | yunwei user disable|enable LOGIN",
	  "Manages accounts on the database directly, as the system (audited as such).\n"
	  "  add      creates a user. ROLE is admin, manager, supervisor, engineer or\n"
	  "           customer; a customer needs --org (an organization's id, name or\n"
	  "           code), staff may be put in support groups with --group (id or\n"
	  "           name, repeatable).\n"
	  "  list     prints every user as a table (login, name, role, organization,\n"
	  "           groups, disabled), or as JSON records with --json.\n"
	  "  passwd   sets a user's password and ends all its sessions.\n"
	  "  disable  stops a user from logging in or using its tokens, and ends its\n"
	  "           sessions; its tokens stay (enable brings them back).\n"
	  "  enable   lets a disabled user log in again.\n"
	  "The password for add and passwd is read as one line from standard input\n"
	  "with --password-stdin, else taken from $YUNWEI_PASSWORD, else generated and\n"
	  "printed once. Passwords have 8 to 128 characters." },
	{ "group", cmd_group, "yunwei group desk [GROUP] [--db PATH]",
	  "Shows which support group is the service desk (服务台), or makes GROUP (an id\n"
	  "or a name) the desk. A new ticket goes to its category's group, else its\n"
	  "organisation's, else the desk's, so that every ticket is in a queue. There\n"
	  "is at most one desk; naming another moves it. Audited as the system." },
	{ "calendar", cmd_calendar,
	  "yunwei calendar list | show CAL YEAR | add CAL INSTANT MINUTES | between CAL FROM TO | import FILE [--calendar NAME] [--db PATH]",
	  "Business calendars (工作日历), computed by the same module as the SLA clocks.\n"
	  "CAL is a calendar's name or id (built in: 7x24, cn-workday).\n"
	  "  list                   the calendars, their zones and the years with holidays\n"
	  "  show CAL YEAR          the holidays and make-up workdays (补班) of YEAR\n"
	  "  add CAL INSTANT MIN    the instant MIN working minutes after INSTANT, in the\n"
	  "                         calendar's zone, e.g. 2026-02-14T10:00:00+08:00\n"
	  "  between CAL FROM TO    the working minutes from FROM to TO\n"
	  "  import FILE            holidays from a holiday-cn JSON or an iCalendar (.ics)\n"
	  "                         file into --calendar (default cn-workday); a bad file is\n"
	  "                         rejected whole, naming the date or line at fault\n"
	  "Instants are ISO 8601; without an offset they are wall time in the calendar's zone." },
	{ "sla", cmd_sla,
	  "yunwei sla policy list|show|add|set|delete ... | sla report [--from T] [--to T] [--by B] | sla rebuild | sla states [--db PATH]",
	  "Service levels, on the database directly, as the system (audited as such).\n"
	  "  policy list [--json]           the policies in match order (first match wins):\n"
	  "                                 targets as minutes@calendar_id [thresholds %]\n"
	  "  policy show P                  one policy as JSON (P: id or name)\n"
	  "  policy add --file F            a new policy from JSON (F: a file or - for stdin),\n"
	  "                                 the body of POST /api/v1/sla/policies\n"
	  "  policy set P --file F [--version N]\n"
	  "                                 changes fields of a policy (PATCH body)\n"
	  "  policy delete P                deletes a policy\n"
	  "  report [--from T] [--to T] [--by level|group|organization|policy] [--json]\n"
	  "                                 tickets created in [from, to) (default: the last 30\n"
	  "                                 days): met, breached, compliance, mean and p90 of\n"
	  "                                 response and resolution in working minutes\n"
	  "  rebuild                        starts clocks for open tickets without any (after an\n"
	  "                                 upgrade) and re-targets every open clock\n"
	  "  states [--remaining]           counts the current clocks by state and the time it took;\n"
	  "                                 --remaining also computes each one's working time left\n"
	  "Every policy write re-targets the open clocks of the tickets it concerns." },
	{ NULL, NULL, NULL, NULL },
};
