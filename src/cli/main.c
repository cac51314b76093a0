/* main.c - dispatch `yunwei <command>` through the command table. */
#include "../core/yw.h"
#include "../core/ytime.h"
#include "../domain/sla/sla.h"
#include "cli.h"
#include <sodium.h>

static void list_commands(FILE *out)
{
	fprintf(out, "usage: yunwei <command> [options]\n\ncommands:\n");
	for (const struct cli_command *c = cli_commands; c->name; c++)
		fprintf(out, "  %s\n", c->usage);
	fprintf(out, "\n'yunwei help <command>' explains one command.\n");
	fprintf(out, "Error messages are in Chinese when LC_ALL, LC_MESSAGES or LANG (the first set)\n"
		     "starts with zh, else in English.\n");
}

static const struct cli_command *find(const char *name)
{
	for (const struct cli_command *c = cli_commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

int main(int argc, char **argv)
{
	const char **av = (const char **)argv;
	const struct cli_command *c;

	if (sodium_init() < 0) {
		fprintf(stderr, "fatal: cannot initialise libsodium\n");
		return CLI_FAIL;
	}
	sla_init();
	/* the test hook of ytime.h: a fixed "now", as epoch seconds or ISO 8601 */
	const char *fake = getenv("YW_FAKE_NOW");
	if (fake && *fake) {
		int64_t t;
		char *end;
		t = strtoll(fake, &end, 10);
		if ((*end && yw_parse_iso(fake, &t)) || t <= 0) {
			fprintf(stderr, "fatal: YW_FAKE_NOW is not a time: %s\n", fake);
			return CLI_USAGE;
		}
		yw_time_set_fake(t);
	}
	if (argc < 2) {
		list_commands(stderr);
		return CLI_USAGE;
	}
	if (!strcmp(av[1], "help") || !strcmp(av[1], "--help") || !strcmp(av[1], "-h")) {
		if (argc < 3) {
			list_commands(stdout);
			return CLI_OK;
		}
		if (!(c = find(av[2]))) {
			fprintf(stderr, "error: no command '%s'\n", av[2]);
			return CLI_USAGE;
		}
		printf("usage: %s\n\n%s\n", c->usage, c->help);
		return CLI_OK;
	}
	if (!strcmp(av[1], "--version") || !strcmp(av[1], "version")) {
		printf("yunwei %s\n", YW_VERSION);
		return CLI_OK;
	}
	if (!(c = find(av[1]))) {
		fprintf(stderr, "error: '%s' is not a yunwei command\n", av[1]);
		list_commands(stderr);
		return CLI_USAGE;
	}
	return c->fn(argc - 1, av + 1);
}
