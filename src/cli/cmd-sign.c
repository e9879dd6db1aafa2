/* mcuprov sign: build a signed MCUboot image, with imgtool's options. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "cli.h"
#include "mcuprov/fileio.h"
#include "mcuprov/image.h"
#include "mcuprov/imgenc.h"
#include "mcuprov/strutil.h"

static int sign_exec(int argc, char **argv);

/* shared by sign and its imgtool alias create */
static const char sign_help[] =
	"  -k, --key KEY               signing key (rsa-2048/3072, ecdsa-p256/p384,\n"
	"                              ed25519); without it the image is hash-only;\n"
	"                              a PKCS#11 URI (pkcs11:token=...;object=...)\n"
	"                              signs in the token (--passin: its PIN)\n"
	"  -v, --version VER           MAJOR.MINOR.REVISION+BUILD (required)\n"
	"  -H, --header-size N         header area size, at least 0x20 (required)\n"
	"      --pad-header            add the header area in front of INFILE (else\n"
	"                              INFILE must start with N zero bytes)\n"
	"  -S, --slot-size N           slot size; image + trailer must fit (required)\n"
	"      --pad                   pad to the slot size and write the trailer magic\n"
	"      --confirm               mark the image confirmed (image_ok; implies --pad)\n"
	"      --test                  pad for a test swap, image_ok unset (implies --pad)\n"
	"      --align N               flash write size: 1 (default), 2, 4, 8, 16, 32\n"
	"      --max-align N           maximum write size of the two slots: 8, 16, 32\n"
	"  -M, --max-sectors N         sectors in the swap status area (default 128)\n"
	"      --overwrite-only        trailer for overwrite-only upgrades\n"
	"  -R, --erased-val V          value of erased flash: 0 or 0xff (default)\n"
	"  -s, --security-counter N    protected SEC_CNT TLV: a number or 'auto'\n"
	"                              (from the version)\n"
	"  -d, --dependencies DEPS     \"(ID,VERSION), ...\" protected DEPENDENCY TLVs\n"
	"      --public-key-format F   hash (KEYHASH TLV, default) or full (PUBKEY)\n"
	"  -F, --rom-fixed ADDR        flash address the image is built for\n"
	"  -L, --load-addr ADDR        RAM load address (RAM_LOAD flag)\n"
	"      --non-bootable          mark the image non-bootable\n"
	"      --boot-record SW_TYPE   protected measured-boot record (CBOR) with\n"
	"                              software type SW_TYPE (at most 12 characters)\n"
	"      --vid VID               protected vendor UUID: a UUID or a domain name\n"
	"                              (hashed into a UUIDv5 as imgtool does)\n"
	"      --cid CID               protected image class UUID: a UUID or a name\n"
	"                              (UUIDv5 in the --vid namespace)\n"
	"      --pad-sig               pad ECDSA signatures to a fixed length with\n"
	"                              zeros (MCUboot older than 1.5)\n"
	"  -e, --endian ORDER          little (default) or big: the byte order of the\n"
	"                              header and TLV fields\n"
	"      --custom-tlv TAG VALUE  protected TLV TAG (0xa0-0xfffe); VALUE is 0x-hex\n"
	"                              bytes or a string; may be repeated\n"
	"      --custom-tlv-file TAG FILE  the same with FILE's bytes as VALUE\n"
	"      --sha ALG               auto (default), 256, 384 or 512\n"
	"      --pure                  Ed25519 over the whole image, not its digest\n"
	"  -E, --encrypt KEY           encrypt the payload (AES-CTR) for KEY: rsa-2048\n"
	"                              (RSA-OAEP), ecdsa-p256 (ECIES-P256) or x25519\n"
	"                              (ECIES-X25519); public or private key file\n"
	"      --encrypt-keylen BITS   AES key length: 128 (default) or 256\n"
	"      --hmac-sha ALG          ECIES HKDF/HMAC hash: auto (256), 256 or 512\n"
	"                              (x25519 only)\n"
	"      --save-enctlv           trailer key slots sized for the ENC TLV\n"
	"                              (MCUBOOT_SWAP_SAVE_ENCTLV)\n"
	"  -c, --clear                 with -E: flags, padding and ENC TLV, but the\n"
	"                              payload left plain (for the primary slot)\n"
	"      --compression TYPE      disabled (default), lzma2 or lzma2armthumb (ARM\n"
	"                              Thumb filter first): LZMA2-compress the payload,\n"
	"                              with the uncompressed image's size, hash and\n"
	"                              signature in DECOMP TLVs; the plain image when\n"
	"                              that is not smaller\n"
	"  -x, --hex-addr ADDR         base address of an Intel HEX OUTFILE\n"
	"      --vector-to-sign WHAT   write only what an external signer must sign:\n"
	"                              payload or digest\n"
	"      --fix-sig FILE          a signature made elsewhere (base64, as imgtool)\n"
	"      --fix-sig-pubkey KEY    the public key of --fix-sig\n"
	"      --signer 'CMD ARG...'   sign with an external program (a KMS or HSM\n"
	"                              client; split into words as a shell would, but\n"
	"                              run without one): it reads the digest (the\n"
	"                              payload with --pure) on stdin and writes the\n"
	"                              signature on stdout; -k is then the public key\n"
	"                              the signature must verify with\n"
	"      --sig-out FILE          write the signature to FILE (base64)\n"
	"      --passin SRC            password of an encrypted key (pass:, env:,\n"
	"                              file:, fd:, stdin; default: ask)\n"
	"      --production            refuse MCUboot's published development keys\n"
	"  -h, --help                  show this help\n"
	"\n"
	"Numbers are decimal or 0x hex.  INFILE and OUTFILE are Intel HEX when their\n"
	"names end in .hex.  OUTFILE is replaced atomically.\n";

