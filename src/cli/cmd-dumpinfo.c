/* mcuprov dumpinfo: show an image's header, TLVs and trailer. */
#include "config.h"

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mcuprov/image.h"

static int dumpinfo_exec(int argc, char **argv);

const struct cmd_entry cmd_dumpinfo = {
	"dumpinfo",
	"print an image's header, TLVs and trailer (human, yaml or json)",
	"dumpinfo [-f human|yaml|json] [-o OUT] IMAGE",
	"  -f, --format FMT       human (default), yaml or json, with imgtool's\n"
	"                         field names\n"
	"  -o, --output OUT       write to OUT (atomically) instead of stdout\n"
	"  -h, --help             show this help\n",
	dumpinfo_exec,
};

static int dumpinfo_exec(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL;
	enum imginfo_format fmt = IMGINFO_HUMAN;
	struct image_info *info = NULL;
	struct mcuprov_err err;
	char *text = NULL, *copy;
	size_t len = 0;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, ":f:o:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			if (strcmp(optarg, "human") == 0)
				fmt = IMGINFO_HUMAN;
			else if (strcmp(optarg, "yaml") == 0)
				fmt = IMGINFO_YAML;
			else if (strcmp(optarg, "json") == 0)
				fmt = IMGINFO_JSON;
			else
				return cli_usage(&cmd_dumpinfo,
						 "invalid format '%s' (human, yaml or json)", optarg);
			break;
		case 'o': out = optarg; break;
		default:
			if ((rc = cli_common_option(&cmd_dumpinfo, opt, argv)) >= 0)
				return rc;
		}
	}
	if (argc - optind != 1)
		return cli_usage(&cmd_dumpinfo,
				 argc == optind ? "missing IMAGE" : "too many arguments");
	err_clear(&err);
	if (image_parse(argv[optind], &info, &err) < 0)
		return cli_fail(&err);
	copy = strdup(argv[optind]);
	if (copy == NULL || imginfo_format(info, basename(copy), fmt, &text, &len, &err) < 0) {
		rc = copy == NULL ? EXIT_FAIL : cli_fail(&err);
		goto done;
	}
	/* the human text carries imgtool's warning itself; keep YAML/JSON
	 * parseable and say it on stderr */
	if (fmt != IMGINFO_HUMAN && info->trailer.present && !info->trailer.magic_valid)
		cli_warn("'%s': the trailer magic value is invalid", argv[optind]);
	rc = cli_output(out, text, len);
done:
	free(copy);
	free(text);
	image_info_free(info);
	return rc;
}
