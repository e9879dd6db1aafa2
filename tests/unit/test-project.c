/* Unit tests: the project file (mcuprov.yaml): loading, every schema error
 * with its exact message and position, ${var} expansion, the profiles in
 * templates/targets (each loads, and every step of every target expands to
 * the exact argv written here: what `--dry-run` will print), and the
 * profile lookup of `mcuprov init`.
 *
 * `test-project --dump NAME...` prints the expansion of the named profiles
 * in the format of the expected texts below. */
#include "config.h"

#include "unit.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "mcuprov/datadir.h"
#include "mcuprov/fileio.h"
#include "mcuprov/project.h"

#define HEAD                          \
	"version: 1\n"                \
	"keys:\n"                     \
	"  - path: keys/signing.pem\n" \
	"    type: ed25519\n"
#define IMAGE                    \
	"image:\n"               \
	"  header_size: 0x200\n" \
	"  slot_size: 0x20000\n" \
	"  version: 1.0.0\n"
#define BASE HEAD IMAGE /* 8 lines */
#define TGT                      \
	"targets:\n"             \
	"  demo:\n"              \
	"    app: a.bin\n"       \
	"    signed_app: s.bin\n" /* lines 9-12 */

/* ---- helpers ------------------------------------------------------------- */

static int load(const char *text, size_t len, struct project **p, struct mcuprov_err *err)
{
	err_clear(err);
	return project_load_mem("mcuprov.yaml", "/proj", text, len, p, err);
}

static struct project *load_ok(const char *text)
{
	struct project *p = NULL;
	struct mcuprov_err err;

	if (load(text, strlen(text), &p, &err) < 0)
		fail_msg("load failed: %s", err.msg);
	assert_non_null(p);
	return p;
}

static void load_fails(const char *text, size_t len, const char *want)
{
	struct project *p = NULL;
	struct mcuprov_err err;

	assert_int_equal(load(text, len, &p, &err), MCUPROV_ERR_FORMAT);
	assert_null(p);
	assert_int_equal(err.code, MCUPROV_ERR_FORMAT);
	assert_string_equal(err.subject, "");
	assert_string_equal(err.msg, want);
}

struct text {
	char *s;
	size_t len;
};

static void add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	assert_true(n >= 0);
	t->s = realloc(t->s, t->len + (size_t)n + 1);
	assert_non_null(t->s);
	va_start(ap, fmt);
	vsnprintf(t->s + t->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	t->len += (size_t)n;
}

/* Every step of list S of target T, expanded, one line each:
 *   NAME[i]: <word> <word> ... */
static void dump_steps(struct text *out, const struct project *p, const struct project_target *t,
		       const char *name, const struct project_steps *s)
{
	struct mcuprov_err err;
	size_t i;

	for (i = 0; i < s->n; i++) {
		char **argv = NULL;
		size_t j;

		err_clear(&err);
		if (project_expand(p, t, (const char *const *)s->v[i].argv, &argv, &err) < 0)
			fail_msg("%s[%zu]: %s", name, i, err.msg);
		add(out, "%s[%zu]:", name, i);
		for (j = 0; argv[j] != NULL; j++)
			add(out, " <%s>", argv[j]);
		add(out, "\n");
		assert_int_equal(j, s->v[i].argc);
		project_argv_free(argv);
	}
}

/* The whole project P as text: keys, bootloader, image, each target's
 * app, signed_app and expanded steps. */
static char *dump(const struct project *p)
{
	struct text out = { NULL, 0 };
	size_t i;

	add(&out, "%s", "");
	for (i = 0; i < p->n_keys; i++)
		add(&out, "key %s %s\n", key_type_name(p->keys[i].type), p->keys[i].abspath);
	if (p->bootloader.kind != PROJECT_BOOT_NONE)
		add(&out, "bootloader %s %s\n",
		    p->bootloader.kind == PROJECT_BOOT_KEYS_C ? "keys_c" : "conf",
		    p->bootloader.path);
	add(&out, "image header 0x%x slot 0x%x align %u version %s%s%s%s%s\n",
	    p->image.header_size, p->image.slot_size, p->image.align, p->image.version_text,
	    p->image.security_counter_auto ? " security_counter auto" : "",
	    p->image.pad ? " pad" : "", p->image.confirm ? " confirm" : "",
	    p->image.pad_header ? " pad_header" : "");
	if (p->default_target != NULL)
		add(&out, "default %s\n", p->default_target);
	for (i = 0; i < p->n_targets; i++) {
		const struct project_target *t = &p->targets[i];

		add(&out, "target %s\n", t->name);
		add(&out, "app %s\n", t->app);
		add(&out, "signed_app %s\n", t->signed_app);
		dump_steps(&out, p, t, "bootloader_build", &t->bootloader_build);
		dump_steps(&out, p, t, "app_build", &t->app_build);
		dump_steps(&out, p, t, "flash", &t->flash);
		dump_steps(&out, p, t, "run", &t->run);
	}
	return out.s;
}

/* The profile NAME from the source tree, loaded as /proj/mcuprov.yaml. */
static struct project *load_profile(const char *name)
{
	char path[4096];
	uint8_t *text = NULL;
	size_t len = 0;
	struct project *p = NULL;
	struct mcuprov_err err;

	snprintf(path, sizeof(path), "%s/targets/%s.yaml", MCUPROV_SRC_TEMPLATES, name);
	err_clear(&err);
	if (file_read(path, PROJECT_FILE_MAX, &text, &len, NULL, &err) < 0)
		fail_msg("%s: %s", path, err.msg);
	if (project_load_mem(path, "/proj", (const char *)text, len, &p, &err) < 0)
		fail_msg("%s", err.msg);
	free(text);
	return p;
}

/* ---- expected expansion of every profile (paths from /proj) -------------- */

static const char want_zephyr_sysbuild[] =
	"key ed25519 /proj/keys/signing.pem\n"
	"bootloader conf /proj/app/sysbuild/mcuboot.conf\n"
	"image header 0x200 slot 0x76000 align 4 version 0.1.0 security_counter auto\n"
	"default nrf52840dk\n"
	"target nrf52840dk\n"
	"app build/app/zephyr/zephyr.bin\n"
	"signed_app build/app/zephyr/zephyr.mcuprov.bin\n"
	"bootloader_build[0]: <west> <build> <--sysbuild> <-b> <nrf52840dk/nrf52840> <-d>"
	" <build> <app> <--> <-DSB_CONFIG_BOOTLOADER_MCUBOOT=y>"
	" <-DSB_CONFIG_BOOT_SIGNATURE_TYPE_ED25519=y>"
	" <-DSB_CONFIG_BOOT_SIGNATURE_KEY_FILE=\"/proj/keys/signing.pem\">\n"
	"app_build[0]: <west> <build> <-d> <build>\n"
	"flash[0]: <west> <flash> <-d> <build> <--domain> <mcuboot>\n"
	"flash[1]: <west> <flash> <-d> <build> <--domain> <app> <--runner> <jlink>"
	" <--dt-flash=y> <--bin-file> <build/app/zephyr/zephyr.mcuprov.bin>\n";

static const char want_zephyr[] =
	"key ed25519 /proj/keys/signing.pem\n"
	"bootloader conf /proj/mcuboot.conf\n"
	"image header 0x200 slot 0x76000 align 4 version 0.1.0 security_counter auto\n"
	"default nrf52840dk\n"
	"target nrf52840dk\n"
	"app build/app/zephyr/zephyr.bin\n"
	"signed_app build/app/zephyr/zephyr.mcuprov.bin\n"
	"bootloader_build[0]: <west> <build> <-b> <nrf52840dk/nrf52840> <-d>"
	" <build/mcuboot> <../bootloader/mcuboot/boot/zephyr> <-->"
	" <-DEXTRA_CONF_FILE=/proj/mcuboot.conf>\n"
	"app_build[0]: <west> <build> <-b> <nrf52840dk/nrf52840> <-d> <build/app> <app>"
	" <--> <-DCONFIG_BOOTLOADER_MCUBOOT=y>\n"
	"flash[0]: <west> <flash> <-d> <build/mcuboot>\n"
	"flash[1]: <west> <flash> <-d> <build/app> <--runner> <jlink> <--dt-flash=y>"
	" <--bin-file> <build/app/zephyr/zephyr.mcuprov.bin>\n";

static const char want_ncs[] =
	"key ecdsa-p256 /proj/keys/signing.pem\n"
	"bootloader conf /proj/app/child_image/mcuboot.conf\n"
	"image header 0x200 slot 0x76000 align 4 version 0.1.0 security_counter auto\n"
	"default nrf52840dk\n"
	"target nrf52840dk\n"
	"app build/zephyr/zephyr.bin\n"
	"signed_app build/zephyr/zephyr.mcuprov.bin\n"
	"bootloader_build[0]: <west> <build> <-b> <nrf52840dk_nrf52840> <-d> <build>"
	" <app>\n"
	"app_build[0]: <west> <build> <-d> <build>\n"
	"flash[0]: <nrfjprog> <--program> <build/mcuboot/zephyr/zephyr.hex>"
	" <--sectorerase> <--verify>\n"
	"flash[1]: <arm-none-eabi-objcopy> <-I> <binary> <-O> <ihex> <--change-addresses>"
	" <0xc000> <build/zephyr/zephyr.mcuprov.bin> <build/zephyr/zephyr.mcuprov.hex>\n"
	"flash[2]: <nrfjprog> <--program> <build/zephyr/zephyr.mcuprov.hex>"
	" <--sectorerase> <--verify> <--reset>\n";

static const char want_cmake[] =
	"key ecdsa-p256 /proj/keys/signing.pem\n"
	"bootloader keys_c /proj/bootloader/keys.c\n"
	"image header 0x200 slot 0x20000 align 8 version 0.1.0 security_counter auto\n"
	"default pyocd\n"
	"target pyocd\n"
	"app build/app/app.bin\n"
	"signed_app build/app/app.signed.bin\n"
	"bootloader_build[0]: <cmake> <-S> <bootloader> <-B> <build/bootloader> <-G>"
	" <Ninja> <-DCMAKE_TOOLCHAIN_FILE=/proj/cmake/arm-none-eabi.cmake>\n"
	"bootloader_build[1]: <cmake> <--build> <build/bootloader>\n"
	"app_build[0]: <cmake> <-S> <app> <-B> <build/app> <-G> <Ninja>"
	" <-DCMAKE_TOOLCHAIN_FILE=/proj/cmake/arm-none-eabi.cmake>\n"
	"app_build[1]: <cmake> <--build> <build/app>\n"
	"flash[0]: <pyocd> <flash> <-t> <stm32l475vg> <build/bootloader/bootloader.hex>\n"
	"flash[1]: <pyocd> <flash> <-t> <stm32l475vg> <--base-address> <0x08010000>"
	" <build/app/app.signed.bin>\n"
	"target jlink\n"
	"app build/app/app.bin\n"
	"signed_app build/app/app.signed.bin\n"
	"bootloader_build[0]: <cmake> <-S> <bootloader> <-B> <build/bootloader> <-G>"
	" <Ninja> <-DCMAKE_TOOLCHAIN_FILE=/proj/cmake/arm-none-eabi.cmake>\n"
	"bootloader_build[1]: <cmake> <--build> <build/bootloader>\n"
	"app_build[0]: <cmake> <-S> <app> <-B> <build/app> <-G> <Ninja>"
	" <-DCMAKE_TOOLCHAIN_FILE=/proj/cmake/arm-none-eabi.cmake>\n"
	"app_build[1]: <cmake> <--build> <build/app>\n"
	"flash[0]: <sh> <-c>"
	" <printf \"loadfile %s\\nloadbin %s %s\\nr\\ng\\nexit\\n\" \"$1\" \"$2\" \"$3\" >\"$4\"> "
	"<sh>"
	" <build/bootloader/bootloader.hex> <build/app/app.signed.bin> <0x08010000>"
	" <build/flash.jlink>\n"
	"flash[1]: <JLinkExe> <-device> <STM32L475VG> <-if> <SWD> <-speed> <4000>"
	" <-autoconnect> <1> <-NoGui> <1> <-ExitOnError> <1> <-CommandFile>"
	" <build/flash.jlink>\n";