const struct cmd_entry cmd_sign = {
	"sign",
	"create a signed (or hash-only) MCUboot image, as imgtool sign does",
	"sign [-k KEY] -v VERSION -H SIZE -S SIZE [OPTIONS] INFILE OUTFILE",
	sign_help,
	sign_exec,
};

/* imgtool's alias of sign */
const struct cmd_entry cmd_create = {
	"create",
	"the same as sign (imgtool's other name for it)",
	"create [-k KEY] -v VERSION -H SIZE -S SIZE [OPTIONS] INFILE OUTFILE",
	sign_help,
	sign_exec,
};

/* The entry this run is: sign, or create (main() set cli.cmd). */
static const struct cmd_entry *sign_self(void)
{
	return cli.cmd != NULL && strcmp(cli.cmd, cmd_create.name) == 0 ? &cmd_create : &cmd_sign;
}

enum {
	O_PAD_HEADER = OPT_FIRST_FREE,
	O_PAD,
	O_CONFIRM,
	O_TEST,
	O_ALIGN,
	O_MAX_ALIGN,
	O_OVERWRITE_ONLY,
	O_PUBKEY_FORMAT,
	O_NON_BOOTABLE,
	O_CUSTOM_TLV,
	O_CUSTOM_TLV_FILE,
	O_SHA,
	O_PURE,
	O_ENC_KEYLEN,
	O_HMAC_SHA,
	O_SAVE_ENCTLV,
	O_VECTOR,
	O_FIX_SIG,
	O_FIX_SIG_PUBKEY,
	O_SIG_OUT,
	O_SIGNER,
	O_BOOT_RECORD,
	O_VID,
	O_CID,
	O_PAD_SIG,
	O_COMPRESSION,
	O_UNSUPPORTED_ARG,
	O_UNSUPPORTED_FLAG,
};

/* Inside sign_exec: every exit goes through `out:` (nothing leaks). */
#define USAGE(...)                                         \
	do {                                               \
		rc = cli_usage(sign_self(), __VA_ARGS__);  \
		goto out;                                  \
	} while (0)
#define FAIL(code)         \
	do {               \
		rc = (code); \
		goto out;  \
	} while (0)
#define NUM(opt, var)                                                                        \
	do {                                                                                 \
		if (image_number_parse(optarg, &(var)) < 0)                                           \
			USAGE("invalid %s '%s' (a number up to 0xffffffff, decimal or 0x hex)", \
			      opt, optarg);                                                  \
	} while (0)

