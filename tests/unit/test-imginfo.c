/* Unit tests: imgtool dumpinfo rendering (human text, YAML, JSON).
 *
 * The vector tests compare with imgtool's own output byte for byte (and
 * the JSON also by value).  The hand-built records cover what the vectors
 * do not show; their expected texts were produced by imgtool's dumpinfo
 * code on images with the same content. */
#include "config.h"

#include "unit.h"

#include <json-c/json.h>

#include "mcuprov/error.h"
#include "mcuprov/image.h"

/* Whole file PATH as a NUL-terminated string, or NULL. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		if (buf != NULL) {
			buf[n] = '\0';
			*len = (size_t)n;
		}
	}
	fclose(f);
	return buf;
}

/* Format INFO as FMT and return the text (asserting success and that the
 * length matches the string). */
static char *render(const struct image_info *info, const char *name, enum imginfo_format fmt)
{
	struct mcuprov_err err;
	char *out = NULL;
	size_t len = 0;

	err_clear(&err);
	assert_int_equal(imginfo_format(info, name, fmt, &out, &len, &err), 0);
	assert_non_null(out);
	assert_int_equal(strlen(out), len);
	return out;
}

static void check_text(const struct image_info *info, const char *name, enum imginfo_format fmt,
		       const char *expected)
{
	char *out = render(info, name, fmt);

	assert_string_equal(out, expected);
	free(out);
}

/* The JSON texts A and B hold the same values. */
static void assert_json_equal(const char *a, const char *b)
{
	struct json_object *ja = json_tokener_parse(a), *jb = json_tokener_parse(b);

	assert_non_null(ja);
	assert_non_null(jb);
	assert_true(json_object_equal(ja, jb));
	json_object_put(ja);
	json_object_put(jb);
}

/* ---- imgtool's own output for the reference images ------------------------ */

static void check_vector(const char *name)
{
	static const char *const ext[] = { "txt", "yaml", "json" };
	static const enum imginfo_format fmts[] = { IMGINFO_HUMAN, IMGINFO_YAML, IMGINFO_JSON };
	const char *vec = unit_vectors();
	struct image_info *info = NULL;
	struct mcuprov_err err;
	char path[4096], file[256];
	size_t i;

	if (vec == NULL)
		unit_skip("vectors folder not found (set MCUPROV_VECTORS)");
	snprintf(path, sizeof(path), "%s/images/%s.bin", vec, name);
	snprintf(file, sizeof(file), "%s.bin", name);
	err_clear(&err);
	assert_int_equal(image_parse(path, &info, &err), 0);
	for (i = 0; i < 3; i++) {
		char *expected, *out;
		size_t len = 0;

		snprintf(path, sizeof(path), "%s/dumpinfo/%s.%s", vec, name, ext[i]);
		expected = slurp(path, &len);
		assert_non_null(expected);
		out = render(info, file, fmts[i]);
		assert_string_equal(out, expected);
		if (fmts[i] == IMGINFO_JSON)
			assert_json_equal(out, expected);
		free(out);
		free(expected);
	}
	image_info_free(info);
}

static void test_vec_ecdsa_p256(void **state)
{
	check_vector("ecdsa-p256");
}

static void test_vec_ed25519_basic(void **state)
{
	check_vector("ed25519-basic");
}

static void test_vec_ed25519_pad_confirm(void **state)
{
	check_vector("ed25519-pad-confirm");
}

static void test_vec_hashonly(void **state)
{
	check_vector("hashonly");
}

/* ---- hand-built records ------------------------------------------------------ */