static const char want_make[] =
	"key ecdsa-p256 /proj/keys/signing.pem\n"
	"bootloader keys_c /proj/bootloader/src/keys.c\n"
	"image header 0x200 slot 0x20000 align 1 version 0.1.0 security_counter auto\n"
	"default openocd\n"
	"target openocd\n"
	"app /proj/build/app/app.bin\n"
	"signed_app /proj/build/app/app.signed.bin\n"
	"bootloader_build[0]: <make> <-C> <bootloader>"
	" <BUILD_DIR=/proj/build/bootloader>\n"
	"app_build[0]: <make> <-C> <app> <BUILD_DIR=/proj/build/app>\n"
	"flash[0]: <openocd> <-f> <board/st_nucleo_f4.cfg> <-c>"
	" <program /proj/build/bootloader/bootloader.elf verify reset exit>\n"
	"flash[1]: <openocd> <-f> <board/st_nucleo_f4.cfg> <-c>"
	" <program /proj/build/app/app.signed.bin 0x08020000 verify reset exit>\n"
	"target st-flash\n"
	"app /proj/build/app/app.bin\n"
	"signed_app /proj/build/app/app.signed.bin\n"
	"bootloader_build[0]: <make> <-C> <bootloader>"
	" <BUILD_DIR=/proj/build/bootloader>\n"
	"app_build[0]: <make> <-C> <app> <BUILD_DIR=/proj/build/app>\n"
	"flash[0]: <st-flash> <write> </proj/build/bootloader/bootloader.bin>"
	" <0x08000000>\n"
	"flash[1]: <st-flash> <--reset> <write> </proj/build/app/app.signed.bin>"
	" <0x08020000>\n";

static const char want_esp32[] =
	"key ecdsa-p256 /proj/keys/signing.pem\n"
	"image header 0x20 slot 0x100000 align 4 version 0.1.0 security_counter auto pad_header\n"
	"target esp32\n"
	"app build/app/app.bin\n"
	"signed_app build/app/app.signed.bin\n"
	"bootloader_build[0]: <cmake> <-S> </proj/../mcuboot/boot/espressif> <-B>"
	" <build/mcuboot> <-G> <Ninja>"
	" <-DCMAKE_TOOLCHAIN_FILE=/proj/../mcuboot/boot/espressif/tools/toolchain-esp32.cmake>"
	" <-DMCUBOOT_TARGET=esp32>"
	" <-DESP_HAL_PATH=/proj/../mcuboot/boot/espressif/hal/esp-idf>"
	" <-DMCUBOOT_CONFIG_FILE=/proj/bootloader.conf>\n"
	"bootloader_build[1]: <ninja> <-C> <build/mcuboot>\n"
	"app_build[0]: <cmake> <-S> <app> <-B> <build/app> <-G> <Ninja>\n"
	"app_build[1]: <ninja> <-C> <build/app>\n"
	"flash[0]: <esptool.py> <--chip> <esp32> <write_flash> <0x1000>"
	" <build/mcuboot/mcuboot_esp32.bin>\n"
	"flash[1]: <esptool.py> <--chip> <esp32> <write_flash> <0x10000>"
	" <build/app/app.signed.bin>\n";

static const char want_demo_qemu[] =
	"key ed25519 /proj/keys/demo-signing.pem\n"
	"bootloader keys_c /proj/build/demo-qemu/keys.c\n"
	"image header 0x200 slot 0x20000 align 1 version 1.2.3+4 pad_header\n"
	"default qemu\n"
	"target qemu\n"
	"app /proj/build/demo-qemu/app.bin\n"
	"signed_app /proj/build/demo-qemu/app.signed.bin\n"
	"bootloader_build[0]: <make> <-C> <@EXAMPLES@/demo-qemu> <O=/proj/build/demo-qemu>"
	" <KEYS_C=/proj/build/demo-qemu/keys.c> <SIGN_DEFINE=MCUBOOT_SIGN_ED25519>"
	" </proj/build/demo-qemu/loader.elf>\n"
	"app_build[0]: <make> <-C> <@EXAMPLES@/demo-qemu> <O=/proj/build/demo-qemu>"
	" <KEYS_C=/proj/build/demo-qemu/keys.c> <SIGN_DEFINE=MCUBOOT_SIGN_ED25519>"
	" </proj/build/demo-qemu/app.bin>\n"
	"run[0]: <qemu-system-arm> <-M> <lm3s6965evb> <-nographic> <-semihosting-config>"
	" <enable=on,target=native> <-kernel> </proj/build/demo-qemu/loader.elf>"
	" <-device> <loader,file=/proj/build/demo-qemu/app.signed.bin,addr=0x00010000>\n";

static const char want_mcuboot_qemu[] =
	"key ed25519 /proj/keys/signing.pem\n"
	"bootloader keys_c /proj/build/mcuboot-qemu/keys.c\n"
	"image header 0x200 slot 0x20000 align 1 version 1.2.3 pad_header\n"
	"default qemu\n"
	"target qemu\n"
	"app /proj/build/mcuboot-qemu/app.bin\n"
	"signed_app /proj/build/mcuboot-qemu/app.signed.bin\n"
	"bootloader_build[0]: <make> <-C> <@EXAMPLES@/mcuboot-qemu>"
	" <O=/proj/build/mcuboot-qemu> <MCUBOOT_DIR=/proj/../mcuboot>"
	" <KEYS_C=/proj/build/mcuboot-qemu/keys.c> <SIGN_DEFINE=MCUBOOT_SIGN_ED25519>"
	" </proj/build/mcuboot-qemu/mcuboot.elf>\n"
	"app_build[0]: <make> <-C> <@EXAMPLES@/mcuboot-qemu>"
	" <O=/proj/build/mcuboot-qemu> <MCUBOOT_DIR=/proj/../mcuboot>"
	" <KEYS_C=/proj/build/mcuboot-qemu/keys.c> <SIGN_DEFINE=MCUBOOT_SIGN_ED25519>"
	" </proj/build/mcuboot-qemu/app.bin>\n"
	"run[0]: <qemu-system-arm> <-M> <mps2-an385> <-nographic> <-semihosting-config>"
	" <enable=on,target=native> <-kernel> </proj/build/mcuboot-qemu/mcuboot.elf>"
	" <-device> <loader,file=/proj/build/mcuboot-qemu/app.signed.bin,addr=0x00020000>\n";

/* ---- profiles: each loads and expands to exactly these argvs -------------- */

struct profile_case {
	const char *name;
	const char *want;
};

static const struct profile_case profile_cases[] = {
	{ "zephyr-sysbuild", want_zephyr_sysbuild },
	{ "zephyr", want_zephyr },
	{ "ncs", want_ncs },
	{ "cmake", want_cmake },
	{ "make", want_make },
	{ "esp32", want_esp32 },
	{ "demo-qemu", want_demo_qemu },
	{ "mcuboot-qemu", want_mcuboot_qemu },
};

#define N_PROFILES (sizeof(profile_cases) / sizeof(profile_cases[0]))

/* S with every "@EXAMPLES@" replaced by the examples folder mcuprov finds
 * (${mcuprov_examples}); malloc'd. */
static char *with_examples(const char *s)
{
	const char *ex = datadir_examples(), *at;
	struct text out = { NULL, 0 };

	assert_non_null(ex);
	add(&out, "%s", "");
	while ((at = strstr(s, "@EXAMPLES@")) != NULL) {
		add(&out, "%.*s%s", (int)(at - s), s, ex);
		s = at + strlen("@EXAMPLES@");
	}
	add(&out, "%s", s);
	return out.s;
}

static void test_profile(void **state)
{
	const struct profile_case *c = *state;
	struct project *p = load_profile(c->name);
	char *got = dump(p), *want = with_examples(c->want);

	assert_string_equal(got, want);
	free(want);
	free(got);
	project_free(p);
}

/* Every file in templates/targets is a profile tested above, and
 * project_profiles() lists them with their first comment line. */
static void test_profiles_listed(void **state)
{
	struct project_profile *v = NULL;
	struct mcuprov_err err;
	size_t n = 0, i, j, found = 0;
	char *saved = getenv("MCUPROV_TEMPLATES") ? strdup(getenv("MCUPROV_TEMPLATES")) : NULL;

	unsetenv("MCUPROV_TEMPLATES");
	err_clear(&err);
	assert_int_equal(project_profiles(&v, &n, &err), 0);
	for (i = 0; i < n; i++) {
		if (i > 0)
			assert_true(strcmp(v[i - 1].name, v[i].name) < 0);
		/* an installed copy may add older profiles: only the source tree's */
		if (strncmp(v[i].path, MCUPROV_SRC_TEMPLATES "/targets/",
			    strlen(MCUPROV_SRC_TEMPLATES "/targets/")) != 0)
			continue;
		for (j = 0; j < N_PROFILES; j++)
			if (strcmp(v[i].name, profile_cases[j].name) == 0)
				break;
		if (j == N_PROFILES)
			fail_msg("profile '%s' has no expected argv in this test", v[i].name);
		assert_true(strlen(v[i].description) > 20);
		/* only the self-contained demo needs nothing; the others say in
		 * one line what the user supplies, and which var holds the
		 * folder it is about: every target sets it to the default
		 * (absolute from ${project_dir} where the tools need it) */
		if (strcmp(v[i].name, "demo-qemu") == 0) {
			assert_string_equal(v[i].needs, "");
			assert_string_equal(v[i].supply_var, "");
			assert_string_equal(v[i].supply_default, "");
		} else {
			struct project *p = load_profile(v[i].name);
			size_t t, k;

			assert_true(strlen(v[i].needs) > 20 && strlen(v[i].needs) < PROJECT_NEEDS_MAX);
			assert_true(v[i].supply_var[0] != '\0' && v[i].supply_default[0] != '\0');
			assert_non_null(strstr(v[i].needs, v[i].supply_default));
			for (t = 0; t < p->n_targets; t++) {
				const struct project_var *var = NULL;

				for (k = 0; k < p->targets[t].n_vars; k++)
					if (strcmp(p->targets[t].vars[k].name,
						   v[i].supply_var) == 0)
						var = &p->targets[t].vars[k];
				assert_non_null(var);
				if (strncmp(var->raw, "${project_dir}/", 15) == 0)
					assert_string_equal(var->raw + 15, v[i].supply_default);
				else
					assert_string_equal(var->raw, v[i].supply_default);
			}
			project_free(p);
		}
		found++;
	}
	assert_int_equal(found, N_PROFILES);
	assert_string_equal(v[0].name, "cmake");
	assert_string_equal(v[0].description,
			    "Generic CMake project (MCUboot port + app), flashed with pyOCD or "
			    "SEGGER J-Link");
	assert_string_equal(v[0].needs,
			    "your MCUboot port in bootloader/ (mcuprov writes its bootloader/keys.c), "
			    "your app in app/ and cmake/arm-none-eabi.cmake");
	assert_string_equal(v[0].supply_var, "bootloader_dir");
	assert_string_equal(v[0].supply_default, "bootloader");
	project_profiles_free(v, n);
	if (saved != NULL) {
		setenv("MCUPROV_TEMPLATES", saved, 1);
		free(saved);
	}
}