/* "(1,1.2.3+4), (2, 0.9)" */
static int parse_deps(const char *s, struct image_dep **out, size_t *n)
{
	const char *p = s;
	struct image_dep *deps = NULL;
	size_t cnt = 0;

	for (;;) {
		char ver[64];
		size_t vl = 0;
		uint32_t id = 0;
		struct image_dep *nd;

		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		if (*p++ != '(')
			goto bad;
		while (*p == ' ')
			p++;
		if (*p < '0' || *p > '9')
			goto bad;
		while (*p >= '0' && *p <= '9') {
			id = id * 10 + (uint32_t)(*p++ - '0');
			if (id > 255)
				goto bad;
		}
		while (*p == ' ')
			p++;
		if (*p++ != ',')
			goto bad;
		while (*p == ' ')
			p++;
		while (((*p >= '0' && *p <= '9') || *p == '.' || *p == '+') && vl < sizeof(ver) - 1)
			ver[vl++] = *p++;
		ver[vl] = '\0';
		while (*p == ' ')
			p++;
		if (*p++ != ')')
			goto bad;
		nd = realloc(deps, (cnt + 1) * sizeof(*deps));
		if (nd == NULL)
			goto bad;
		deps = nd;
		deps[cnt].image_id = (uint8_t)id;
		if (image_version_parse(ver, &deps[cnt].version, NULL) < 0)
			goto bad;
		cnt++;
	}
	if (cnt == 0)
		goto bad;
	*out = deps;
	*n = cnt;
	return 0;
bad:
	free(deps);
	return -1;
}

/* A --custom-tlv VALUE: "0x..." hex bytes, else the string's bytes. */
static int custom_value(const char *v, uint8_t **out, size_t *len)
{
	size_t n = strlen(v), i;

	if (v[0] == '0' && v[1] == 'x') {
		if ((n - 2) % 2 != 0)
			return -1;
		*len = (n - 2) / 2;
		*out = malloc(*len ? *len : 1);
		if (*out == NULL)
			return -1;
		for (i = 0; i < *len; i++) {
			unsigned b;

			if (sscanf(v + 2 + 2 * i, "%2x", &b) != 1 ||
			    !strchr("0123456789abcdefABCDEF", v[2 + 2 * i]) ||
			    !strchr("0123456789abcdefABCDEF", v[3 + 2 * i])) {
				free(*out);
				return -1;
			}
			(*out)[i] = (uint8_t)b;
		}
		return 0;
	}
	*len = n;
	*out = malloc(n ? n : 1);
	if (*out == NULL)
		return -1;
	memcpy(*out, v, n);
	return 0;
}

/* Read imgtool's base64 signature file. */
static int read_sig(const char *path, uint8_t **sig, size_t *len)
{
	struct mcuprov_err err;
	uint8_t *b64 = NULL, *out = NULL;
	size_t b64len = 0;
	EVP_ENCODE_CTX *ctx = NULL;
	int n1 = 0, n2 = 0, rc = EXIT_FAIL;

	err_clear(&err);
	if (file_read(path, 16384, &b64, &b64len, NULL, &err) < 0)
		return cli_fail(&err);
	out = malloc(b64len);
	ctx = EVP_ENCODE_CTX_new();
	if (out == NULL || ctx == NULL)
		goto out;
	EVP_DecodeInit(ctx);
	if (EVP_DecodeUpdate(ctx, out, &n1, b64, (int)b64len) < 0 ||
	    EVP_DecodeFinal(ctx, out + n1, &n2) != 1 || n1 + n2 == 0) {
		fprintf(stderr, "mcuprov: sign: '%s': not a base64 signature (imgtool's format)\n",
			path);
		goto out;
	}
	*sig = out;
	*len = (size_t)(n1 + n2);
	out = NULL;
	rc = EXIT_OK;
out:
	EVP_ENCODE_CTX_free(ctx);
	free(out);
	free(b64);
	return rc;
}

static int write_sig(const char *path, const uint8_t *sig, size_t len)
{
	struct mcuprov_err err;
	char *b64 = malloc(4 * ((len + 2) / 3) + 1);
	int rc;

	if (b64 == NULL)
		return EXIT_FAIL;
	EVP_EncodeBlock((unsigned char *)b64, sig, (int)len);
	err_clear(&err);
	rc = file_write_atomic(path, b64, strlen(b64), FILE_WRITE_FORCE, &err) < 0 ? cli_fail(&err)
										   : EXIT_OK;
	free(b64);
	return rc;
}