static const char prot_human[] =
	"Printing content of signed image: prot.bin \n"
	"\n"
	"#### Image header (offset: 0x0) ############################\n"
	"magic:              0x96f3b83d\n"
	"load_addr:          0x20000\n"
	"hdr_size:           0x20\n"
	"protected_tlv_size: 0x13\n"
	"img_size:           0x100\n"
	"flags:              PIC (0x1)\n"
	"                    NON_BOOTABLE (0x10)\n"
	"version:            2.1.0+7\n"
	"############################################################\n"
	"#### Payload (offset: 0x20) ################################\n"
	"|                                                          |\n"
	"|               FW image (size: 0x100 Bytes)               |\n"
	"|                                                          |\n"
	"############################################################\n"
	"#### Protected TLV area (offset: 0x120) ####################\n"
	"magic:     0x6908\n"
	"area size: 0x13\n"
	"        ---------------------------------------------\n"
	"        type: SEC_CNT (0x50)\n"
	"        len:  0x4\n"
	"        data: 0x07 0x00 0x00 0x01 \n"
	"        ---------------------------------------------\n"
	"        type: UNKNOWN (0xb0)\n"
	"        len:  0x3\n"
	"        data: 0x61 0x62 0x63 \n"
	"############################################################\n"
	"#### TLV area (offset: 0x133) ##############################\n"
	"magic:     0x6907\n"
	"area size: 0x15\n"
	"        ---------------------------------------------\n"
	"        type: SHA256 (0x10)\n"
	"        len:  0x9\n"
	"        data: 0x00 0x01 0x02 0x03 0x04 0x05 0x06 0x07 \n"
	"              0x08 \n"
	"        ---------------------------------------------\n"
	"        type: UNKNOWN (0x7777)\n"
	"        len:  0x0\n"
	"        data: \n"
	"############################################################\n"
	"#### End of Image  #########################################\n";

static const char prot_yaml[] =
	"filename: prot.bin\n"
	"header:\n"
	"  magic: 2532554813\n"
	"  load_addr: 131072\n"
	"  hdr_size: 32\n"
	"  protected_tlv_size: 19\n"
	"  img_size: 256\n"
	"  flags: 4113\n"
	"  version: 2.1.0+7\n"
	"tlv_area:\n"
	"  tlv_hdr_prot:\n"
	"    magic: 26888\n"
	"    tlv_tot: 19\n"
	"  tlvs_prot:\n"
	"  - type: 80\n"
	"    type_name: SEC_CNT\n"
	"    len: 4\n"
	"    data: !!binary |\n"
	"      BwAAAQ==\n"
	"  - type: 176\n"
	"    type_name: UNKNOWN\n"
	"    len: 3\n"
	"    data: !!binary |\n"
	"      YWJj\n"
	"  tlv_hdr:\n"
	"    magic: 26887\n"
	"    tlv_tot: 21\n"
	"  tlvs:\n"
	"  - type: 16\n"
	"    type_name: SHA256\n"
	"    len: 9\n"
	"    data: !!binary |\n"
	"      AAECAwQFBgcI\n"
	"  - type: 30583\n"
	"    type_name: UNKNOWN\n"
	"    len: 0\n"
	"    data: !!binary \"\"\n"
	"trailer: {}\n";

static const char prot_json[] =
	"{\n"
	"  \"filename\": \"prot.bin\",\n"
	"  \"header\": {\n"
	"    \"magic\": 2532554813,\n"
	"    \"load_addr\": 131072,\n"
	"    \"hdr_size\": 32,\n"
	"    \"protected_tlv_size\": 19,\n"
	"    \"img_size\": 256,\n"
	"    \"flags\": 4113,\n"
	"    \"version\": \"2.1.0+7\"\n"
	"  },\n"
	"  \"tlv_area\": {\n"
	"    \"tlv_hdr_prot\": {\n"
	"      \"magic\": 26888,\n"
	"      \"tlv_tot\": 19\n"
	"    },\n"
	"    \"tlvs_prot\": [\n"
	"      {\n"
	"        \"type\": 80,\n"
	"        \"type_name\": \"SEC_CNT\",\n"
	"        \"len\": 4,\n"
	"        \"data\": \"07000001\"\n"
	"      },\n"
	"      {\n"
	"        \"type\": 176,\n"
	"        \"type_name\": \"UNKNOWN\",\n"
	"        \"len\": 3,\n"
	"        \"data\": \"616263\"\n"
	"      }\n"
	"    ],\n"
	"    \"tlv_hdr\": {\n"
	"      \"magic\": 26887,\n"
	"      \"tlv_tot\": 21\n"
	"    },\n"
	"    \"tlvs\": [\n"
	"      {\n"
	"        \"type\": 16,\n"
	"        \"type_name\": \"SHA256\",\n"
	"        \"len\": 9,\n"
	"        \"data\": \"000102030405060708\"\n"
	"      },\n"
	"      {\n"
	"        \"type\": 30583,\n"
	"        \"type_name\": \"UNKNOWN\",\n"
	"        \"len\": 0,\n"
	"        \"data\": \"\"\n"
	"      }\n"
	"    ]\n"
	"  },\n"
	"  \"trailer\": {}\n"
	"}\n";