static void test_profile_find(void **state)
{
	struct mcuprov_err err;
	char *path = NULL;
	char dir[64], sub[128], file[192];
	FILE *f;

	unsetenv("MCUPROV_TEMPLATES");
	err_clear(&err);
	assert_int_equal(project_profile_find("ncs", &path, &err), 0);
	assert_string_equal(path, MCUPROV_SRC_TEMPLATES "/targets/ncs.yaml");
	free(path);
	assert_int_equal(project_profile_find("ncs.yaml", &path, &err), 0);
	assert_string_equal(path, MCUPROV_SRC_TEMPLATES "/targets/ncs.yaml");
	free(path);
	assert_int_equal(project_profile_find("./mine.yaml", &path, &err), 0);
	assert_string_equal(path, "./mine.yaml");
	free(path);
	assert_int_equal(project_profile_find("zephyr-sysbuil", &path, &err), MCUPROV_ERR_USAGE);
	assert_null(path);
	assert_string_equal(err.msg, "profile 'zephyr-sysbuil': not found (available: cmake, "
				     "demo-qemu, esp32, make, mcuboot-qemu, ncs, zephyr, "
				     "zephyr-sysbuild)");

	/* $MCUPROV_TEMPLATES/targets comes first and adds to the list */
	assert_int_equal(unit_mkdtemp(dir, sizeof(dir)), 0);
	snprintf(sub, sizeof(sub), "%s/targets", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(file, sizeof(file), "%s/ncs.yaml", sub);
	assert_non_null(f = fopen(file, "w"));
	fputs("# mine\n", f);
	fclose(f);
	snprintf(file, sizeof(file), "%s/aaa.yaml", sub);
	assert_non_null(f = fopen(file, "w"));
	fclose(f);
	setenv("MCUPROV_TEMPLATES", dir, 1);
	assert_int_equal(project_profile_find("ncs", &path, &err), 0);
	snprintf(file, sizeof(file), "%s/ncs.yaml", sub);
	assert_string_equal(path, file);
	free(path);
	{
		struct project_profile *v = NULL;
		size_t n = 0, i;

		assert_int_equal(project_profiles(&v, &n, &err), 0);
		assert_true(n >= N_PROFILES + 1);
		assert_string_equal(v[0].name, "aaa");
		assert_string_equal(v[0].description, "");
		assert_string_equal(v[0].needs, "");
		assert_string_equal(v[0].supply_var, "");
		for (i = 0; i < n && strcmp(v[i].name, "ncs") != 0; i++)
			;
		assert_true(i < n);
		assert_string_equal(v[i].path, file);
		assert_string_equal(v[i].description, "mine");
		project_profiles_free(v, n);
	}
	unsetenv("MCUPROV_TEMPLATES");
	assert_int_equal(unit_rmtree(dir), 0);
}

/* ---- malformed files: each error, its exact message and position ---------- */

struct bad_case {
	const char *name;
	const char *yaml;
	const char *msg;
};

static const struct bad_case bad_cases[] = {
	{ "unknown top-level key",
	  BASE
	  "bootlaoder:\n"
	  "  keys_c: keys.c\n",
	  "mcuprov.yaml:9:1: unknown key 'bootlaoder' (expected one of: version, keys, "
	  "encryption_key, bootloader, image, default_target, targets)" },
	{ "unknown key in image",
	  BASE
	  "  pads: true\n",
	  "mcuprov.yaml:9:3: image: unknown key 'pads' (expected one of: header_size, "
	  "slot_size, align, version, security_counter, pad, confirm, pad_header)" },
	{ "unknown key in keys[0]",
	  "version: 1\n"
	  "keys:\n"
	  "  - pth: k.pem\n"
	  "    type: ed25519\n"
	  IMAGE,
	  "mcuprov.yaml:3:5: keys[0]: unknown key 'pth' (expected one of: path, type, passin)" },
	{ "unknown key in bootloader",
	  BASE
	  "bootloader:\n"
	  "  keys_c: k.c\n"
	  "  mcuboot: x\n",
	  "mcuprov.yaml:11:3: bootloader: unknown key 'mcuboot' (expected one of: tree, "
	  "keys_c, conf, defines, undefines)" },
	{ "unknown key in a target",
	  BASE TGT
	  "    flsh: [[west, flash]]\n",
	  "mcuprov.yaml:13:5: targets.demo: unknown key 'flsh' (expected one of: vars, "
	  "bootloader_build, app_build, app, signed_app, flash, run)" },
	{ "a key that is not a name",
	  BASE
	  "[a]: b\n",
	  "mcuprov.yaml:9:1: expected a key name, got a list" },
	{ "header_size not a number",
	  HEAD
	  "image:\n"
	  "  header_size: big\n"
	  "  slot_size: 0x20000\n"
	  "  version: 1.0.0\n",
	  "mcuprov.yaml:6:16: image.header_size: expected a number (decimal or 0x hex), "
	  "got 'big'" },
	{ "header_size too large",
	  HEAD
	  "image:\n"
	  "  header_size: 0x100000000\n"
	  "  slot_size: 0x20000\n"
	  "  version: 1.0.0\n",
	  "mcuprov.yaml:6:16: image.header_size: '0x100000000' is too large (at most "
	  "0xffffffff)" },
	{ "header_size out of range",
	  HEAD
	  "image:\n"
	  "  header_size: 0x10\n"
	  "  slot_size: 0x20000\n"
	  "  version: 1.0.0\n",
	  "mcuprov.yaml:6:16: image.header_size: '0x10' is out of range (0x20 to "
	  "0xffff)" },
	{ "header_size with a leading zero",
	  HEAD
	  "image:\n"
	  "  header_size: 0200\n"
	  "  slot_size: 0x20000\n"
	  "  version: 1.0.0\n",
	  "mcuprov.yaml:6:16: image.header_size: expected a number (decimal or 0x hex), "
	  "got '0200'" },
	{ "header_size a list",
	  HEAD
	  "image:\n"
	  "  header_size: [1]\n"
	  "  slot_size: 0x20000\n"
	  "  version: 1.0.0\n",
	  "mcuprov.yaml:6:16: image.header_size: expected a number (decimal or 0x hex), "
	  "got a list" },
	{ "slot_size not larger than the header",
	  HEAD
	  "image:\n"
	  "  header_size: 0x200\n"
	  "  slot_size: 512\n"
	  "  version: 1.0.0\n",
	  "mcuprov.yaml:7:14: image.slot_size: '512' is not larger than "
	  "image.header_size (0x200)" },
	{ "align not a power of two",
	  BASE
	  "  align: 3\n",
	  "mcuprov.yaml:9:10: image.align: expected 1, 2, 4, 8, 16 or 32, got '3'" },
	{ "version not a version",
	  HEAD
	  "image:\n"
	  "  header_size: 0x200\n"
	  "  slot_size: 0x20000\n"
	  "  version: 1.x\n",
	  "mcuprov.yaml:8:12: image.version: expected MAJOR.MINOR.REVISION+BUILD (at "
	  "most 255.255.65535+4294967295), got '1.x'" },
	{ "security_counter neither number nor auto",
	  BASE
	  "  security_counter: soon\n",
	  "mcuprov.yaml:9:21: image.security_counter: expected a number (decimal or 0x "
	  "hex) or 'auto', got 'soon'" },
	{ "pad not a boolean",
	  BASE
	  "  pad: yes\n",
	  "mcuprov.yaml:9:8: image.pad: expected true or false, got 'yes'" },
	{ "image not a mapping",
	  HEAD
	  "image: 0x200\n",
	  "mcuprov.yaml:5:8: image: expected a mapping with the keys header_size, "
	  "slot_size, align, version, security_counter, pad, confirm, pad_header, got "
	  "'0x200'" },
	{ "keys a string",
	  "version: 1\n"
	  "keys: keys/signing.pem\n"
	  IMAGE,
	  "mcuprov.yaml:2:7: keys: expected a list of keys ({path: FILE, type: TYPE}), "
	  "got 'keys/signing.pem'" },
	{ "keys empty",
	  "version: 1\n"
	  "keys: []\n"
	  IMAGE,
	  "mcuprov.yaml:2:7: keys: expected at least one key, got an empty list" },
	{ "keys[0] a string",
	  "version: 1\n"
	  "keys:\n"
	  "  - keys/signing.pem\n"
	  IMAGE,
	  "mcuprov.yaml:3:5: keys[0]: expected a mapping {path: FILE, type: TYPE}, got "
	  "'keys/signing.pem'" },
	{ "keys[0].type x25519",
	  "version: 1\n"
	  "keys:\n"
	  "  - path: k.pem\n"
	  "    type: x25519\n"
	  IMAGE,
	  "mcuprov.yaml:4:11: keys[0].type: expected one of rsa-2048, rsa-3072, "
	  "ecdsa-p256, ecdsa-p384, ed25519, got 'x25519'" },
	{ "keys[0].type unknown",
	  "version: 1\n"
	  "keys:\n"
	  "  - path: k.pem\n"
	  "    type: dsa\n"
	  IMAGE,
	  "mcuprov.yaml:4:11: keys[0].type: expected one of rsa-2048, rsa-3072, "
	  "ecdsa-p256, ecdsa-p384, ed25519, got 'dsa'" },
	{ "keys of two types",
	  HEAD
	  "  - path: k2.pem\n"
	  "    type: rsa-2048\n"
	  IMAGE,
	  "mcuprov.yaml:6:11: keys[1].type: rsa-2048 differs from keys[0].type ed25519 "
	  "(MCUboot is built for one signature type)" },
	{ "a key listed twice",
	  HEAD
	  "  - path: keys/signing.pem\n"
	  "    type: ed25519\n"
	  IMAGE,
	  "mcuprov.yaml:5:11: keys[1].path: 'keys/signing.pem' is also keys[0]" },
	{ "a key without path",
	  "version: 1\n"
	  "keys:\n"
	  "  - type: ed25519\n"
	  IMAGE,
	  "mcuprov.yaml:3:5: keys[0]: missing required key 'path'" },
	{ "a key with an empty path",
	  "version: 1\n"
	  "keys:\n"
	  "  - path: ''\n"
	  "    type: ed25519\n"
	  IMAGE,
	  "mcuprov.yaml:3:11: keys[0].path: expected a path, got ''" },
	/* keys[].passin: where the password is, never the password */
	{ "keys[0].passin a password",
	  HEAD
	  "    passin: pass:s3cret\n"
	  IMAGE,
	  "mcuprov.yaml:5:13: keys[0].passin: a password in the project file is refused: use "
	  "env:NAME or file:PATH" },
	{ "keys[1].passin a password, quoted, in a flow entry",
	  HEAD
	  "  - {path: k2.pem, type: ed25519, passin: 'pass:x'}\n"
	  IMAGE,
	  "mcuprov.yaml:5:43: keys[1].passin: a password in the project file is refused: use "
	  "env:NAME or file:PATH" },
	{ "keys[0].passin stdin",
	  HEAD
	  "    passin: stdin\n"
	  IMAGE,
	  "mcuprov.yaml:5:13: keys[0].passin: expected env:NAME or file:PATH, got 'stdin' (read "
	  "once, at the command line: --passin)" },
	{ "keys[0].passin fd:",
	  HEAD
	  "    passin: fd:3\n"
	  IMAGE,
	  "mcuprov.yaml:5:13: keys[0].passin: expected env:NAME or file:PATH, got 'fd:3' (read "
	  "once, at the command line: --passin)" },
	{ "keys[0].passin not a source: never shown",
	  HEAD
	  "    passin: hunter2\n"
	  IMAGE,
	  "mcuprov.yaml:5:13: keys[0].passin: expected env:NAME or file:PATH (where the password "
	  "is, never the password itself)" },
	{ "keys[0].passin env: without a name",
	  HEAD
	  "    passin: 'env:'\n"
	  IMAGE,
	  "mcuprov.yaml:5:13: keys[0].passin: expected env:NAME or file:PATH, got 'env:'" },
	{ "keys[0].passin empty",
	  HEAD
	  "    passin: ''\n"
	  IMAGE,
	  "mcuprov.yaml:5:13: keys[0].passin: expected env:NAME or file:PATH, got ''" },
	{ "keys[0].passin a list",
	  HEAD
	  "    passin: [env:A]\n"
	  IMAGE,
	  "mcuprov.yaml:5:13: keys[0].passin: expected env:NAME or file:PATH, got a list" },
	{ "missing version",
	  "keys:\n"
	  "  - path: keys/signing.pem\n"
	  "    type: ed25519\n"
	  IMAGE,
	  "mcuprov.yaml:1:1: missing required key 'version'" },
	{ "missing keys",
	  "version: 1\n"
	  IMAGE,
	  "mcuprov.yaml:1:1: missing required key 'keys'" },
	{ "missing image",
	  "version: 1\n"
	  "keys:\n"
	  "  - path: keys/signing.pem\n"
	  "    type: ed25519\n",
	  "mcuprov.yaml:1:1: missing required key 'image'" },
	{ "missing image.header_size",
	  HEAD
	  "image:\n"
	  "  slot_size: 0x20000\n"
	  "  version: 1.0.0\n",
	  "mcuprov.yaml:6:3: image: missing required key 'header_size'" },
	{ "missing image.slot_size",
	  HEAD
	  "image:\n"
	  "  header_size: 0x200\n"
	  "  version: 1.0.0\n",
	  "mcuprov.yaml:6:3: image: missing required key 'slot_size'" },
	{ "missing image.version",
	  HEAD
	  "image:\n"
	  "  header_size: 0x200\n"
	  "  slot_size: 0x20000\n",
	  "mcuprov.yaml:6:3: image: missing required key 'version'" },
	{ "a newer version",
	  "version: 2\n"
	  "something_new: true\n",
	  "mcuprov.yaml:1:10: version: unsupported version 2 (this mcuprov reads "
	  "version 1)" },
	{ "version not a number",
	  "version: one\n",
	  "mcuprov.yaml:1:10: version: expected a number (decimal or 0x hex), got 'one'" },
	{ "duplicate top-level key",
	  BASE
	  "image:\n"
	  "  header_size: 0x400\n",
	  "mcuprov.yaml:9:1: duplicate key 'image' (first at line 5)" },
	{ "duplicate key in image",
	  BASE
	  "  version: 2.0.0\n",
	  "mcuprov.yaml:9:3: image: duplicate key 'version' (first at line 8)" },
	{ "duplicate target",
	  BASE TGT
	  "  demo:\n"
	  "    app: b\n"
	  "    signed_app: c\n",
	  "mcuprov.yaml:13:3: targets: duplicate key 'demo' (first at line 10)" },
	{ "duplicate var",
	  BASE TGT
	  "    vars:\n"
	  "      board: a\n"
	  "      board: b\n",
	  "mcuprov.yaml:15:7: targets.demo.vars: duplicate key 'board' (first at line "
	  "14)" },
	{ "both keys_c and conf",
	  BASE
	  "bootloader:\n"
	  "  keys_c: keys.c\n"
	  "  conf: mcuboot.conf\n",
	  "mcuprov.yaml:11:3: bootloader: give either keys_c or conf, not both" },
	{ "bootloader.defines not a list",
	  BASE
	  "bootloader:\n"
	  "  keys_c: keys.c\n"
	  "  defines: MCUBOOT_SIGN_RSA\n",
	  "mcuprov.yaml:11:12: bootloader.defines: expected a list of NAME or NAME=VALUE "
	  "strings, got 'MCUBOOT_SIGN_RSA'" },
	{ "bootloader.undefines a mapping",
	  BASE
	  "bootloader:\n"
	  "  keys_c: keys.c\n"
	  "  undefines: {MCUBOOT_HW_KEY: 1}\n",
	  "mcuprov.yaml:11:14: bootloader.undefines: expected a list of macro names, got a "
	  "mapping" },
	{ "bootloader.defines entry empty",
	  BASE
	  "bootloader:\n"
	  "  keys_c: keys.c\n"
	  "  defines: [MCUBOOT_SIGN_RSA, ~]\n",
	  "mcuprov.yaml:11:31: bootloader.defines[1]: expected NAME or NAME=VALUE, got "
	  "nothing" },
	{ "bootloader.defines entry a list",
	  BASE
	  "bootloader:\n"
	  "  keys_c: keys.c\n"
	  "  defines:\n"
	  "    - [A, B]\n",
	  "mcuprov.yaml:12:7: bootloader.defines[0]: expected NAME or NAME=VALUE, got a "
	  "list" },
	{ "bootloader.defines: not a macro name",
	  BASE
	  "bootloader:\n"
	  "  keys_c: keys.c\n"
	  "  defines: [MCUBOOT_SIGN_RSA_LEN=2048, 2X=1]\n",
	  "mcuprov.yaml:11:40: bootloader.defines[1]: expected NAME or NAME=VALUE, got "
	  "'2X=1' ('2X' is not a macro name)" },
	{ "bootloader.undefines: a value",
	  BASE
	  "bootloader:\n"
	  "  keys_c: keys.c\n"
	  "  undefines: [MCUBOOT_HW_KEY=1]\n",
	  "mcuprov.yaml:11:15: bootloader.undefines[0]: expected a macro name, got "
	  "'MCUBOOT_HW_KEY=1' ('MCUBOOT_HW_KEY=1' is not a macro name)" },
	{ "a macro both defined and undefined",
	  BASE
	  "bootloader:\n"
	  "  keys_c: keys.c\n"
	  "  defines: [MCUBOOT_SIGN_EC256, MCUBOOT_IMAGE_NUMBER=2]\n"
	  "  undefines:\n"
	  "    - MCUBOOT_HW_KEY\n"
	  "    - MCUBOOT_IMAGE_NUMBER\n",
	  "mcuprov.yaml:14:7: bootloader.undefines[1]: 'MCUBOOT_IMAGE_NUMBER' is also "
	  "bootloader.defines[1]" },
	{ "neither keys_c nor conf",
	  BASE
	  "bootloader:\n"
	  "  tree: ../mcuboot\n",
	  "mcuprov.yaml:10:3: bootloader: missing required key 'keys_c' or 'conf' (the "
	  "bootloader's key file or Kconfig fragment)" },
	{ "YAML syntax error: unclosed flow list",
	  BASE
	  "targets: [a\n",
	  "mcuprov.yaml:10:1: did not find expected ',' or ']' (while parsing a flow "
	  "sequence at line 9, column 10)" },
	{ "YAML syntax error: bad indentation",
	  "version: 1\n"
	  " keys: x\n",
	  "mcuprov.yaml:2:6: mapping values are not allowed in this context" },
	{ "YAML syntax error: a tab",
	  "version: 1\n"
	  "keys:\n"
	  "\t- x\n",
	  "mcuprov.yaml:3:1: found character that cannot start any token (while "
	  "scanning for the next token at line 3, column 1)" },
	{ "YAML syntax error: undefined alias",
	  BASE
	  "default_target: *nope\n",
	  "mcuprov.yaml:9:17: found undefined alias" },
	{ "YAML reader error: invalid UTF-8",
	  BASE
	  "default_target: \377\n",
	  "mcuprov.yaml:9:17: invalid leading UTF-8 octet (byte 0xff)" },
	{ "${...} unquoted in a flow list",
	  BASE TGT
	  "    flash: [[west, -d, ${build_dir}]]\n",
	  "mcuprov.yaml:13:25: did not find expected ',' or ']' (while parsing a flow "
	  "sequence at line 13, column 13); inside [...] put a word with ${...} in "
	  "quotes: \"${name}\"" },
	{ "empty file",
	  "",
	  "mcuprov.yaml:1:1: empty file (expected a mapping with at least version, keys "
	  "and image)" },
	{ "only comments",
	  "# nothing here\n"
	  "\n",
	  "mcuprov.yaml:1:1: empty file (expected a mapping with at least version, keys "
	  "and image)" },
	{ "a second document",
	  BASE
	  "---\n"
	  "version: 1\n",
	  "mcuprov.yaml:9:1: a second YAML document (the project file holds one)" },
	{ "the top level a list",
	  "- version: 1\n",
	  "mcuprov.yaml:1:1: expected a mapping with the keys version, keys, "
	  "encryption_key, bootloader, image, default_target, targets, got a list" },
	{ "a step written as a string",
	  BASE TGT
	  "    flash: [\"west flash\"]\n",
	  "mcuprov.yaml:13:13: targets.demo.flash[0]: expected a list of words (an "
	  "argv), got a string; write [west, flash] not \"west flash\"" },
	{ "a step list written as a string",
	  BASE TGT
	  "    flash: west flash -d \"${build_dir}\"\n",
	  "mcuprov.yaml:13:12: targets.demo.flash: expected a list of steps (each a "
	  "list of words), got a string; write [[west, flash, -d, \"${build_dir}\"]] not "
	  "\"west flash -d \"${build_dir}\"\"" },
	{ "one argv where a list of steps belongs",
	  BASE TGT
	  "    flash: [west, flash, -d, build]\n",
	  "mcuprov.yaml:13:13: targets.demo.flash[0]: expected a list of words (an "
	  "argv), got a string; for one step write [[west, flash, -d, build]]" },
	{ "an empty argv",
	  BASE TGT
	  "    flash: [[]]\n",
	  "mcuprov.yaml:13:13: targets.demo.flash[0]: expected a list of words (an "
	  "argv), got an empty list" },
	{ "a word that is a list",
	  BASE TGT
	  "    flash: [[west, [flash]]]\n",
	  "mcuprov.yaml:13:20: targets.demo.flash[0][1]: expected a word (a string), "
	  "got a list" },
	{ "a word that is null",
	  BASE TGT
	  "    flash:\n"
	  "      - - west\n"
	  "        -\n",
	  "mcuprov.yaml:15:10: targets.demo.flash[0][1]: expected a word (a string), "
	  "got nothing (write \"\" for an empty word)" },
	{ "an empty program name",
	  BASE TGT
	  "    flash: [['', flash]]\n",
	  "mcuprov.yaml:13:14: targets.demo.flash[0][0]: the program name is empty" },
	{ "steps a mapping",
	  BASE TGT
	  "    run: {qemu: x}\n",
	  "mcuprov.yaml:13:10: targets.demo.run: expected a list of steps (each a list "
	  "of words), got a mapping" },
	{ "targets a string",
	  BASE
	  "targets: demo\n",
	  "mcuprov.yaml:9:10: targets: expected a mapping of target names to targets, "
	  "got 'demo'" },
	{ "a target without a mapping",
	  BASE
	  "targets:\n"
	  "  demo:\n",
	  "mcuprov.yaml:10:3: targets.demo: expected a mapping with the keys app, "
	  "signed_app and steps, got nothing" },
	{ "a bad target name",
	  BASE
	  "targets:\n"
	  "  de mo:\n"
	  "    app: a\n"
	  "    signed_app: b\n",
	  "mcuprov.yaml:10:3: targets: invalid target name 'de mo' (letters, digits, "
	  "'_', '-' and '.', at most 64)" },
	{ "a target without app",
	  BASE
	  "targets:\n"
	  "  demo:\n"
	  "    signed_app: b\n",
	  "mcuprov.yaml:11:5: targets.demo: missing required key 'app'" },
	{ "default_target not a target",
	  BASE
	  "default_target: demo2\n"
	  "targets:\n"
	  "  demo:\n"
	  "    app: a.bin\n"
	  "    signed_app: s.bin\n",
	  "mcuprov.yaml:9:17: default_target: no target 'demo2' (targets: demo)" },
	{ "vars not a mapping",
	  BASE TGT
	  "    vars: [board]\n",
	  "mcuprov.yaml:13:11: targets.demo.vars: expected a mapping of names to "
	  "strings, got a list" },
	{ "an invalid var name",
	  BASE TGT
	  "    vars: {2board: x}\n",
	  "mcuprov.yaml:13:12: targets.demo.vars: invalid variable name '2board' "
	  "(letters, digits and '_', not starting with a digit, at most 64)" },
	{ "a built-in var set",
	  BASE TGT
	  "    vars: {key: x}\n",
	  "mcuprov.yaml:13:12: targets.demo.vars: 'key' is built in and cannot be set" },
	{ "a var that is a list",
	  BASE TGT
	  "    vars: {board: [a]}\n",
	  "mcuprov.yaml:13:19: targets.demo.vars.board: expected a string, got a list" },
	{ "a var that is null",
	  BASE TGT
	  "    vars: {board: }\n",
	  "mcuprov.yaml:13:19: targets.demo.vars.board: expected a string, got nothing" },
	{ "unknown var in a double-quoted word",
	  BASE TGT
	  "    vars: {board: x}\n"
	  "    flash: [[west, flash, -b, \"${bord}\"]]\n",
	  "mcuprov.yaml:14:32: targets.demo.flash[0][3]: unknown variable '${bord}' "
	  "(known: board, key, signed_app, app, project_dir, build_dir, mcuprov_examples)" },
	{ "unknown var in a plain word",
	  BASE TGT
	  "    flash:\n"
	  "      - - west\n"
	  "        - -d=${bild_dir}\n",
	  "mcuprov.yaml:15:14: targets.demo.flash[0][1]: unknown variable '${bild_dir}' "
	  "(known: key, signed_app, app, project_dir, build_dir, mcuprov_examples)" },
	{ "unknown var after an escape (start of the word)",
	  BASE TGT
	  "    flash: [[west, \"\\t${nope}\"]]\n",
	  "mcuprov.yaml:13:20: targets.demo.flash[0][1]: unknown variable '${nope}' "
	  "(known: key, signed_app, app, project_dir, build_dir, mcuprov_examples)" },
	{ "unknown var after UTF-8",
	  BASE TGT
	  "    flash: [[west, '\303\251${nope}']]\n",
	  "mcuprov.yaml:13:22: targets.demo.flash[0][1]: unknown variable '${nope}' "
	  "(known: key, signed_app, app, project_dir, build_dir, mcuprov_examples)" },
	{ "unknown var in app",
	  BASE
	  "targets:\n"
	  "  demo:\n"
	  "    app: ${out}/a.bin\n"
	  "    signed_app: s.bin\n",
	  "mcuprov.yaml:11:10: targets.demo.app: unknown variable '${out}' (known: key, "
	  "signed_app, app, project_dir, build_dir, mcuprov_examples)" },
	{ "unknown var in a var",
	  BASE TGT
	  "    vars:\n"
	  "      build_dir: ${root}/build\n",
	  "mcuprov.yaml:14:18: targets.demo.vars.build_dir: unknown variable '${root}' "
	  "(known: build_dir, key, signed_app, app, project_dir, mcuprov_examples)" },
	{ "unterminated ${",
	  BASE TGT
	  "    flash: [[west, '${board']]\n",
	  "mcuprov.yaml:13:21: targets.demo.flash[0][1]: unterminated '${' (write '$${' "
	  "for a literal '${')" },
	{ "an invalid name in ${}",
	  BASE TGT
	  "    flash: [[west, '${a-b}']]\n",
	  "mcuprov.yaml:13:21: targets.demo.flash[0][1]: invalid variable name '${a-b}' "
	  "(letters, digits and '_', not starting with a digit)" },
	{ "an empty ${}",
	  BASE TGT
	  "    flash: [[west, '${}']]\n",
	  "mcuprov.yaml:13:21: targets.demo.flash[0][1]: invalid variable name '${}' "
	  "(letters, digits and '_', not starting with a digit)" },
	{ "${board} without vars.board",
	  BASE TGT
	  "    flash: [[west, flash, -b, '${board}']]\n",
	  "mcuprov.yaml:13:32: targets.demo.flash[0][3]: '${board}' has no value: set "
	  "vars.board in target 'demo'" },
	{ "a loop among vars",
	  BASE TGT
	  "    vars: {a: '${b}', b: 'x${c}', c: '${a}'}\n",
	  "mcuprov.yaml:13:39: targets.demo.vars.c: variable loop: ${a} -> ${b} -> ${c} "
	  "-> ${a}" },
	{ "app refers to itself",
	  BASE
	  "targets:\n"
	  "  demo:\n"
	  "    app: ${app}.bin\n"
	  "    signed_app: s.bin\n",
	  "mcuprov.yaml:11:10: targets.demo.app: variable loop: ${app} -> ${app}" },
	{ "app expands to nothing",
	  BASE
	  "targets:\n"
	  "  demo:\n"
	  "    vars: {e: ''}\n"
	  "    app: ${e}\n"
	  "    signed_app: s.bin\n",
	  "mcuprov.yaml:12:10: targets.demo.app: expands to an empty path" },
	{ "a NUL in a string",
	  BASE TGT
	  "    flash: [[west, \"a\\0b\"]]\n",
	  "mcuprov.yaml:13:20: targets.demo.flash[0][1]: contains a NUL character" },
	{ "encryption_key is a signing key",
	  BASE
	  "encryption_key: keys/signing.pem\n",
	  "mcuprov.yaml:9:17: encryption_key: 'keys/signing.pem' is also keys[0] (a "
	  "signing key must not be the encryption key)" },
	{ "encryption_key null",
	  BASE
	  "encryption_key:\n",
	  "mcuprov.yaml:9:16: encryption_key: expected a path, got nothing" },
};

static void test_bad(void **state)
{
	const struct bad_case *c = *state;

	load_fails(c->yaml, strlen(c->yaml), c->msg);
}

/* Generated files that pass a bound. */
static void test_bounds(void **state)
{
	struct text t = { NULL, 0 };
	int i;

	/* 65 targets */
	add(&t, BASE "targets:\n");
	for (i = 0; i < 65; i++)
		add(&t, "  t%d: {app: a, signed_app: b}\n", i);
	load_fails(t.s, t.len, "mcuprov.yaml:10:3: targets: 65 targets, at most 64");
	free(t.s);

	/* 64 targets are fine */
	t = (struct text){ NULL, 0 };
	add(&t, BASE "targets:\n");
	for (i = 0; i < 64; i++)
		add(&t, "  t%d: {app: a, signed_app: b}\n", i);
	{
		struct project *p = load_ok(t.s);

		assert_int_equal(p->n_targets, 64);
		assert_null(project_target(p, NULL)); /* several, no default */
		project_free(p);
	}
	free(t.s);

	/* 257 words in one argv */
	t = (struct text){ NULL, 0 };
	add(&t, BASE TGT "    flash: [[prog");
	for (i = 1; i < 257; i++)
		add(&t, ", w");
	add(&t, "]]\n");
	load_fails(t.s, t.len, "mcuprov.yaml:13:13: targets.demo.flash[0]: 257 words, at most 256");
	free(t.s);

	/* 17 keys */
	t = (struct text){ NULL, 0 };
	add(&t, "version: 1\nkeys:\n");
	for (i = 0; i < 17; i++)
		add(&t, "  - {path: k%d.pem, type: ed25519}\n", i);
	add(&t, IMAGE);
	load_fails(t.s, t.len, "mcuprov.yaml:3:3: keys: 17 keys, at most 16");
	free(t.s);

	/* 65 steps, 65 vars */
	t = (struct text){ NULL, 0 };
	add(&t, BASE TGT "    run:\n");
	for (i = 0; i < 65; i++)
		add(&t, "      - [true]\n");
	load_fails(t.s, t.len, "mcuprov.yaml:14:7: targets.demo.run: 65 steps, at most 64");
	free(t.s);
	t = (struct text){ NULL, 0 };
	add(&t, BASE TGT "    vars:\n");
	for (i = 0; i < 65; i++)
		add(&t, "      v%d: x\n", i);
	load_fails(t.s, t.len, "mcuprov.yaml:14:7: targets.demo.vars: 65 vars, at most 64");
	free(t.s);

	/* one argv where a list of steps belongs, its words longer than the
	 * hint buffer (MCUPROV_ERR_MSG_MAX / 2): the hint is cut, and nothing
	 * points past the buffer (fuzz/fuzz-project found the undefined
	 * behaviour, which -fsanitize=undefined reports) */
	t = (struct text){ NULL, 0 };
	add(&t, BASE TGT "    flash: [west, ");
	for (i = 0; i < 300; i++)
		add(&t, "x");
	add(&t, ", -d, build]\n");
	{
		struct text want = { NULL, 0 }, hint = { NULL, 0 };

		add(&hint, "[[west, ");
		for (i = 0; i < 300; i++)
			add(&hint, "x");
		add(&want,
		    "mcuprov.yaml:13:13: targets.demo.flash[0]: expected a list of words (an "
		    "argv), got a string; for one step write %.*s",
		    MCUPROV_ERR_MSG_MAX / 2 - 1, hint.s);
		load_fails(t.s, t.len, want.s);
		free(want.s);
		free(hint.s);
	}
	free(t.s);

	/* a word that expands past PROJECT_WORD_MAX */
	t = (struct text){ NULL, 0 };
	add(&t, BASE TGT "    vars: {a: '");
	for (i = 0; i < 5000; i++)
		add(&t, "x");
	add(&t, "'}\n    run: [[echo, 'w=${a}${a}']]\n");
	load_fails(t.s, t.len,
		   "mcuprov.yaml:14:25: targets.demo.run[0][1]: expands to more than 8192 bytes");
	free(t.s);

	/* aliases that multiply: 64 targets x 64 steps x 256 words */
	t = (struct text){ NULL, 0 };
	add(&t, BASE "targets:\n  t0:\n    app: a\n    signed_app: b\n    run: &s\n");
	for (i = 0; i < 64; i++)
		add(&t, "      - %s\n", i == 0 ? "&w [prog" : "*w");
	t.len -= 1; /* close the first argv after 256 words */
	{
		char *p = strstr(t.s, "&w [prog");
		struct text w = { NULL, 0 };

		assert_non_null(p);
		add(&w, "%.*s&w [prog", (int)(p - t.s), t.s);
		for (i = 1; i < 256; i++)
			add(&w, ", w");
		add(&w, "]%s\n", p + strlen("&w [prog"));
		free(t.s);
		t = (struct text){ w.s, w.len };
	}
	for (i = 1; i < 64; i++)
		add(&t, "  t%d: {app: a, signed_app: b, run: *s}\n", i);
	load_fails(t.s, t.len,
		   "mcuprov.yaml:14:9: targets.t4.run[0]: more than 65536 words in all steps "
		   "(aliases?)");
	free(t.s);

	/* issue 13: nesting and node count bounded on the parser's events,
	 * before the document is built (80,000 levels took 28 s in libyaml) */
	t = (struct text){ NULL, 0 };
	add(&t, BASE TGT "    vars: {a: ");
	for (i = 0; i < 80000; i++)
		add(&t, "[");
	for (i = 0; i < 80000; i++)
		add(&t, "]");
	add(&t, "}\n");
	/* the root, targets, demo, vars and 60 '[': the 61st is level 65 */
	load_fails(t.s, t.len, "mcuprov.yaml:13:75: nesting deeper than 64 levels");
	free(t.s);
	t = (struct text){ NULL, 0 };
	add(&t, BASE TGT "    vars: {a: ");
	for (i = 0; i < 60; i++)
		add(&t, "[");
	for (i = 0; i < 60; i++)
		add(&t, "]");
	add(&t, "}\n");
	/* 64 levels: past the bound check, refused for what it is */
	load_fails(t.s, t.len,
		   "mcuprov.yaml:13:15: targets.demo.vars.a: expected a string, got a list");
	free(t.s);
	t = (struct text){ NULL, 0 };
	add(&t, BASE TGT "    vars: {a: [");
	for (i = 0; i < 100000; i++)
		add(&t, "1,");
	add(&t, "1]}\n");
	/* 30 nodes up to vars.a's list (keys and values, collections
	 * included), then its items: the 99,971st item (column 16 + 2 * 99,970)
	 * is node 100,001 */
	load_fails(t.s, t.len, "mcuprov.yaml:13:199956: more than 100000 nodes");
	free(t.s);
}

/* A file larger than PROJECT_FILE_MAX, empty files, files that are not. */
static void test_files(void **state)
{
	char dir[64], path[128], sub[128], want[256];
	struct project *p = NULL;
	struct mcuprov_err err;
	char *real;
	FILE *f;
	int i;

	assert_int_equal(unit_mkdtemp(dir, sizeof(dir)), 0);
	real = realpath(dir, NULL);
	assert_non_null(real);

	/* the file's own name in messages, its directory for relative paths */
	snprintf(sub, sizeof(sub), "%s/fw", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(path, sizeof(path), "%s/fw/mcuprov.yaml", dir);
	assert_non_null(f = fopen(path, "w"));
	fputs(BASE "bootloader: {tree: ../mcuboot, keys_c: boot/zephyr/keys.c}\n"
		   "encryption_key: /keys/enc.pem\n",
	      f);
	fclose(f);
	err_clear(&err);
	assert_int_equal(project_load(path, &p, &err), 0);
	snprintf(want, sizeof(want), "%s/fw", real);
	assert_string_equal(p->dir, want);
	assert_string_equal(p->file, path);
	snprintf(want, sizeof(want), "%s/fw/keys/signing.pem", real);
	assert_string_equal(p->keys[0].abspath, want);
	assert_string_equal(p->keys[0].path, "keys/signing.pem");
	snprintf(want, sizeof(want), "%s/fw/../mcuboot/boot/zephyr/keys.c", real);
	assert_string_equal(p->bootloader.path, want);
	assert_string_equal(p->bootloader.tree, "../mcuboot");
	assert_string_equal(p->bootloader.file, "boot/zephyr/keys.c");
	assert_int_equal(p->bootloader.kind, PROJECT_BOOT_KEYS_C);
	assert_int_equal(p->bootloader.mark.line, 9);
	assert_string_equal(p->encryption_key_abspath, "/keys/enc.pem");
	project_free(p);

	/* a schema error names the path as given */
	assert_non_null(f = fopen(path, "w"));
	fputs(BASE "colour: blue\n", f);
	fclose(f);
	assert_int_equal(project_load(path, &p, &err), MCUPROV_ERR_FORMAT);
	assert_null(p);
	snprintf(want, sizeof(want),
		 "%s:9:1: unknown key 'colour' (expected one of: version, keys, encryption_key, "
		 "bootloader, image, default_target, targets)",
		 path);
	assert_string_equal(err.msg, want);

	/* empty */
	assert_non_null(f = fopen(path, "w"));
	fclose(f);
	assert_int_equal(project_load(path, &p, &err), MCUPROV_ERR_FORMAT);
	snprintf(want, sizeof(want),
		 "%s:1:1: empty file (expected a mapping with at least version, keys and image)",
		 path);
	assert_string_equal(err.msg, want);

	/* one byte over the limit */
	assert_non_null(f = fopen(path, "w"));
	fputs(BASE, f);
	for (i = (int)strlen(BASE); i < PROJECT_FILE_MAX; i++)
		fputc(i % 64 == 63 ? '\n' : ' ', f);
	fputc('#', f);
	fclose(f);
	assert_int_equal(project_load(path, &p, &err), MCUPROV_ERR_FORMAT);
	assert_string_equal(err.subject, path);
	assert_string_equal(err.msg, "file too large (1048577 bytes, limit 1048576)");

	/* missing, a directory */
	snprintf(path, sizeof(path), "%s/none.yaml", dir);
	assert_int_equal(project_load(path, &p, &err), MCUPROV_ERR_IO);
	assert_string_equal(err.subject, path);
	assert_int_equal(project_load(dir, &p, &err), MCUPROV_ERR_IO);
	assert_string_equal(err.msg, "is a directory");

	free(real);
	assert_int_equal(unit_rmtree(dir), 0);
}

/* ---- the values of a good file ------------------------------------------- */

/* keys[].passin: env:NAME as written, file:PATH resolved against the
 * project directory (an absolute PATH kept), NULL when absent */
static void test_key_passin(void **state)
{
	struct project *p = load_ok("version: 1\n"
				    "keys:\n"
				    "  - path: a.pem\n"
				    "    type: ed25519\n"
				    "    passin: env:A_PASS\n"
				    "  - {path: b.pem, type: ed25519, passin: file:secrets/b.txt}\n"
				    "  - {path: c.pem, type: ed25519, passin: \"file:/run/c pw\"}\n"
				    "  - {path: d.pem, type: ed25519}\n" IMAGE);

	(void)state;
	assert_string_equal(p->keys[0].passin, "env:A_PASS");
	assert_string_equal(p->keys[1].passin, "file:/proj/secrets/b.txt");
	assert_string_equal(p->keys[2].passin, "file:/run/c pw");
	assert_null(p->keys[3].passin);
	project_free(p);
}

static void test_good_values(void **state)
{
	struct project *p = load_ok(
		"# a comment\n"
		"version: 1\n"
		"keys:\n"
		"  - path: a.pem\n"
		"    type: ecdsa-p256\n"
		"  - {path: b.pem, type: ecdsa-p256}\n"
		"encryption_key: enc.pem\n"
		"bootloader: {conf: sysbuild/mcuboot.conf}\n"
		"image:\n"
		"  header_size: 512\n"
		"  slot_size: 0X1E000\n"
		"  align: 32\n"
		"  version: 1.2.3+4\n"
		"  security_counter: 0x10\n"
		"  pad: true\n"
		"  confirm: TRUE\n"
		"  pad_header: False\n"
		"targets:\n"
		"  a: {app: x, signed_app: y}\n"
		"  b.2-c_d: {app: x, signed_app: y, flash: [], run: [[qemu]]}\n"
		"default_target: b.2-c_d\n");

	assert_int_equal(p->version, 1);
	assert_int_equal(p->n_keys, 2);
	assert_int_equal(p->keys[1].type, KEY_ECDSA_P256);
	assert_string_equal(p->keys[1].abspath, "/proj/b.pem");
	assert_int_equal(p->keys[1].mark.line, 6);
	assert_int_equal(p->keys[1].mark.column, 5);
	assert_string_equal(p->encryption_key, "enc.pem");
	assert_int_equal(p->bootloader.kind, PROJECT_BOOT_CONF);
	assert_null(p->bootloader.tree);
	assert_string_equal(p->bootloader.path, "/proj/sysbuild/mcuboot.conf");
	assert_int_equal(p->image.header_size, 512);
	assert_int_equal(p->image.slot_size, 0x1e000);
	assert_int_equal(p->image.align, 32);
	assert_int_equal(p->image.version.major, 1);
	assert_int_equal(p->image.version.minor, 2);
	assert_int_equal(p->image.version.revision, 3);
	assert_int_equal(p->image.version.build, 4);
	assert_true(p->image.has_security_counter);
	assert_false(p->image.security_counter_auto);
	assert_int_equal(p->image.security_counter, 16);
	assert_true(p->image.pad);
	assert_true(p->image.confirm);
	assert_false(p->image.pad_header);
	assert_int_equal(p->n_targets, 2);
	assert_int_equal(p->targets[1].flash.n, 0);
	assert_int_equal(p->targets[1].run.n, 1);
	assert_int_equal(p->targets[1].run.v[0].argc, 1);
	assert_string_equal(p->targets[1].run.v[0].argv[0], "qemu");
	assert_null(p->targets[1].run.v[0].argv[1]);
	assert_int_equal(p->targets[1].mark.line, 20);
	assert_int_equal(p->targets[1].mark.column, 3);
	assert_ptr_equal(project_target(p, NULL), &p->targets[1]);
	assert_ptr_equal(project_target(p, "a"), &p->targets[0]);
	assert_null(project_target(p, "c"));
	project_free(p);

	/* defaults; no targets; one target is the default */
	p = load_ok(BASE);
	assert_int_equal(p->image.align, 1);
	assert_false(p->image.has_security_counter);
	assert_false(p->image.pad);
	assert_int_equal(p->bootloader.kind, PROJECT_BOOT_NONE);
	assert_null(p->bootloader.path);
	assert_null(p->encryption_key);
	assert_int_equal(p->n_targets, 0);
	assert_null(project_target(p, NULL));
	project_free(p);
	p = load_ok(BASE "  security_counter: auto\n" TGT);
	assert_true(p->image.security_counter_auto);
	assert_ptr_equal(project_target(p, NULL), &p->targets[0]);
	project_free(p);
	p = load_ok(BASE "targets: {}\n");
	assert_int_equal(p->n_targets, 0);
	project_free(p);
}

/* bootloader.defines / undefines, and -D / -U from a command line over
 * them (project_define()). */
static void test_defines(void **state)
{
	struct project *p = load_ok(BASE "bootloader:\n"
					 "  keys_c: keys.c\n"
					 "  defines: [MCUBOOT_SIGN_RSA, MCUBOOT_SIGN_RSA_LEN=3072, "
					 "\"EMPTY=\"]\n"
					 "  undefines:\n"
					 "    - MCUBOOT_HW_KEY\n");
	struct mcuprov_err err;

	(void)state;
	assert_int_equal(p->bootloader.n_defines, 3);
	assert_string_equal(p->bootloader.defines[0], "MCUBOOT_SIGN_RSA");
	assert_string_equal(p->bootloader.defines[1], "MCUBOOT_SIGN_RSA_LEN=3072");
	assert_string_equal(p->bootloader.defines[2], "EMPTY=");
	assert_int_equal(p->bootloader.n_undefs, 1);
	assert_string_equal(p->bootloader.undefs[0], "MCUBOOT_HW_KEY");

	/* -U of a defined name drops it from defines; -D of an undefined one
	 * from undefines; a later -D replaces an earlier one */
	err_clear(&err);
	assert_int_equal(project_define(p, "MCUBOOT_SIGN_RSA", true, &err), 0);
	assert_int_equal(project_define(p, "MCUBOOT_HW_KEY", false, &err), 0);
	assert_int_equal(project_define(p, "MCUBOOT_SIGN_RSA_LEN=2048", false, &err), 0);
	assert_int_equal(p->bootloader.n_defines, 3);
	assert_string_equal(p->bootloader.defines[0], "EMPTY=");
	assert_string_equal(p->bootloader.defines[1], "MCUBOOT_HW_KEY");
	assert_string_equal(p->bootloader.defines[2], "MCUBOOT_SIGN_RSA_LEN=2048");
	assert_int_equal(p->bootloader.n_undefs, 1);
	assert_string_equal(p->bootloader.undefs[0], "MCUBOOT_SIGN_RSA");
	assert_int_equal(project_define(p, "3D", false, &err), MCUPROV_ERR_USAGE);
	assert_string_equal(err.msg, "-D '3D': '3D' is not a macro name");
	assert_int_equal(p->bootloader.n_defines, 3);
	project_free(p);

	/* none given: empty lists */
	p = load_ok(BASE "bootloader: {conf: mcuboot.conf, defines: []}\n");
	assert_int_equal(p->bootloader.n_defines, 0);
	assert_int_equal(p->bootloader.n_undefs, 0);
	project_free(p);
}

static void test_target_get(void **state)
{
	struct project *p = load_ok(BASE "targets:\n  a: {app: x, signed_app: y}\n"
					 "  b: {app: x, signed_app: y}\n");
	const struct project_target *t = NULL;
	struct mcuprov_err err;

	err_clear(&err);
	assert_int_equal(project_target_get(p, "b", &t, &err), 0);
	assert_string_equal(t->name, "b");
	assert_int_equal(project_target_get(p, NULL, &t, &err), MCUPROV_ERR_USAGE);
	assert_null(t);
	assert_string_equal(err.subject, "mcuprov.yaml");
	assert_string_equal(err.msg, "several targets and no default_target: name one (a, b)");
	assert_int_equal(project_target_get(p, "c", &t, &err), MCUPROV_ERR_USAGE);
	assert_string_equal(err.msg, "no target 'c' (targets: a, b)");
	project_free(p);
	p = load_ok(BASE);
	assert_int_equal(project_target_get(p, NULL, &t, &err), MCUPROV_ERR_USAGE);
	assert_string_equal(err.msg, "no targets");
	project_free(p);
}

/* ---- ${var} expansion ------------------------------------------------------ */

static char **expand_ok(const struct project *p, const struct project_target *t,
			const char *const *tmpl)
{
	struct mcuprov_err err;
	char **argv = NULL;

	err_clear(&err);
	if (project_expand(p, t, tmpl, &argv, &err) < 0)
		fail_msg("expand: %s", err.msg);
	return argv;
}

static void test_expand_words(void **state)
{
	struct project *p =
		load_ok(BASE "targets:\n"
			     "  demo:\n"
			     "    vars:\n"
			     "      board: nrf52840dk/nrf52840\n"
			     "      build_dir: ${project_dir}/out dir\n"
			     "      spaced: 'a b  c'\n"
			     "      empty: ''\n"
			     "      chain: ${spaced}|${board}\n"
			     "    app: ${build_dir}/zephyr.bin\n"
			     "    signed_app: ${app}.signed\n"
			     "    run:\n"
			     "      - [west, '-b${board}', '${spaced}', 'x${empty}y', '${chain}',\n"
			     "         '$${board}', 'a$$b', '$HOME', '$', 'x$', '$$$${a}',\n"
			     "         '${key}', '${signed_app}', '${project_dir}', '']\n");
	const struct project_target *t = project_target(p, NULL);
	static const char *const want[] = {
		"west",
		"-bnrf52840dk/nrf52840",
		"a b  c", /* one word: never split */
		"xy",
		"a b  c|nrf52840dk/nrf52840",
		"${board}",
		"a$$b",
		"$HOME",
		"$",
		"x$",
		"$$${a}",
		"/proj/keys/signing.pem",
		"/proj/out dir/zephyr.bin.signed",
		"/proj",
		"",
		NULL,
	};
	char **argv;
	size_t i;

	assert_non_null(t);
	assert_string_equal(t->app, "/proj/out dir/zephyr.bin");
	assert_string_equal(t->app_raw, "${build_dir}/zephyr.bin");
	assert_string_equal(t->signed_app, "/proj/out dir/zephyr.bin.signed");
	assert_string_equal(t->build_dir, "/proj/out dir");
	assert_string_equal(t->board, "nrf52840dk/nrf52840");
	assert_string_equal(t->vars[4].name, "chain");
	assert_string_equal(t->vars[4].raw, "${spaced}|${board}");
	assert_string_equal(t->vars[4].value, "a b  c|nrf52840dk/nrf52840");
	argv = expand_ok(p, t, (const char *const *)t->run.v[0].argv);
	for (i = 0; want[i] != NULL; i++) {
		assert_non_null(argv[i]);
		assert_string_equal(argv[i], want[i]);
	}
	assert_null(argv[i]);
	project_argv_free(argv);

	assert_string_equal(project_lookup(p, t, "chain"), "a b  c|nrf52840dk/nrf52840");
	assert_string_equal(project_lookup(p, t, "key"), "/proj/keys/signing.pem");
	assert_null(project_lookup(p, t, "nope"));
	assert_string_equal(project_lookup(p, NULL, "build_dir"), "build");
	assert_null(project_lookup(p, NULL, "app"));
	assert_null(project_lookup(p, NULL, "board"));
	project_free(p);
}

/* Vars in any order refer to each other; the target's vars come before the
 * built-ins; build_dir defaults to "build". */
static void test_expand_order_ok(void **state)
{
	struct project *p =
		load_ok(BASE "targets:\n"
			     "  a:\n"
			     "    vars: {x: '${y}/${z}', y: '${z}', z: '${build_dir}'}\n"
			     "    app: ${x}\n"
			     "    signed_app: ${y}.s\n"
			     "  b:\n"
			     "    vars: {build_dir: /out, board: b1}\n"
			     "    app: ${build_dir}/${board}\n"
			     "    signed_app: s\n");

	assert_string_equal(p->targets[0].app, "build/build");
	assert_string_equal(p->targets[0].signed_app, "build.s");
	assert_string_equal(p->targets[0].build_dir, "build");
	assert_null(p->targets[0].board);
	assert_string_equal(p->targets[1].app, "/out/b1");
	assert_string_equal(p->targets[1].build_dir, "/out");
	project_free(p);
}

static void test_expand_errors(void **state)
{
	struct project *p = load_ok(BASE TGT);
	const struct project_target *t = project_target(p, "demo");
	static const char *const unknown[] = { "west", "x${nope}", NULL };
	static const char *const board[] = { "west", "${board}", NULL };
	static const char *const bad[] = { "a${", NULL };
	static const char *const empty[] = { NULL };
	static const char *const app[] = { "${app}", NULL };
	static const char *const builtins[] = { "${key}", "${project_dir}", "${build_dir}", NULL };
	const char *many[PROJECT_ARGV_MAX + 2];
	struct mcuprov_err err;
	char **argv = (char **)1;
	size_t i;

	err_clear(&err);
	assert_int_equal(project_expand(p, t, unknown, &argv, &err), MCUPROV_ERR_FORMAT);
	assert_null(argv);
	assert_string_equal(err.msg, "argv[1] 'x${nope}': unknown variable '${nope}' (known: key, "
				     "signed_app, app, project_dir, build_dir, mcuprov_examples)");
	assert_int_equal(project_expand(p, t, board, &argv, &err), MCUPROV_ERR_FORMAT);
	assert_string_equal(err.msg,
			    "argv[1] '${board}': '${board}' has no value: set vars.board in target "
			    "'demo'");
	assert_int_equal(project_expand(p, t, bad, &argv, &err), MCUPROV_ERR_FORMAT);
	assert_string_equal(err.msg,
			    "argv[0] 'a${': unterminated '${' (write '$${' for a literal '${')");
	assert_int_equal(project_expand(p, t, empty, &argv, &err), MCUPROV_ERR_FORMAT);
	assert_string_equal(err.msg, "an empty argv");
	assert_int_equal(project_expand(p, NULL, app, &argv, &err), MCUPROV_ERR_FORMAT);
	assert_string_equal(err.msg, "argv[0] '${app}': '${app}' needs a target");
	for (i = 0; i <= PROJECT_ARGV_MAX; i++)
		many[i] = "w";
	many[i] = NULL;
	assert_int_equal(project_expand(p, t, many, &argv, &err), MCUPROV_ERR_FORMAT);
	assert_string_equal(err.msg, "more than 256 words in an argv");
	many[PROJECT_ARGV_MAX] = NULL;
	argv = expand_ok(p, t, many);
	assert_string_equal(argv[255], "w");
	assert_null(argv[256]);
	project_argv_free(argv);

	/* the project's built-ins without a target */
	argv = expand_ok(p, NULL, builtins);
	assert_string_equal(argv[0], "/proj/keys/signing.pem");
	assert_string_equal(argv[1], "/proj");
	assert_string_equal(argv[2], "build");
	project_argv_free(argv);
	project_free(p);
}

static void test_project_path(void **state)
{
	struct project *p = load_ok(BASE);
	char buf[32];

	assert_int_equal(project_path(p, "keys/a.pem", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/proj/keys/a.pem");
	assert_int_equal(project_path(p, "/abs/x", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/abs/x");
	assert_int_equal(project_path(p, "a-name-too-long-for-the-buffer", buf, sizeof(buf)),
			 MCUPROV_ERR_USAGE);
	project_free(p);
	/* without a directory: the file's own, made absolute */
	{
		struct mcuprov_err err;
		char cwd[4096], want[4200];

		assert_non_null(getcwd(cwd, sizeof(cwd)));
		assert_int_equal(project_load_mem("sub/dir/mcuprov.yaml", NULL, BASE, strlen(BASE),
						  &p, &err),
				 0);
		snprintf(want, sizeof(want), "%s/sub/dir", cwd);
		assert_string_equal(p->dir, want);
		project_free(p);
	}
}

/* ---- ${mcuprov_examples} and `mcuprov init` -------------------------------- */

/* ${mcuprov_examples}: $MCUPROV_EXAMPLES when it holds demo-qemu/Makefile,
 * else the source tree's examples. */
static void test_examples_var(void **state)
{
	static const char text[] = BASE TGT "    vars: {d: \"${mcuprov_examples}/demo-qemu\"}\n";
	char dir[64], file[160], want[192], real[PATH_MAX];
	struct project *p;
	FILE *f;

	assert_int_equal(unit_mkdtemp(dir, sizeof(dir)), 0);
	snprintf(file, sizeof(file), "%s/demo-qemu", dir);
	assert_int_equal(mkdir(file, 0700), 0);
	snprintf(file, sizeof(file), "%s/demo-qemu/Makefile", dir);
	assert_non_null(f = fopen(file, "w"));
	fclose(f);
	setenv("MCUPROV_EXAMPLES", dir, 1);
	p = load_ok(text);
	snprintf(want, sizeof(want), "%s/demo-qemu", dir);
	assert_string_equal(project_lookup(p, &p->targets[0], "d"), want);
	assert_string_equal(project_lookup(p, NULL, "mcuprov_examples"), dir);
	project_free(p);
	/* a folder without the demo is passed over; the next one is named as
	 * a person would write it (the build's path may be "build/../examples") */
	setenv("MCUPROV_EXAMPLES", "/nonexistent", 1);
	p = load_ok(text);
	assert_non_null(realpath(MCUPROV_SRC_EXAMPLES, real));
	assert_string_equal(project_lookup(p, NULL, "mcuprov_examples"), real);
	project_free(p);
	unsetenv("MCUPROV_EXAMPLES");
	assert_int_equal(unit_rmtree(dir), 0);
}

/* TEXT with its one OLD replaced by NEW (OLD must be there exactly once);
 * malloc'd. */
static char *replaced(const char *text, const char *old, const char *new)
{
	const char *at = strstr(text, old);
	struct text out = { NULL, 0 };

	if (at == NULL || strstr(at + 1, old) != NULL)
		fail_msg("'%s' is not in the text exactly once", old);
	add(&out, "%.*s%s%s", (int)(at - text), text, new, at + strlen(old));
	return out.s;
}

/* The profile NAME's text from the source tree; malloc'd. */
static char *profile_text(const char *name)
{
	char path[4096];
	uint8_t *text = NULL;
	size_t len = 0;
	struct mcuprov_err err;

	snprintf(path, sizeof(path), "%s/targets/%s.yaml", MCUPROV_SRC_TEMPLATES, name);
	err_clear(&err);
	if (file_read(path, PROJECT_FILE_MAX, &text, &len, NULL, &err) < 0)
		fail_msg("%s: %s", path, err.msg);
	return (char *)text;
}

/* A fresh directory to work in (*dir), the working directory saved. */
static int enter_tmp(char *dir, size_t size)
{
	unsetenv("MCUPROV_TEMPLATES");
	unsetenv("MCUPROV_EXAMPLES");
	assert_int_equal(unit_mkdtemp(dir, size), 0);
	return open(".", O_RDONLY | O_DIRECTORY);
}

static void leave_tmp(const char *dir, int cwd)
{
	assert_int_equal(fchdir(cwd), 0);
	close(cwd);
	assert_int_equal(unit_rmtree(dir), 0);
}

/* A new unencrypted key of TYPE at PATH. */
static void make_key(enum key_type type, const char *path, const char *password)
{
	struct mcuprov_key *k = NULL;
	struct mcuprov_err err;

	err_clear(&err);
	assert_int_equal(key_generate(type, &k, &err), 0);
	assert_int_equal(key_save(k, path, password, false, &err), 0);
	key_free(k);
}

/* project_init_text(O) is O's profile with each of the pairs OLD, NEW of
 * REPL (NULL-terminated) replaced, and nothing else. */
static void init_text_is(const struct project_init_opts *o, struct project_init_result *r,
			 const char *const *repl)
{
	struct mcuprov_err err;
	char *text = NULL, *want = profile_text(o->profile), *next;
	size_t len = 0, i;

	err_clear(&err);
	if (project_init_text(o, &text, &len, r, &err) < 0)
		fail_msg("%s", err.msg);
	for (i = 0; repl[i] != NULL; i += 2) {
		next = replaced(want, repl[i], repl[i + 1]);
		free(want);
		want = next;
	}
	assert_string_equal(text, want);
	assert_int_equal(len, strlen(want));
	free(text);
	free(want);
}

/* init's text: only the values asked for change, in place */
static void test_init_text(void **state)
{
	struct project_init_opts o;
	struct project_init_result r;
	struct mcuprov_err err;
	char dir[64], real[4096], want_abs[4200], *text = NULL, *prof;
	size_t len = 0;
	int cwd = enter_tmp(dir, sizeof(dir));

	assert_int_equal(chdir(dir), 0);
	assert_non_null(realpath(dir, real));
	err_clear(&err);

	/* demo-qemu for an ecdsa-p256 key in a directory with a space */
	memset(&o, 0, sizeof(o));
	o.profile = "demo-qemu";
	o.out_path = "-";
	o.type = KEY_ECDSA_P256;
	o.key = "my keys/k.pem";
	init_text_is(&o, &r,
		     (const char *const[]){ "    type: ed25519 ", "    type: ecdsa-p256 ",
					    "  - path: keys/demo-signing.pem\n",
					    "  - path: \"my keys/k.pem\"\n",
					    "sign_define: MCUBOOT_SIGN_ED25519\n",
					    "sign_define: MCUBOOT_SIGN_EC256\n", NULL });
	assert_int_equal(r.type, KEY_ECDSA_P256);
	assert_string_equal(r.key, "my keys/k.pem");
	snprintf(want_abs, sizeof(want_abs), "%s/my keys/k.pem", real);
	assert_string_equal(r.key_abspath, want_abs);
	assert_false(r.key_exists);
	assert_string_equal(r.needs, "");

	/* without -t and -k: the profile byte for byte */
	o.type = KEY_TYPE_NONE;
	o.key = NULL;
	assert_int_equal(project_init_text(&o, &text, &len, &r, &err), 0);
	prof = profile_text("demo-qemu");
	assert_string_equal(text, prof);
	assert_string_equal(r.key, "keys/demo-signing.pem");
	assert_int_equal(r.type, KEY_ED25519);
	free(text), free(prof);

	/* zephyr-sysbuild: the Kconfig name in sign_type follows; a key outside
	 * the project directory is written absolute */
	o.profile = "zephyr-sysbuild";
	o.type = KEY_RSA2048;
	o.key = "/nonexistent/k.pem";
	init_text_is(&o, &r, (const char *const[]){ "    type: ed25519\n", "    type: rsa-2048\n",
				"  - path: keys/signing.pem\n", "  - path: /nonexistent/k.pem\n",
				"sign_type: ED25519 ", "sign_type: RSA ", NULL });
	assert_string_equal(r.needs, "your Zephyr app in app/, in a west workspace (mcuprov writes "
				     "app/sysbuild/mcuboot.conf)");

	/* a type the profile cannot name, a type that cannot sign */
	o.type = KEY_ECDSA_P384;
	o.key = NULL;
	assert_int_equal(project_init_text(&o, &text, &len, &r, &err), MCUPROV_ERR_USAGE);
	assert_null(text);
	assert_string_equal(err.subject, MCUPROV_SRC_TEMPLATES "/targets/zephyr-sysbuild.yaml");
	prof = profile_text("zephyr-sysbuild");
	{
		char msg[160];
		const char *at = strstr(prof, "sign_type:");
		size_t line = 1;

		for (const char *c = prof; c < at; c++)
			line += *c == '\n';
		snprintf(msg, sizeof(msg),
			 "ecdsa-p384: Zephyr's Kconfig has no signature type for it (vars "
			 "sign_type, line %zu)",
			 line);
		assert_string_equal(err.msg, msg);
	}
	free(prof);
	o.type = KEY_X25519;
	assert_int_equal(project_init_text(&o, &text, &len, &r, &err), MCUPROV_ERR_USAGE);
	assert_string_equal(err.msg, "x25519 keys cannot sign: a project's type is a signing type");

	/* an existing key: the project takes its type, -t must agree */
	assert_int_equal(mkdir("keys", 0700), 0);
	make_key(KEY_ECDSA_P256, "keys/demo-signing.pem", NULL);
	o.profile = "demo-qemu";
	o.type = KEY_TYPE_NONE;
	assert_int_equal(project_init_text(&o, &text, &len, &r, &err), 0);
	assert_int_equal(r.type, KEY_ECDSA_P256);
	assert_true(r.key_exists);
	assert_non_null(strstr(text, "sign_define: MCUBOOT_SIGN_EC256\n"));
	free(text);
	o.type = KEY_ED25519;
	assert_int_equal(project_init_text(&o, &text, &len, &r, &err), MCUPROV_ERR_REFUSED);
	assert_string_equal(err.subject, "keys/demo-signing.pem");
	assert_string_equal(err.msg, "is an ecdsa-p256 key, not ed25519");
	/* an encrypted one cannot say its type: -t, else the profile's */
	make_key(KEY_ECDSA_P256, "keys/enc.pem", "pw");
	o.key = "keys/enc.pem";
	assert_int_equal(project_init_text(&o, &text, &len, &r, &err), 0);
	assert_int_equal(r.type, KEY_ED25519);
	free(text);
	o.type = KEY_TYPE_NONE;
	assert_int_equal(project_init_text(&o, &text, &len, &r, &err), 0);
	assert_int_equal(r.type, KEY_ED25519);
	assert_true(r.key_exists);
	free(text);
	leave_tmp(dir, cwd);
}

/* (mode & 07777) of PATH, a directory or a file */
static unsigned mode_of(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return (unsigned)(st.st_mode & 07777);
}

/* the files init makes: mcuprov.yaml, the key directory, the demo's keys.c */
static void test_init_create(void **state)
{
	struct project_init_opts o;
	struct project_init_result r;
	struct mcuprov_err err;
	struct mcuprov_key *k = NULL;
	char dir[64], real[4096], want[4200], fp[2 * KEY_FINGERPRINT_LEN + 1], *prof;
	uint8_t *kc = NULL;
	size_t len = 0;
	int cwd = enter_tmp(dir, sizeof(dir));

	assert_int_equal(chdir(dir), 0);
	assert_non_null(realpath(dir, real));
	err_clear(&err);
	umask(022);
	memset(&o, 0, sizeof(o));
	o.profile = "demo-qemu";
	o.out_path = "p/mcuprov.yaml";
	assert_int_equal(mkdir("p", 0755), 0);
	assert_int_equal(project_create(&o, &r, &err), 0);
	prof = profile_text("demo-qemu");
	assert_int_equal(file_read("p/mcuprov.yaml", PROJECT_FILE_MAX, &kc, &len, NULL, &err), 0);
	assert_string_equal((char *)kc, prof);
	free(kc), free(prof);
	assert_int_equal(mode_of("p/keys"), 0700);
	assert_true(r.key_dir_made);
	assert_false(r.key_exists);
	snprintf(want, sizeof(want), "%s/p/build/demo-qemu/keys.c", real);
	assert_string_equal(r.keys_c, want);
	assert_true(r.keys_c_placeholder);
	assert_int_equal(file_read(want, 1 << 20, &kc, &len, NULL, &err), 0);
	assert_non_null(strstr((char *)kc, "\n#if defined(MCUBOOT_SIGN_ED25519)\n"
					   "/* ed25519 key: the project's keys[0], provisioned by "
					   "mcuprov */\n"
					   "const unsigned char root_pub_der[] = {\n"));
	assert_non_null(strstr((char *)kc, "const unsigned int root_pub_der_len = 44;\n"));
	free(kc);

	/* never replaced without force */
	assert_int_equal(project_create(&o, &r, &err), MCUPROV_ERR_EXISTS);
	assert_string_equal(err.subject, "p/mcuprov.yaml");
	assert_string_equal(err.msg, "already exists (use --force to replace it)");

	/* with force and keys[0] readable: keys.c trusts it, the key directory
	 * keeps its mode */
	assert_int_equal(chmod("p/keys", 0750), 0);
	make_key(KEY_ECDSA_P256, "p/keys/demo-signing.pem", NULL);
	o.force = true;
	assert_int_equal(project_create(&o, &r, &err), 0);
	assert_int_equal(r.type, KEY_ECDSA_P256);
	assert_false(r.key_dir_made);
	assert_false(r.keys_c_placeholder);
	assert_int_equal(mode_of("p/keys"), 0750);
	assert_int_equal(key_load("p/keys/demo-signing.pem", NULL, NULL, &k, &err), 0);
	assert_int_equal(key_fingerprint_hex(k, fp, &err), 0);
	key_free(k);
	assert_int_equal(file_read("p/build/demo-qemu/keys.c", 1 << 20, &kc, &len, NULL, &err), 0);
	snprintf(want, sizeof(want),
		 "\n#if defined(MCUBOOT_SIGN_EC256)\n/* ecdsa-p256 key, SHA-256 %s */\n", fp);
	assert_non_null(strstr((char *)kc, want));
	free(kc);

	/* a profile that needs the user's tree renders nothing */
	o.profile = "cmake";
	o.out_path = "c.yaml";
	o.force = false;
	assert_int_equal(project_create(&o, &r, &err), 0);
	assert_string_equal(r.keys_c, "");
	assert_int_equal(access("bootloader", F_OK), -1);
	assert_int_equal(mode_of("keys"), 0700);
	leave_tmp(dir, cwd);
}

/* A profile of one's own, DIR/NAME: ncs with line 3 (its supply line)
 * replaced by LINE3, or dropped (NULL) with line 2 (its needs line) too
 * when NEEDS is false. */
static void own_profile(const char *dir, const char *name, const char *line3, bool needs,
			char *path, size_t n)
{
	char *prof = profile_text("ncs"), *l2 = strchr(prof, '\n') + 1, *l3 = strchr(l2, '\n') + 1;
	char *l4 = strchr(l3, '\n') + 1;
	FILE *f;

	snprintf(path, n, "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "w"));
	fprintf(f, "%.*s%.*s%s%s%s", (int)(l2 - prof), prof, needs ? (int)(l3 - l2) : 0, l2,
		line3 != NULL ? line3 : "", line3 != NULL ? "\n" : "", l4);
	fclose(f);
	free(prof);
}

/* O->supply: the folder the profile needs, written in place */
static void test_init_supply(void **state)
{
	struct project_init_opts o;
	struct project_init_result r;
	struct mcuprov_err err;
	struct project *p = NULL;
	char dir[64], real[4096], path[4200], old[4400], new[4200], *text = NULL;
	size_t len = 0;
	int cwd = enter_tmp(dir, sizeof(dir));

	assert_int_equal(chdir(dir), 0);
	assert_non_null(realpath(dir, real));
	err_clear(&err);
	assert_int_equal(mkdir("fw", 0755), 0);
	assert_int_equal(mkdir("fw/blinky", 0755), 0);
	assert_int_equal(mkdir("x${y}", 0755), 0);
	memset(&o, 0, sizeof(o));

	/* below the project directory: relative to it; the app's sysbuild
	 * name follows the folder's */
	o.profile = "zephyr-sysbuild";
	o.out_path = "fw/mcuprov.yaml";
	o.supply = "fw/blinky/";
	init_text_is(&o, &r,
		     (const char *const[]){ "  conf: app/sysbuild/mcuboot.conf ",
					    "  conf: blinky/sysbuild/mcuboot.conf ",
					    "      app_dir: app ", "      app_dir: blinky ",
					    "      app_name: app ", "      app_name: blinky ",
					    NULL });
	assert_string_equal(r.supply_var, "app_dir");
	assert_string_equal(r.supply, "blinky");

	/* outside: absolute, also where the profile has ${project_dir}/ */
	o.profile = "esp32";
	o.out_path = "fw/blinky/mcuprov.yaml";
	o.supply = "x${y}";
	snprintf(new, sizeof(new), "      mcuboot_dir: \"%s/x$${y}\"\n", real);
	init_text_is(&o, &r,
		     (const char *const[]){ "      mcuboot_dir: \"${project_dir}/../mcuboot\"\n",
					    new, NULL });
	snprintf(new, sizeof(new), "%s/x${y}", real);
	assert_string_equal(r.supply, new);
	/* below: relative, after ${project_dir}/ */
	o.out_path = "-";
	o.supply = "fw";
	init_text_is(&o, &r,
		     (const char *const[]){ "      mcuboot_dir: \"${project_dir}/../mcuboot\"\n",
					    "      mcuboot_dir: \"${project_dir}/fw\"\n", NULL });

	/* make: keys_c below the folder, the var of both targets */
	o.profile = "make";
	init_text_is(&o, &r,
		     (const char *const[]){ "  keys_c: bootloader/src/keys.c\n",
					    "  keys_c: fw/src/keys.c\n",
					    "      bootloader_dir: bootloader ",
					    "      bootloader_dir: fw ",
					    "      bootloader_dir: bootloader\n",
					    "      bootloader_dir: fw\n", NULL });
	/* with -t and -k in the same pass; "." is the project directory */
	o.profile = "cmake";
	o.supply = ".";
	o.type = KEY_ED25519;
	o.key = "k.pem";
	init_text_is(&o, &r,
		     (const char *const[]){ "  - path: keys/signing.pem\n", "  - path: k.pem\n",
					    "    type: ecdsa-p256\n", "    type: ed25519\n",
					    "  tree: bootloader\n", "  tree: \".\"\n",
					    "      bootloader_dir: bootloader ",
					    "      bootloader_dir: \".\" ",
					    "      bootloader_dir: bootloader\n",
					    "      bootloader_dir: \".\"\n", NULL });
	o.type = KEY_TYPE_NONE;
	o.key = NULL;

	/* a folder with "${" in its name: the var expands to it */
	o.profile = "zephyr";
	o.supply = "x${y}";
	assert_int_equal(project_init_text(&o, &text, &len, &r, &err), 0);
	assert_non_null(strstr(text, "      app_dir: \"x$${y}\"\n"));
	assert_int_equal(project_load_mem("mcuprov.yaml", NULL, text, len, &p, &err), 0);
	assert_string_equal(project_lookup(p, project_target(p, NULL), "app_dir"), "x${y}");
	project_free(p);
	free(text);

	/* refused: not there, not a folder, nothing to supply */
	o.supply = "nope";
	assert_int_equal(project_init_text(&o, &text, &len, &r, &err), MCUPROV_ERR_IO);
	assert_null(text);
	assert_string_equal(err.subject, "nope");
	assert_string_equal(err.msg, "no such directory (the profile needs: your Zephyr app in "
				     "app/ and MCUboot's tree in ../bootloader/mcuboot, in a west "
				     "workspace (mcuprov writes mcuboot.conf))");
	assert_int_equal(file_write_atomic("f", "x", 1, 0, &err), 0);
	o.supply = "f";
	assert_int_equal(project_init_text(&o, &text, &len, &r, &err), MCUPROV_ERR_IO);
	assert_string_equal(err.subject, "f");
	assert_true(strncmp(err.msg, "not a directory (the profile needs: ", 36) == 0);
	o.profile = "demo-qemu";
	o.supply = "fw";
	assert_int_equal(project_init_text(&o, &text, &len, &r, &err), MCUPROV_ERR_USAGE);
	assert_string_equal(err.msg, "profile 'demo-qemu' is self-contained: it needs nothing "
				     "supplied");

	/* a profile of one's own: its supply line checked, even unused */
	own_profile(real, "none.yaml", NULL, true, path, sizeof(path));
	o.profile = path;
	assert_int_equal(project_init_text(&o, &text, &len, &r, &err), MCUPROV_ERR_USAGE);
	snprintf(old, sizeof(old), "profile '%s' names no directory to supply (no '# supply:' "
				   "line)", path);
	assert_string_equal(err.msg, old);
	o.supply = NULL;
	assert_int_equal(project_init_text(&o, &text, &len, &r, &err), 0);
	free(text);
	{
		static const char *const bad[][2] = {
			{ "# supply: app_dir app", "'# supply: app_dir app': expected VAR=DEFAULT, "
			  "then NAME=basename(VAR) for each var that holds its basename" },
			{ "# supply: app_dir=app, n=basename(x)", "'# supply: app_dir=app, "
			  "n=basename(x)': expected VAR=DEFAULT, then NAME=basename(VAR) for each "
			  "var that holds its basename" },
			{ "# supply: src=app", "'# supply:' names the var 'src', which no target "
			  "sets" },
			{ "# supply: app_dir=app, name=basename(app_dir)", "'# supply:' names the "
			  "var 'name', which no target sets" },
		};
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			own_profile(real, "bad.yaml", bad[i][0], true, path, sizeof(path));
			o.profile = path;
			assert_int_equal(project_init_text(&o, &text, &len, &r, &err),
					 MCUPROV_ERR_FORMAT);
			assert_string_equal(err.subject, path);
			assert_string_equal(err.msg, bad[i][1]);
		}
	}
	own_profile(real, "bad.yaml", "# supply: app_dir=app", false, path, sizeof(path));
	assert_int_equal(project_init_text(&o, &text, &len, &r, &err), MCUPROV_ERR_FORMAT);
	assert_string_equal(err.msg, "a '# supply:' line without a '# needs:' line");
	/* a default written as a folder, and spaces: as the profiles write it */
	own_profile(real, "ok.yaml", "# supply:  app_dir=app/ ", true, path, sizeof(path));
	o.profile = path;
	o.supply = "fw";
	assert_int_equal(project_init_text(&o, &text, &len, &r, &err), 0);
	assert_non_null(strstr(text, "  conf: fw/child_image/mcuboot.conf\n"));
	assert_non_null(strstr(text, "      app_dir: fw\n"));
	free(text);
	leave_tmp(dir, cwd);
}

static int dump_main(int argc, char **argv)
{
	int i;

	for (i = 2; i < argc; i++) {
		struct project *p = load_profile(argv[i]);
		char *s = dump(p);

		printf("=== %s\n%s", argv[i], s);
		free(s);
		project_free(p);
	}
	return 0;
}

#define N_BAD (sizeof(bad_cases) / sizeof(bad_cases[0]))

int main(int argc, char **argv)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_profiles_listed), cmocka_unit_test(test_profile_find),
		cmocka_unit_test(test_bounds),		cmocka_unit_test(test_files),
		cmocka_unit_test(test_good_values),	cmocka_unit_test(test_key_passin),	cmocka_unit_test(test_defines),
		cmocka_unit_test(test_target_get),
		cmocka_unit_test(test_expand_words),	cmocka_unit_test(test_expand_order_ok),
		cmocka_unit_test(test_expand_errors),	cmocka_unit_test(test_project_path),
		cmocka_unit_test(test_examples_var),	cmocka_unit_test(test_init_text),
		cmocka_unit_test(test_init_create),	cmocka_unit_test(test_init_supply),
	};
	struct CMUnitTest tests[sizeof(fixed) / sizeof(fixed[0]) + N_PROFILES + N_BAD];
	size_t n = 0, i;
	char names[N_PROFILES][64];

	if (argc > 1 && strcmp(argv[1], "--dump") == 0)
		return dump_main(argc, argv);
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		tests[n++] = fixed[i];
	for (i = 0; i < N_PROFILES; i++) {
		snprintf(names[i], sizeof(names[i]), "profile %s", profile_cases[i].name);
		tests[n++] = (struct CMUnitTest){ names[i], test_profile, NULL, NULL,
						  (void *)&profile_cases[i] };
	}
	for (i = 0; i < N_BAD; i++)
		tests[n++] = (struct CMUnitTest){ bad_cases[i].name, test_bad, NULL, NULL,
						  (void *)&bad_cases[i] };
	return _cmocka_run_group_tests("project", tests, n, NULL, NULL);
}