/* the signer's stderr, passed on as it is */
static void signer_stderr(void *arg, const char *line)
{
	(void)arg;
	fprintf(stderr, "%s\n", line);
}

static int sign_exec(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "version", required_argument, NULL, 'v' },
		{ "header-size", required_argument, NULL, 'H' },
		{ "pad-header", no_argument, NULL, O_PAD_HEADER },
		{ "slot-size", required_argument, NULL, 'S' },
		{ "pad", no_argument, NULL, O_PAD },
		{ "confirm", no_argument, NULL, O_CONFIRM },
		{ "test", no_argument, NULL, O_TEST },
		{ "align", required_argument, NULL, O_ALIGN },
		{ "max-align", required_argument, NULL, O_MAX_ALIGN },
		{ "max-sectors", required_argument, NULL, 'M' },
		{ "overwrite-only", no_argument, NULL, O_OVERWRITE_ONLY },
		{ "erased-val", required_argument, NULL, 'R' },
		{ "security-counter", required_argument, NULL, 's' },
		{ "dependencies", required_argument, NULL, 'd' },
		{ "public-key-format", required_argument, NULL, O_PUBKEY_FORMAT },
		{ "rom-fixed", required_argument, NULL, 'F' },
		{ "load-addr", required_argument, NULL, 'L' },
		{ "non-bootable", no_argument, NULL, O_NON_BOOTABLE },
		{ "custom-tlv", required_argument, NULL, O_CUSTOM_TLV },
		{ "custom-tlv-file", required_argument, NULL, O_CUSTOM_TLV_FILE },
		{ "sha", required_argument, NULL, O_SHA },
		{ "pure", no_argument, NULL, O_PURE },
		{ "hex-addr", required_argument, NULL, 'x' },
		{ "vector-to-sign", required_argument, NULL, O_VECTOR },
		{ "fix-sig", required_argument, NULL, O_FIX_SIG },
		{ "fix-sig-pubkey", required_argument, NULL, O_FIX_SIG_PUBKEY },
		{ "sig-out", required_argument, NULL, O_SIG_OUT },
		{ "signer", required_argument, NULL, O_SIGNER },
		{ "passin", required_argument, NULL, OPT_PASSIN },
		/* imgtool options a later mcuprov supports: refused, not ignored */
		{ "encrypt", required_argument, NULL, 'E' },
		{ "encrypt-keylen", required_argument, NULL, O_ENC_KEYLEN },
		{ "hmac-sha", required_argument, NULL, O_HMAC_SHA },
		{ "compression", required_argument, NULL, O_COMPRESSION },
		{ "boot-record", required_argument, NULL, O_BOOT_RECORD },
		{ "vid", required_argument, NULL, O_VID },
		{ "cid", required_argument, NULL, O_CID },
		{ "endian", required_argument, NULL, 'e' },
		{ "save-enctlv", no_argument, NULL, O_SAVE_ENCTLV },
		{ "clear", no_argument, NULL, 'c' },
		{ "pad-sig", no_argument, NULL, O_PAD_SIG },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct image_sign_opts o;
	struct image_enc_opts eo;
	struct mcuprov_key *enckey = NULL;
	const char *encpath = NULL;
	struct image_sign_result res;
	struct mcuprov_err err;
	struct mcuprov_key *key = NULL, *fixkey = NULL;
	const char *keypath = NULL, *passin = NULL, *fixpub = NULL, *fixsig = NULL, *sigout = NULL;
	const char *signer = NULL;
	char **signer_argv = NULL;
	size_t signer_argc = 0;
	bool have_v = false, have_H = false, have_S = false, test = false;
	uint8_t *sig = NULL;
	size_t i;
	uint32_t n;
	int opt, rc = EXIT_FAIL, longidx = 0;

	image_sign_opts_init(&o);
	image_enc_opts_init(&eo);
	err_clear(&err);
	while ((opt = getopt_long(argc, argv, ":k:v:H:S:M:R:s:d:F:L:x:E:e:ch", longopts, &longidx)) !=
	       -1) {
		switch (opt) {
		case 'k': keypath = optarg; break;
		case 'v':
			if (image_version_parse(optarg, &o.version, &err) < 0)
				USAGE("%s", err.msg);
			have_v = true;
			break;
		case 'H':
			NUM("-H/--header-size", o.header_size);
			have_H = true;
			break;
		case O_PAD_HEADER: o.pad_header = true; break;
		case 'S':
			NUM("-S/--slot-size", o.slot_size);
			/* 0 would be "no slot": no fit check at all */
			if (o.slot_size == 0)
				USAGE("invalid -S/--slot-size '%s' (the size of the slot the "
				      "image must fit, more than 0)",
				      optarg);
			have_S = true;
			break;
		case O_PAD: o.pad = true; break;
		case O_CONFIRM: o.confirm = o.pad = true; break;
		case O_TEST: test = o.pad = true; break;
		case O_ALIGN: NUM("--align", o.align); break;
		case O_MAX_ALIGN:
			NUM("--max-align", o.max_align);
			if (o.max_align == 0) /* 0 would be the default */
				USAGE("invalid --max-align '%s' (8, 16 or 32)", optarg);
			break;
		case 'M':
			NUM("-M/--max-sectors", o.max_sectors);
			if (o.max_sectors == 0) /* 0 would be the default, 128 */
				USAGE("invalid -M/--max-sectors '%s' (the sectors of the swap "
				      "status area, 1 or more)",
				      optarg);
			break;
		case O_OVERWRITE_ONLY: o.overwrite_only = true; break;
		case 'R':
			if (strcmp(optarg, "0") == 0)
				o.erased_val = 0;
			else if (strcmp(optarg, "0xff") == 0 || strcmp(optarg, "0xFF") == 0)
				o.erased_val = 0xff;
			else
				USAGE("invalid -R/--erased-val '%s' (0 or 0xff)",
						 optarg);
			break;
		case 's':
			o.has_security_counter = true;
			if (strcasecmp(optarg, "auto") == 0)
				o.security_counter_auto = true;
			else
				NUM("-s/--security-counter", o.security_counter);
			break;
		case 'd':
			free(o.deps);
			if (parse_deps(optarg, &o.deps, &o.n_deps) < 0)
				USAGE(
						 "invalid -d/--dependencies '%s' (\"(ID,VERSION), "
						 "...\")",
						 optarg);
			break;
		case O_PUBKEY_FORMAT:
			if (strcmp(optarg, "hash") == 0)
				o.public_key_full = false;
			else if (strcmp(optarg, "full") == 0)
				o.public_key_full = true;
			else
				USAGE(
						 "invalid --public-key-format '%s' (hash or full)",
						 optarg);
			break;
		case 'F':
			NUM("-F/--rom-fixed", o.rom_fixed);
			o.has_rom_fixed = true;
			break;
		case 'L':
			NUM("-L/--load-addr", o.load_addr);
			o.has_load_addr = true;
			break;
		case O_NON_BOOTABLE: o.non_bootable = true; break;
		case O_CUSTOM_TLV:
		case O_CUSTOM_TLV_FILE: {
			struct image_custom_tlv *c;
			const char *val;

			/* two arguments: TAG (optarg) and VALUE (the next word) */
			if (optind >= argc)
				USAGE("option '--%s' needs TAG and VALUE",
						 longopts[longidx].name);
			val = argv[optind++];
			c = realloc(o.custom, (o.n_custom + 1) * sizeof(*c));
			if (c == NULL)
				FAIL(EXIT_FAIL);
			o.custom = c;
			c = &o.custom[o.n_custom];
			if (image_number_parse(optarg, &n) < 0 || n > 0xffff)
				USAGE("invalid custom TLV tag '%s'", optarg);
			c->tag = (uint16_t)n;
			if (opt == O_CUSTOM_TLV) {
				if (custom_value(val, &c->value, &c->len) < 0)
					USAGE(
							 "invalid custom TLV value '%s' (0x followed "
							 "by an even number of hex digits, or a "
							 "string)",
							 val);
			} else {
				if (file_read(val, 0xffff, &c->value, &c->len, NULL, &err) < 0)
					FAIL(cli_fail(&err));
			}
			o.n_custom++;
			break;
		}
		case O_SHA:
			if (strcmp(optarg, "auto") == 0)
				o.sha = IMAGE_SHA_AUTO;
			else if (strcmp(optarg, "256") == 0)
				o.sha = IMAGE_SHA_256;
			else if (strcmp(optarg, "384") == 0)
				o.sha = IMAGE_SHA_384;
			else if (strcmp(optarg, "512") == 0)
				o.sha = IMAGE_SHA_512;
			else
				USAGE("invalid --sha '%s' (auto, 256, 384 or 512)",
						 optarg);
			break;
		case O_PURE: o.pure = true; break;
		case 'x':
			NUM("-x/--hex-addr", o.hex_addr);
			o.has_hex_addr = true;
			break;
		case O_VECTOR:
			if (strcmp(optarg, "payload") == 0)
				o.vector_to_sign = IMAGE_VECTOR_PAYLOAD;
			else if (strcmp(optarg, "digest") == 0)
				o.vector_to_sign = IMAGE_VECTOR_DIGEST;
			else
				USAGE(
						 "invalid --vector-to-sign '%s' (payload or digest)",
						 optarg);
			break;
		case O_FIX_SIG: fixsig = optarg; break;
		case O_FIX_SIG_PUBKEY: fixpub = optarg; break;
		case O_SIG_OUT: sigout = optarg; break;
		case O_SIGNER:
			if (signer != NULL)
				USAGE("--signer given twice (give the command and its arguments "
				      "as one string)");
			signer = optarg;
			break;
		case OPT_PASSIN: passin = optarg; break;
		case 'E': encpath = optarg; break;
		case O_ENC_KEYLEN:
			if (strcmp(optarg, "128") != 0 && strcmp(optarg, "256") != 0)
				USAGE("invalid --encrypt-keylen '%s' (128 or 256)", optarg);
			eo.keylen = optarg[0] == '1' ? 128 : 256;
			break;
		case O_HMAC_SHA:
			if (strcmp(optarg, "auto") == 0)
				eo.hmac = IMAGE_HMAC_AUTO;
			else if (strcmp(optarg, "256") == 0)
				eo.hmac = IMAGE_HMAC_256;
			else if (strcmp(optarg, "512") == 0)
				eo.hmac = IMAGE_HMAC_512;
			else
				USAGE("invalid --hmac-sha '%s' (auto, 256 or 512)", optarg);
			break;
		case O_SAVE_ENCTLV: eo.save_enctlv = true; break;
		case 'c': eo.clear = true; break;
		case 'e':
			if (strcmp(optarg, "little") == 0 || strcmp(optarg, "big") == 0)
				o.big_endian = optarg[0] == 'b';
			else
				USAGE("invalid -e/--endian '%s' (little or big)", optarg);
			break;
		case O_BOOT_RECORD: o.boot_record = optarg; break;
		case O_VID: o.vid = optarg; break;
		case O_CID: o.cid = optarg; break;
		case O_PAD_SIG: o.pad_sig = true; break;
		case O_COMPRESSION:
			if (strcmp(optarg, "disabled") == 0)
				o.compression = IMAGE_COMP_NONE;
			else if (strcmp(optarg, "lzma2") == 0)
				o.compression = IMAGE_COMP_LZMA2;
			else if (strcmp(optarg, "lzma2armthumb") == 0)
				o.compression = IMAGE_COMP_LZMA2_ARMTHUMB;
			else
				USAGE("invalid --compression '%s' (disabled, lzma2 or lzma2armthumb)",
				      optarg);
			break;
		case O_UNSUPPORTED_ARG:
		case O_UNSUPPORTED_FLAG:
			fprintf(stderr, "mcuprov: sign: --%s is not supported yet\n",
				longopts[longidx].name);
			FAIL(EXIT_FAIL);
		default:
			if ((rc = cli_common_option(sign_self(), opt, argv)) >= 0)
				goto out;
		}
	}
	if (argc - optind != 2)
		USAGE(argc - optind < 2 ? "missing INFILE and OUTFILE"
							      : "too many arguments");
	o.infile = argv[optind];
	o.outfile = argv[optind + 1];
	if (!have_v)
		USAGE("missing -v/--version");
	if (!have_H)
		USAGE("missing -H/--header-size");
	if (!have_S)
		USAGE("missing -S/--slot-size");
	if (test && o.confirm)
		USAGE("--test and --confirm exclude each other");
	if (fixsig != NULL && fixpub == NULL)
		USAGE("--fix-sig needs --fix-sig-pubkey");
	if (fixsig != NULL && keypath != NULL)
		USAGE("give either -k/--key or --fix-sig, not both");
	if (signer != NULL) {
		switch (str_split_words(signer, &signer_argv, &signer_argc)) {
		case 0: break;
		case -2: USAGE("invalid --signer '%s' (a quote is not closed)", signer);
		case -3: USAGE("invalid --signer '%s' (a \\ ends it)", signer);
		default: FAIL(EXIT_FAIL);
		}
		if (signer_argc == 0)
			USAGE("invalid --signer '%s' (no command)", signer);
		if (keypath == NULL)
			USAGE("--signer needs -k/--key, the public key its signatures verify with");
		if (fixsig != NULL)
			USAGE("give either --signer or --fix-sig, not both");
		if (o.vector_to_sign != IMAGE_VECTOR_NONE)
			USAGE("give either --signer or --vector-to-sign, not both");
		o.signer_argv = (const char *const *)signer_argv;
		o.signer_on_line = signer_stderr;
	}
	if (sigout != NULL && keypath == NULL && fixsig == NULL)
		USAGE("--sig-out needs a signature (-k or --fix-sig)");

	/* a token key signs with its PIN; read without it when something else
	 * signs (--signer, --vector-to-sign) and for the other keys, which
	 * are public halves */
	if (signer != NULL || o.vector_to_sign != IMAGE_VECTOR_NONE)
		cli.key_load_flags = KEY_LOAD_PUBLIC;
	if (keypath != NULL && (rc = cli_load_key(keypath, passin, &key)) != EXIT_OK)
		goto out;
	cli.key_load_flags = KEY_LOAD_PUBLIC;
	if (fixpub != NULL && (rc = cli_load_key(fixpub, passin, &fixkey)) != EXIT_OK)
		goto out;
	if (fixsig != NULL && (rc = read_sig(fixsig, &sig, &o.fix_sig_len)) != EXIT_OK)
		goto out;
	if (encpath != NULL) { /* imgtool ignores the other encryption options without -E */
		if ((rc = cli_load_key(encpath, passin, &enckey)) != EXIT_OK)
			goto out;
		eo.key = enckey;
		o.enc = &eo;
	}
	o.key = key;
	o.fix_sig = sig;
	o.fix_sig_pubkey = fixkey;
	if (image_sign(&o, &res, &err) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	if (sigout != NULL && res.sig_len > 0 &&
	    (rc = write_sig(sigout, res.sig, res.sig_len)) != EXIT_OK)
		goto out;
	if (o.vector_to_sign == IMAGE_VECTOR_NONE)
		printf("signed '%s' -> '%s': %llu bytes, version %u.%u.%u+%u, %s%s\n", o.infile,
		       o.outfile, (unsigned long long)res.out_size, o.version.major, o.version.minor,
		       o.version.revision, o.version.build,
		       key ? key_type_name(key->type) : fixkey ? "external signature" : "hash only",
		       signer != NULL ? " (by the --signer)" : "");
	else
		printf("wrote the %s to sign to '%s' (%llu bytes)\n",
		       o.vector_to_sign == IMAGE_VECTOR_DIGEST ? "digest" : "payload", o.outfile,
		       (unsigned long long)res.out_size);
	if (o.vector_to_sign == IMAGE_VECTOR_NONE && o.compression != IMAGE_COMP_NONE)
		printf("%s: payload %llu -> %llu bytes%s\n",
		       o.compression == IMAGE_COMP_LZMA2 ? "lzma2" : "lzma2armthumb",
		       (unsigned long long)res.decomp_size, (unsigned long long)res.comp_size + 2,
		       res.compressed ? "" : " (not smaller with the DECOMP TLVs: not compressed)");
	rc = EXIT_OK;
out:
	for (i = 0; i < o.n_custom; i++)
		free(o.custom[i].value);
	free(o.custom);
	free(o.deps);
	free(sig);
	free(signer_argv);
	key_free(key);
	key_free(fixkey);
	key_free(enckey);
	return rc;
}