static const char bad_human[] =
	"Warning: the trailer magic value is invalid!\n"
	"Printing content of signed image: bad.bin \n"
	"\n"
	"#### Image header (offset: 0x0) ############################\n"
	"magic:              0x96f3b83d\n"
	"load_addr:          0x0\n"
	"hdr_size:           0x20\n"
	"protected_tlv_size: 0x0\n"
	"img_size:           0x10\n"
	"flags:              0x0\n"
	"version:            1.0.0+0\n"
	"############################################################\n"
	"#### Payload (offset: 0x20) ################################\n"
	"|                                                          |\n"
	"|               FW image (size: 0x10 Bytes)                |\n"
	"|                                                          |\n"
	"############################################################\n"
	"#### TLV area (offset: 0x30) ###############################\n"
	"magic:     0x6907\n"
	"area size: 0x10\n"
	"        ---------------------------------------------\n"
	"        type: SHA256 (0x10)\n"
	"        len:  0x8\n"
	"        data: 0xf8 0xf9 0xfa 0xfb 0xfc 0xfd 0xfe 0xff \n"
	"############################################################\n"
	"#### Image trailer (offset: unknown) #######################\n"
	"(Note: some fields may not be used, depending on the update \n"
	"strategy)\n"
	"\n"
	"swap status: (len: unknown)\n"
	"enc. keys:   Image not encrypted\n"
	"boot magic:  0xff 0xff 0xff 0xff 0xff 0xff 0xff 0xff \n"
	"             0xff 0xff 0xff 0xff 0xff 0xff 0xff 0xff \n"
	"\n"
	"#### End of Image  #########################################\n";

static const char bad_yaml[] =
	"filename: bad.bin\n"
	"header:\n"
	"  magic: 2532554813\n"
	"  load_addr: 0\n"
	"  hdr_size: 32\n"
	"  protected_tlv_size: 0\n"
	"  img_size: 16\n"
	"  flags: 0\n"
	"  version: 1.0.0+0\n"
	"tlv_area:\n"
	"  tlv_hdr_prot: {}\n"
	"  tlvs_prot: []\n"
	"  tlv_hdr:\n"
	"    magic: 26887\n"
	"    tlv_tot: 16\n"
	"  tlvs:\n"
	"  - type: 16\n"
	"    type_name: SHA256\n"
	"    len: 8\n"
	"    data: !!binary |\n"
	"      +Pn6+/z9/v8=\n"
	"trailer:\n"
	"  magic: !!binary |\n"
	"    /////////////////////w==\n";

static const char bad_json[] =
	"{\n"
	"  \"filename\": \"bad.bin\",\n"
	"  \"header\": {\n"
	"    \"magic\": 2532554813,\n"
	"    \"load_addr\": 0,\n"
	"    \"hdr_size\": 32,\n"
	"    \"protected_tlv_size\": 0,\n"
	"    \"img_size\": 16,\n"
	"    \"flags\": 0,\n"
	"    \"version\": \"1.0.0+0\"\n"
	"  },\n"
	"  \"tlv_area\": {\n"
	"    \"tlv_hdr_prot\": {},\n"
	"    \"tlvs_prot\": [],\n"
	"    \"tlv_hdr\": {\n"
	"      \"magic\": 26887,\n"
	"      \"tlv_tot\": 16\n"
	"    },\n"
	"    \"tlvs\": [\n"
	"      {\n"
	"        \"type\": 16,\n"
	"        \"type_name\": \"SHA256\",\n"
	"        \"len\": 8,\n"
	"        \"data\": \"f8f9fafbfcfdfeff\"\n"
	"      }\n"
	"    ]\n"
	"  },\n"
	"  \"trailer\": {\n"
	"    \"magic\": \"ffffffffffffffffffffffffffffffff\"\n"
	"  }\n"
	"}\n";

static const char fields_human[] =
	"Printing content of signed image: 123 \n"
	"\n"
	"#### Image header (offset: 0x0) ############################\n"
	"magic:              0x96f3b83d\n"
	"load_addr:          0x0\n"
	"hdr_size:           0x20\n"
	"protected_tlv_size: 0x0\n"
	"img_size:           0x10\n"
	"flags:              ENCRYPTED_AES256 (0x8)\n"
	"                    RAM_LOAD (0x20)\n"
	"version:            0.0.65535+4294967295\n"
	"############################################################\n"
	"#### Payload (offset: 0x20) ################################\n"
	"|                                                          |\n"
	"|               FW image (size: 0x10 Bytes)                |\n"
	"|                                                          |\n"
	"############################################################\n"
	"#### TLV area (offset: 0x30) ###############################\n"
	"magic:     0x6907\n"
	"area size: 0x4\n"
	"\n"
	"############################################################\n"
	"#### Image trailer (offset: unknown) #######################\n"
	"(Note: some fields may not be used, depending on the update \n"
	"strategy)\n"
	"\n"
	"swap status: (len: unknown)\n"
	"enc. keys:   (len: 0x40, if BOOT_SWAP_SAVE_ENCTLV is unset)\n"
	"swap size:   0x1234 octal: 4660\n"
	"swap_info:   INVALID (0x12)\n"
	"copy_done:   UNSET (0x3)\n"
	"image_ok:    INVALID (0x0)\n"
	"boot magic:  0x20 0x00 0x2d 0xe1 0x5d 0x29 0x41 0x0b \n"
	"             0x8d 0x77 0x67 0x9c 0x11 0x0f 0x1f 0x8a \n"
	"\n"
	"#### End of Image  #########################################\n";

static const char fields_yaml[] =
	"filename: '123'\n"
	"header:\n"
	"  magic: 2532554813\n"
	"  load_addr: 0\n"
	"  hdr_size: 32\n"
	"  protected_tlv_size: 0\n"
	"  img_size: 16\n"
	"  flags: 40\n"
	"  version: 0.0.65535+4294967295\n"
	"tlv_area:\n"
	"  tlv_hdr_prot: {}\n"
	"  tlvs_prot: []\n"
	"  tlv_hdr:\n"
	"    magic: 26887\n"
	"    tlv_tot: 4\n"
	"  tlvs: []\n"
	"trailer:\n"
	"  magic: !!binary |\n"
	"    IAAt4V0pQQuNd2ecEQ8fig==\n"
	"  image_ok: 0\n"
	"  copy_done: 3\n"
	"  swap_info: 18\n"
	"  swap_size: 4660\n"
	"  key_field_len: 64\n";

static const char fields_json[] =
	"{\n"
	"  \"filename\": \"123\",\n"
	"  \"header\": {\n"
	"    \"magic\": 2532554813,\n"
	"    \"load_addr\": 0,\n"
	"    \"hdr_size\": 32,\n"
	"    \"protected_tlv_size\": 0,\n"
	"    \"img_size\": 16,\n"
	"    \"flags\": 40,\n"
	"    \"version\": \"0.0.65535+4294967295\"\n"
	"  },\n"
	"  \"tlv_area\": {\n"
	"    \"tlv_hdr_prot\": {},\n"
	"    \"tlvs_prot\": [],\n"
	"    \"tlv_hdr\": {\n"
	"      \"magic\": 26887,\n"
	"      \"tlv_tot\": 4\n"
	"    },\n"
	"    \"tlvs\": []\n"
	"  },\n"
	"  \"trailer\": {\n"
	"    \"magic\": \"20002de15d29410b8d77679c110f1f8a\",\n"
	"    \"image_ok\": 0,\n"
	"    \"copy_done\": 3,\n"
	"    \"swap_info\": 18,\n"
	"    \"swap_size\": 4660,\n"
	"    \"key_field_len\": 64\n"
	"  }\n"
	"}\n";


static uint8_t v_seccnt[] = { 0x07, 0x00, 0x00, 0x01 };
static uint8_t v_abc[] = { 'a', 'b', 'c' };
static uint8_t v_nine[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8 };
static uint8_t v_eight[] = { 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0xff };

/* Protected TLVs (one of an unknown type), header flags with an unknown
 * bit, a 9-byte TLV (wraps after 8) and an empty TLV of an unknown type;
 * no trailer. */
static void make_prot(struct image_info *info, struct image_tlv_entry *prot,
		      struct image_tlv_entry *tlvs)
{
	memset(info, 0, sizeof(*info));
	info->hdr = (struct image_header){ IMAGE_MAGIC, 0x20000, 0x20, 0x13, 0x100,
					   IMAGE_F_PIC | IMAGE_F_NON_BOOTABLE | 0x1000,
					   { 2, 1, 0, 7 } };
	prot[0] = (struct image_tlv_entry){ TLV_SEC_CNT, 4, 0x124, v_seccnt };
	prot[1] = (struct image_tlv_entry){ 0xb0, 3, 0x12c, v_abc };
	info->prot = (struct image_tlv_area){ true, IMAGE_TLV_PROT_INFO_MAGIC, 0x13, 0x120, prot, 2 };
	tlvs[0] = (struct image_tlv_entry){ TLV_SHA256, 9, 0x137, v_nine };
	tlvs[1] = (struct image_tlv_entry){ 0x7777, 0, 0x144, v_abc };
	info->tlvs = (struct image_tlv_area){ true, IMAGE_TLV_INFO_MAGIC, 0x15, 0x133, tlvs, 2 };
	info->file_size = 0x148;
}

static void test_prot(void **state)
{
	struct image_info info;
	struct image_tlv_entry prot[2], tlvs[2];

	make_prot(&info, prot, tlvs);
	check_text(&info, "prot.bin", IMGINFO_HUMAN, prot_human);
	check_text(&info, "prot.bin", IMGINFO_YAML, prot_yaml);
	check_text(&info, "prot.bin", IMGINFO_JSON, prot_json);
}

/* A trailer whose magic is not a boot magic: warning first, magic only. */
static void test_bad_magic(void **state)
{
	struct image_info info;
	struct image_tlv_entry tlv = { TLV_SHA256, 8, 0x38, v_eight };

	memset(&info, 0, sizeof(info));
	info.file_size = 0x50;
	info.hdr = (struct image_header){ IMAGE_MAGIC, 0, 0x20, 0, 0x10, 0, { 1, 0, 0, 0 } };
	info.tlvs = (struct image_tlv_area){ true, IMAGE_TLV_INFO_MAGIC, 0x10, 0x30, &tlv, 1 };
	info.trailer.present = true;
	memset(info.trailer.magic, 0xff, sizeof(info.trailer.magic));
	check_text(&info, "bad.bin", IMGINFO_HUMAN, bad_human);
	check_text(&info, "bad.bin", IMGINFO_YAML, bad_yaml);
	check_text(&info, "bad.bin", IMGINFO_JSON, bad_json);
}

/* Trailer fields with every kind of status, a known swap size, max_align 32
 * and an encrypted image (key_field_len), no TLVs at all, and a file name
 * YAML must quote. */
static void test_fields(void **state)
{
	static const uint8_t magic[IMAGE_BOOT_MAGIC_SIZE] = {
		0x20, 0x00, 0x2d, 0xe1, 0x5d, 0x29, 0x41, 0x0b,
		0x8d, 0x77, 0x67, 0x9c, 0x11, 0x0f, 0x1f, 0x8a,
	};
	struct image_info info;

	memset(&info, 0, sizeof(info));
	info.file_size = 0xd4;
	info.hdr = (struct image_header){ IMAGE_MAGIC, 0, 0x20, 0, 0x10,
					  IMAGE_F_ENCRYPTED_AES256 | IMAGE_F_RAM_LOAD,
					  { 0, 0, 65535, 4294967295U } };
	info.tlvs = (struct image_tlv_area){ true, IMAGE_TLV_INFO_MAGIC, 4, 0x30, NULL, 0 };
	info.trailer = (struct image_trailer){ .present = true, .magic_valid = true,
					       .fields_valid = true, .max_align = 32,
					       .image_ok = 0, .copy_done = 3, .swap_info = 0x12,
					       .swap_size = 0x1234 };
	memcpy(info.trailer.magic, magic, sizeof(magic));
	check_text(&info, "123", IMGINFO_HUMAN, fields_human);
	check_text(&info, "123", IMGINFO_YAML, fields_yaml);
	check_text(&info, "123", IMGINFO_JSON, fields_json);
}

/* Status names: 1 SET, 2 BAD, 3 UNSET, 4 ANY, others INVALID. */
static void test_status(void **state)
{
	struct image_info info;
	char *out;

	memset(&info, 0, sizeof(info));
	info.hdr = (struct image_header){ IMAGE_MAGIC, 0, 0x20, 0, 0x10, 0, { 1, 0, 0, 0 } };
	info.tlvs = (struct image_tlv_area){ true, IMAGE_TLV_INFO_MAGIC, 4, 0x30, NULL, 0 };
	info.trailer = (struct image_trailer){ .present = true, .magic_valid = true,
					       .fields_valid = true, .max_align = 8,
					       .image_ok = 2, .copy_done = 4, .swap_info = 1,
					       .swap_size = 0 };
	out = render(&info, "s.bin", IMGINFO_HUMAN);
	assert_non_null(strstr(out, "\nenc. keys:   Image not encrypted\n"
				    "swap size:   0x0 octal: 0\n"
				    "swap_info:   SET (0x1)\n"
				    "copy_done:   ANY (0x4)\n"
				    "image_ok:    BAD (0x2)\n"));
	assert_null(strstr(out, "Warning"));
	free(out);
}

/* Flags with only unknown bits leave the value empty, as in imgtool. */
static void test_unknown_flags(void **state)
{
	struct image_info info;
	char *out;

	memset(&info, 0, sizeof(info));
	info.hdr = (struct image_header){ IMAGE_MAGIC, 0, 0x20, 0, 0x10, 0x1000, { 1, 0, 0, 0 } };
	info.tlvs = (struct image_tlv_area){ true, IMAGE_TLV_INFO_MAGIC, 4, 0x30, NULL, 0 };
	out = render(&info, "u.bin", IMGINFO_HUMAN);
	assert_non_null(strstr(out, "\nflags:              \nversion:            1.0.0+0\n"));
	free(out);
	out = render(&info, "u.bin", IMGINFO_YAML);
	assert_non_null(strstr(out, "\n  flags: 4096\n"));
	free(out);
}

/* File names: PyYAML's quoting of names that would load as other types,
 * its escapes for non-ASCII; U+FFFD for bytes that are not UTF-8. */
static void test_names(void **state)
{
	static const struct {
		const char *name, *yaml;
	} cases[] = {
		{ "true", "filename: 'true'\n" },
		{ "1.5", "filename: '1.5'\n" },
		{ "0x1f", "filename: '0x1f'\n" },
		{ "~", "filename: '~'\n" },
		{ "2024-01-02", "filename: '2024-01-02'\n" },
		{ "a: b.bin", "filename: 'a: b.bin'\n" },
		{ "1.0.bin", "filename: 1.0.bin\n" },
		{ "\xc3\xa9.bin", "filename: \"\\xE9.bin\"\n" },
		{ "\xff.bin", "filename: \"\\uFFFD.bin\"\n" },
	};
	struct image_info info;
	struct json_object *j, *fn;
	size_t i;
	char *out;

	memset(&info, 0, sizeof(info));
	info.hdr = (struct image_header){ IMAGE_MAGIC, 0, 0x20, 0, 0x10, 0, { 1, 0, 0, 0 } };
	info.tlvs = (struct image_tlv_area){ true, IMAGE_TLV_INFO_MAGIC, 4, 0x30, NULL, 0 };
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		out = render(&info, cases[i].name, IMGINFO_YAML);
		assert_true(strncmp(out, cases[i].yaml, strlen(cases[i].yaml)) == 0);
		free(out);
	}
	/* JSON: json-c writes UTF-8 where Python writes \u00e9: same value */
	out = render(&info, "\xc3\xa9.bin", IMGINFO_JSON);
	j = json_tokener_parse(out);
	assert_non_null(j);
	assert_true(json_object_object_get_ex(j, "filename", &fn));
	assert_string_equal(json_object_get_string(fn), "\xc3\xa9.bin");
	json_object_put(j);
	free(out);
}

static void test_errors(void **state)
{
	struct image_info info;
	struct mcuprov_err err;
	char *out = (char *)"x";
	size_t len = 1;

	memset(&info, 0, sizeof(info));
	err_clear(&err);
	assert_int_equal(imginfo_format(&info, "x.bin", (enum imginfo_format)99, &out, &len, &err),
			 MCUPROV_ERR_INTERNAL);
	assert_null(out);
	assert_int_equal(len, 0);
	assert_int_equal(err.code, MCUPROV_ERR_INTERNAL);
	assert_int_equal(imginfo_format(NULL, "x.bin", IMGINFO_HUMAN, &out, &len, &err),
			 MCUPROV_ERR_INTERNAL);
}

/* An image of a 16-byte payload with hdr_size 0x20 into IMG: a protected
 * area (at 0x30) holding a SEC_CNT TLV whose length field says SEC_LEN
 * when SEC_LEN is nonzero, then the TLV area: a SHA256 TLV whose length
 * field says SHA_LEN (32 bytes follow it) and a KEYHASH.  Its size. */
static size_t tlv_image(uint8_t *img, unsigned sec_len, unsigned sha_len)
{
	size_t at = 0x30;

	memset(img, 0, 0x30 + 12 + 76);
	/* IMAGE_MAGIC, hdr_size, img_size */
	img[0] = 0x3d, img[1] = 0xb8, img[2] = 0xf3, img[3] = 0x96;
	img[8] = 0x20;
	img[12] = 0x10;
	memset(img + 0x20, 0xee, 0x10);
	if (sec_len != 0) {
		/* protected_tlv_size 12: the info header and a 4-byte SEC_CNT */
		img[10] = 12;
		img[at] = 0x08, img[at + 1] = 0x69, img[at + 2] = 12;
		img[at + 4] = TLV_SEC_CNT, img[at + 6] = (uint8_t)sec_len;
		memset(img + at + 8, 0xff, 4);
		at += 12;
	}
	img[at] = 0x07, img[at + 1] = 0x69, img[at + 2] = 4 + 36 + 36;
	img[at + 4] = TLV_SHA256, img[at + 6] = (uint8_t)sha_len;
	memset(img + at + 8, 0xff, 32);
	img[at + 40] = TLV_KEYHASH, img[at + 42] = 32;
	return at + 76;
}

/* issue 13: a TLV of a known length that says another throws the walk
 * through the area off; the length is the error, not the garbage after it
 * (in either area; the same TLVs written whole parse). */
static void test_tlv_length(void **state)
{
	uint8_t img[0x30 + 12 + 76];
	struct image_info *info = NULL;
	struct mcuprov_err err;
	size_t n;

	(void)state;
	err_clear(&err);
	n = tlv_image(img, 0, 0x10);
	assert_int_equal(image_parse_mem(img, n, "x.bin", &info, &err), MCUPROV_ERR_FORMAT);
	assert_null(info);
	assert_string_equal(err.subject, "x.bin");
	assert_string_equal(err.msg,
			    "bad TLV area: TLV 0x10 (SHA256) at 0x34 has length 16, expected 32");
	err_clear(&err);
	n = tlv_image(img, 2, 32);
	assert_int_equal(image_parse_mem(img, n, "x.bin", &info, &err), MCUPROV_ERR_FORMAT);
	assert_null(info);
	assert_string_equal(err.msg, "bad protected TLV area: TLV 0x50 (SEC_CNT) at 0x34 has "
				     "length 2, expected 4");
	n = tlv_image(img, 4, 32);
	assert_int_equal(image_parse_mem(img, n, "x.bin", &info, &err), 0);
	assert_int_equal(info->prot.n_tlvs, 1);
	assert_int_equal(info->tlvs.n_tlvs, 2);
	image_info_free(info);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vec_ecdsa_p256),
		cmocka_unit_test(test_vec_ed25519_basic),
		cmocka_unit_test(test_vec_ed25519_pad_confirm),
		cmocka_unit_test(test_vec_hashonly),
		cmocka_unit_test(test_prot),
		cmocka_unit_test(test_bad_magic),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_unknown_flags),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_tlv_length),
	};

	return unit_run_group_tests("imginfo", tests, NULL, NULL);
}
